import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartIdentity
import RampartServer
import Testing

@Suite struct AuditAPITests {
    @Test func accessChangesAreAuditedWithTheirRequestAndOnlyTheTenantSeesThem() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let admin = try await AccessManagementTests().adminToken(client, world)
            _ = try await client.json("/manage/v1/groups", token: admin, method: .post, body: #"{"name":"SOC"}"#)
            let created = try await client.execute(
                uri: "/manage/v1/roles", method: .post,
                headers: [.authorization: "Bearer \(admin)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"name":"Tier 1","permissions":["ViewData.SecurityOperations"],"groups":["SOC"]}"#))
            #expect(created.status == .created)

            let (status, page) = try await client.json("/manage/v1/audit?limit=1", token: admin)
            #expect(status == .ok)
            let newest = (page["value"] as? [[String: Any]])?.first
            #expect(newest?["action"] as? String == "role.create")
            #expect(newest?["target"] as? String == "Tier 1")
            #expect(newest?["actor"] as? String == "admin@contoso.example")
            #expect((newest?["requestId"] as? String)?.isEmpty == false)
            #expect(page["@odata.nextLink"] != nil)

            let (_, filtered) = try await client.json("/manage/v1/audit?action=group.create", token: admin)
            #expect((filtered["value"] as? [[String: Any]])?.map { $0["target"] as? String } == ["SOC"])
            // Time bounds: everything so far is before a minute from now, and nothing is after it.
            let later = Timestamp.now().adding(seconds: 60).description
            let (_, until) = try await client.json("/manage/v1/audit?until=\(later)&action=group.create", token: admin)
            #expect((until["value"] as? [[String: Any]])?.count == 1)
            let (_, since) = try await client.json("/manage/v1/audit?since=\(later)", token: admin)
            #expect((since["value"] as? [[String: Any]])?.isEmpty == true)
            #expect(try await client.json("/manage/v1/audit?since=yesterday", token: admin).0 == .badRequest)

            let export = try await client.execute(
                uri: "/manage/v1/audit/export", method: .get, headers: [.authorization: "Bearer \(admin)"])
            let lines = String(buffer: export.body).split(separator: "\n")
            let entries = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(entries.map { $0["position"] as? Int } == Array(1...entries.count).map { $0 })
            #expect(entries.first?["previousHash"] as? String == String(repeating: "0", count: 64))

            // Another tenant's administrator sees none of it.
            let other = try await client.form(
                "/fabrikam.example/oauth2/v2.0/token",
                [
                    "grant_type": "password", "client_id": TokenService.publicClientID.description,
                    "username": "admin@fabrikam.example", "password": world.fabrikam.adminPassword,
                    "scope": "api://rampart/.default",
                ])
            let token = (try JSONSerialization.jsonObject(with: Data(other.body.readableBytesView)) as? [String: Any])?[
                "access_token"]
            let (_, theirs) = try await client.json("/manage/v1/audit", token: token as? String ?? "")
            #expect((theirs["value"] as? [[String: Any]])?.contains { $0["target"] as? String == "Tier 1" } == false)
        }
    }
}
