import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartIdentity
import RampartServer
import Testing

@Suite struct AppAuthorizationTests {
    /// Fabrikam plays the MSSP: its app, registered at home, is authorized by Contoso for one device group.
    @Test func anMSSPAppSeesOnlyWhatTheCustomerAuthorizedUntilRemoved() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let customer = try await AccessManagementTests().adminToken(client, world)
            let ingest = try await client.token(world.contoso)
            var server = record("s1")
            server["device"] = ["hostname": "srv-1", "domain": "corp.example", "tags": ["server"]]
            _ = try await client.json(
                "/ingest/v1/alerts", token: ingest, method: .post, body: ingestBody([server, record("w1")]))
            _ = try await client.json(
                "/manage/v1/device-groups", token: customer, method: .post,
                body: #"{"name":"Servers","rules":{"tags":["server"]}}"#)

            // Not yet authorized: the MSSP app cannot get a Contoso token.
            let mssp = TestWorld.TenantFixture(
                tenant: world.contoso.tenant, adminPassword: "", clientID: world.fabrikam.clientID, secret: world.fabrikam.secret)
            #expect(try await client.token(mssp).isEmpty)

            let (status, body) = try await client.json(
                "/manage/v1/app-authorizations/\(world.fabrikam.clientID)", token: customer, method: .put,
                body: #"{"permissions":["Alert.Read.All"],"deviceGroups":["Servers"]}"#)
            #expect(status == .ok)
            #expect(body["homeTenantId"] as? String == world.fabrikam.tenant.id.description)
            #expect(body["deviceGroups"] as? [String] == ["Servers"])

            let token = try await client.token(mssp)
            let (listStatus, list) = try await client.json("/api/alerts", token: token)
            #expect(listStatus == .ok)
            let alerts = list["value"] as? [[String: Any]] ?? []
            #expect(alerts.map { $0["computerDnsName"] as? String } == ["srv-1.corp.example"])
            #expect(alerts.first?["aadTenantId"] as? String == world.contoso.tenant.id.description)

            let (_, listed) = try await client.json("/manage/v1/app-authorizations", token: customer)
            #expect(
                (listed["value"] as? [[String: Any]])?.contains { $0["appId"] as? String == world.fabrikam.clientID.description }
                    == true)

            let (removed, _) = try await client.json(
                "/manage/v1/app-authorizations/\(world.fabrikam.clientID)", token: customer, method: .delete)
            #expect(removed == .noContent)
            let (after, _) = try await client.json("/api/alerts", token: token)
            #expect(after == .forbidden)

            let (_, audit) = try await client.json("/manage/v1/audit?limit=3", token: customer)
            let entries = audit["value"] as? [[String: Any]] ?? []
            #expect(entries.map { $0["action"] as? String } == ["app.deauthorize", "alerts.list", "app.authorize"])
            // The MSSP's read is recorded with the MSSP as the actor's home tenant.
            #expect(entries.count == 3 && entries[1]["actorTenantId"] as? String == world.fabrikam.tenant.id.description)
            #expect(entries.count == 3 && entries[1]["details"] as? String == "returned=1")

            let (unknown, _) = try await client.json(
                "/manage/v1/app-authorizations/\(ObjectID.random())", token: customer, method: .put,
                body: #"{"permissions":["Alert.Read.All"]}"#)
            #expect(unknown == .notFound)
        }
    }
}
