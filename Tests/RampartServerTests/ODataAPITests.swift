import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartServer
import Testing

/// `$filter`, `$orderby`, `$select`, `$count` and keyset paging on `GET /api/alerts`.
@Suite struct ODataAPITests {
    func encoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    func values(_ body: [String: Any]) -> [[String: Any]] { body["value"] as? [[String: Any]] ?? [] }

    @Test func filtersOrdersSelectsAndCounts() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let token = try await client.token(world.contoso)
            let severities = ["High", "Medium", "Low", "Informational"]
            let records: [[String: Any]] = (0..<12).map { index in
                var item = record(
                    "f\(index)", title: index == 5 ? "O'Brien's laptop" : "alert \(index)", severity: severities[index % 4])
                if index % 3 == 0 { item["device"] = ["hostname": "db-\(index)", "domain": "corp.example", "tags": ["prod"]] }
                return item
            }
            _ = try await client.json("/ingest/v1/alerts", token: token, method: .post, body: ingestBody(records))

            let (status, high) = try await client.json(
                "/api/alerts?$filter=\(encoded("status eq 'New' and severity eq 'high'"))", token: token)
            #expect(status == .ok)
            #expect(values(high).count == 3)
            #expect(values(high).allSatisfy { $0["severity"] as? String == "High" })

            let (_, quoted) = try await client.json(
                "/api/alerts?$filter=\(encoded("startswith(title, 'o''brien')"))", token: token)
            #expect(values(quoted).map { $0["title"] as? String } == ["O'Brien's laptop"])

            let (_, either) = try await client.json(
                "/api/alerts?$filter=\(encoded("severity in ('Low', 'Informational') and not (assignedTo ne null)"))",
                token: token)
            #expect(values(either).count == 6)

            let (_, ordered) = try await client.json(
                "/api/alerts?$orderby=\(encoded("severity desc, title asc"))&$select=title,severity&$top=4", token: token)
            #expect(values(ordered).map { $0["severity"] as? String } == ["High", "High", "High", "Medium"])
            #expect(values(ordered).map { $0["title"] as? String } == ["alert 0", "alert 4", "alert 8", "O'Brien's laptop"])
            #expect(values(ordered).first.map { Set($0.keys) } == ["title", "severity"])

            let (_, counted) = try await client.json(
                "/api/alerts?$count=true&$top=1&$filter=\(encoded("severity eq 'Low'"))", token: token)
            #expect(counted["@odata.count"] as? Int == 3)
            #expect(values(counted).count == 1)
            let plain = try await client.execute(
                uri: "/api/alerts/$count?$filter=\(encoded("severity ne 'Low'"))", method: .get,
                headers: [.authorization: "Bearer \(token)"])
            #expect(String(buffer: plain.body) == "9")

            // Defender's documentation writes spaces as '+'; a literal plus is %2B.
            let (_, plus) = try await client.json("/api/alerts?$filter=severity+eq+'High'&$count=true&$top=0", token: token)
            #expect(plus["@odata.count"] as? Int == 3)

            let (future, none) = try await client.json(
                "/api/alerts?$filter=\(encoded("alertCreationTime gt 2099-01-01T00:00:00Z"))", token: token)
            #expect(future == .ok)
            #expect(values(none).isEmpty)
        }
    }

    @Test(arguments: [
        ("severity gt 'High'", "enumeration"),
        ("title eq 3", "takes a string literal"),
        ("sourceId eq 'x'", "cannot be filtered on"),
        ("severity eq 'Critical'", "is not a value of severity"),
        ("status eq 'New' and", "position 20"),
    ])
    func badFiltersAreODataErrorsNamingTheProblem(filter: String, message: String) async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let token = try await client.token(world.contoso)
            let (status, body) = try await client.json("/api/alerts?$filter=\(encoded(filter))", token: token)
            #expect(status == .badRequest)
            let error = body["error"] as? [String: Any]
            #expect(error?["code"] as? String == "ODataError")
            #expect((error?["message"] as? String)?.contains(message) == true, "\(error ?? [:])")
        }
    }

    /// New alerts arrive between pages: the pages still hold every earlier alert exactly once.
    @Test func keysetPagesNeitherSkipNorRepeatWhileAlertsArrive() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let token = try await client.token(world.contoso)
            _ = try await client.json(
                "/ingest/v1/alerts", token: token, method: .post, body: ingestBody((0..<23).map { record("k\($0)") }))
            let before = Set(values(try await client.json("/api/alerts", token: token).1).compactMap { $0["id"] as? String })
            #expect(before.count == 23)
            for order in ["", "&$orderby=\(encoded("severity desc, lastUpdateTime asc"))"] {
                var uri = "/api/alerts?$top=5\(order)"
                var seen: [String] = []
                for round in 0..<20 {
                    let (status, page) = try await client.json(uri, token: token)
                    #expect(status == .ok)
                    seen += values(page).compactMap { $0["id"] as? String }
                    _ = try await client.json(
                        "/ingest/v1/alerts", token: token, method: .post,
                        body: ingestBody([record("late-\(order.count)-\(round)")]))
                    guard let next = page["@odata.nextLink"] as? String else { break }
                    #expect(next.contains("$skiptoken="))
                    uri = String(next.dropFirst("https://rampart.test".count))
                }
                #expect(seen.count == Set(seen).count, "no alert twice")
                #expect(before.isSubset(of: Set(seen)), "every alert that existed at the start")
            }
            let (tampered, _) = try await client.json("/api/alerts?$skiptoken=bm9wZQ", token: token)
            #expect(tampered == .badRequest)
        }
    }
}
