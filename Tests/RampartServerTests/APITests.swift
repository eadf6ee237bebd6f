import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartIdentity
import RampartServer
import Testing

@Suite struct APITests {
    @Test func healthAndMetrics() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            #expect(String(buffer: health.body).contains("\"database\":\"ok\""))
            _ = try await client.execute(uri: "/api/alerts", method: .get)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: metrics.body)
            #expect(text.contains("http_server_request_duration"))
            #expect(text.contains("rampart_db_statement_duration"))
        }
    }

    @Test func ingestThenReadInDefendersShape() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let token = try await client.token(world.contoso)
            let (status, result) = try await client.json(
                "/ingest/v1/alerts", token: token, method: .post,
                body: ingestBody([record("r1"), record("r2", severity: "Bogus"), record("r1", title: "Renamed")]))
            #expect(status == .ok)
            #expect(result["accepted"] as? Int == 2)
            #expect(result["rejected"] as? Int == 1)
            let results = result["results"] as? [[String: Any]] ?? []
            #expect(results.map { $0["status"] as? String } == ["created", "rejected", "created"])
            #expect((results[1]["reason"] as? String)?.contains("severity 'Bogus'") == true)
            #expect(results[0]["alertId"] as? String == results[2]["alertId"] as? String)

            let (listStatus, list) = try await client.json("/api/alerts", token: token)
            #expect(listStatus == .ok)
            let alerts = list["value"] as? [[String: Any]] ?? []
            #expect(alerts.count == 1)
            #expect(alerts.first?["title"] as? String == "Renamed")
            #expect((alerts.first?["evidence"] as? [Any])?.isEmpty == true)
            #expect(alerts.first?["aadTenantId"] as? String == world.contoso.tenant.id.description)
            let id = alerts.first?["id"] as? String ?? ""
            #expect(id.hasPrefix("da"))

            let (_, expanded) = try await client.json("/api/alerts/\(id)?$expand=evidence", token: token)
            #expect((expanded["evidence"] as? [[String: Any]])?.first?["fileName"] as? String == "powershell.exe")

            // Re-sending updates, never duplicates.
            _ = try await client.json("/ingest/v1/alerts", token: token, method: .post, body: ingestBody([record("r1")]))
            let (_, again) = try await client.json("/api/alerts", token: token)
            #expect((again["value"] as? [Any])?.count == 1)
        }
    }

    @Test func anotherTenantsAlertIsNotFound() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let contoso = try await client.token(world.contoso)
            let fabrikam = try await client.token(world.fabrikam)
            let (_, result) = try await client.json(
                "/ingest/v1/alerts", token: contoso, method: .post, body: ingestBody([record("secret-alert")]))
            let id = (result["results"] as? [[String: Any]])?.first?["alertId"] as? String ?? ""
            let (status, body) = try await client.json("/api/alerts/\(id)", token: fabrikam)
            #expect(status == .notFound)
            #expect((body["error"] as? [String: Any])?["code"] as? String == "NotFound")
            let (missingStatus, _) = try await client.json("/api/alerts/da0_0", token: fabrikam)
            #expect(missingStatus == status)
            let (_, list) = try await client.json("/api/alerts", token: fabrikam)
            #expect((list["value"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func pagingReturnsANextLinkUntilTheEnd() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let token = try await client.token(world.contoso)
            _ = try await client.json(
                "/ingest/v1/alerts", token: token, method: .post, body: ingestBody((0..<5).map { record("p\($0)") }))
            var uri = "/api/alerts?$top=2"
            var ids: [String] = []
            for _ in 0..<5 {
                let (_, page) = try await client.json(uri, token: token)
                ids += (page["value"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                guard let next = page["@odata.nextLink"] as? String else { break }
                uri = String(next.dropFirst("https://rampart.test".count))
            }
            #expect(ids.count == 5)
            #expect(Set(ids).count == 5)
        }
    }

    @Test func errorsUseDefendersCodes() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let (missing, body) = try await client.json("/api/alerts", token: "")
            #expect(missing == .unauthorized)
            #expect((body["error"] as? [String: Any])?["code"] as? String == "Unauthorized")
            #expect(((body["error"] as? [String: Any])?["target"] as? String)?.isEmpty == false)

            let token = try await client.token(world.contoso)
            let (badTop, odata) = try await client.json("/api/alerts?$top=10001", token: token)
            #expect(badTop == .badRequest)
            #expect((odata["error"] as? [String: Any])?["code"] as? String == "ODataError")

            let (badBody, invalid) = try await client.json("/ingest/v1/alerts", token: token, method: .post, body: "{oops")
            #expect(badBody == .badRequest)
            #expect((invalid["error"] as? [String: Any])?["code"] as? String == "InvalidRequestBody")

            // A management token cannot read alerts.
            let management = try await client.token(world.contoso, scope: "api://rampart/.default")
            let (wrongAudience, _) = try await client.json("/api/alerts", token: management)
            #expect(wrongAudience == .unauthorized)
        }
    }

    @Test func missingPermissionIsForbidden() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let token = try await client.token(world.contoso)
            let scope = RampartIdentityScope.host(world.contoso.tenant.id)
            try await world.services.admin.revoke(in: scope, clientID: world.contoso.clientID, permissions: [.alertReadAll])
            let (status, body) = try await client.json("/api/alerts", token: token)
            #expect(status == .forbidden)
            #expect((body["error"] as? [String: Any])?["code"] as? String == "Forbidden")
        }
    }

    @Test func oversizedIngestBodiesGet413AndChangeNothing() async throws {
        let world = try await TestWorld(ingestLimit: 2048)
        try await world.application().test(.router) { client in
            let token = try await client.token(world.contoso)
            let big = ingestBody((0..<40).map { record("big\($0)") })
            let (status, body) = try await client.json("/ingest/v1/alerts", token: token, method: .post, body: big)
            #expect(status == .contentTooLarge)
            #expect((body["error"] as? [String: Any])?["code"] as? String == "PayloadTooLarge")
            let (_, list) = try await client.json("/api/alerts", token: token)
            #expect((list["value"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func tokenEndpointSpeaksRFC6749() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let wrong = try await client.form(
                "/\(world.contoso.tenant.domain)/oauth2/v2.0/token",
                [
                    "grant_type": "client_credentials", "client_id": world.contoso.clientID.description, "client_secret": "x",
                    "scope": "https://api.securitycenter.microsoft.com/.default",
                ])
            #expect(wrong.status == .unauthorized)
            let body = try JSONSerialization.jsonObject(with: Data(wrong.body.readableBytesView)) as? [String: Any]
            #expect(body?["error"] as? String == "invalid_client")
            #expect(wrong.headers[.cacheControl] == "no-store")

            let notForm = try await client.execute(
                uri: "/\(world.contoso.tenant.id)/oauth2/v2.0/token", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{}"))
            #expect(notForm.status == .badRequest)

            let discovery = try await client.execute(
                uri: "/\(world.contoso.tenant.domain)/v2.0/.well-known/openid-configuration", method: .get)
            let document = try JSONSerialization.jsonObject(with: Data(discovery.body.readableBytesView)) as? [String: Any]
            #expect(document?["issuer"] as? String == "https://rampart.test/\(world.contoso.tenant.id)/v2.0")
            #expect(document?["token_endpoint"] as? String == "https://rampart.test/\(world.contoso.tenant.id)/oauth2/v2.0/token")
            let keys = try await client.execute(uri: "/\(world.contoso.tenant.id)/discovery/v2.0/keys", method: .get)
            let jwks = try JSONSerialization.jsonObject(with: Data(keys.body.readableBytesView)) as? [String: [[String: String]]]
            #expect(jwks?["keys"]?.first?["kty"] == "EC")
            #expect(jwks?["keys"]?.first?["d"] == nil)
            let unknown = try await client.execute(uri: "/nowhere.example/v2.0/.well-known/openid-configuration", method: .get)
            #expect(unknown.status == .badRequest)
        }
    }
}

enum RampartIdentityScope {
    static func host(_ tenant: TenantID) -> AccessScope { DirectoryService.hostScope(tenant) }
}
