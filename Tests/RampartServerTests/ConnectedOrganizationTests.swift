import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartServer
import Testing

@Suite struct ConnectedOrganizationTests {
    @Test func aCustomerConnectsAndDisconnectsAnMSSP() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let admin = try await AccessManagementTests().adminToken(client, world)
            let (created, body) = try await client.json(
                "/manage/v1/connected-organizations", token: admin, method: .post, body: #"{"tenant":"fabrikam.example"}"#)
            #expect(created == .created)
            #expect(body["tenantId"] as? String == world.fabrikam.tenant.id.description)
            let (again, _) = try await client.json(
                "/manage/v1/connected-organizations", token: admin, method: .post,
                body: #"{"tenant":"\#(world.fabrikam.tenant.id)"}"#)
            #expect(again == .ok)
            let (_, list) = try await client.json("/manage/v1/connected-organizations", token: admin)
            #expect((list["value"] as? [[String: Any]])?.map { $0["domain"] as? String } == ["fabrikam.example"])
            let (selfConnect, _) = try await client.json(
                "/manage/v1/connected-organizations", token: admin, method: .post, body: #"{"tenant":"contoso.example"}"#)
            #expect(selfConnect == .badRequest)
            let (unknown, _) = try await client.json(
                "/manage/v1/connected-organizations", token: admin, method: .post, body: #"{"tenant":"nowhere.example"}"#)
            #expect(unknown == .badRequest)
            let (removed, _) = try await client.json(
                "/manage/v1/connected-organizations/fabrikam.example", token: admin, method: .delete)
            #expect(removed == .noContent)
            let (missing, _) = try await client.json(
                "/manage/v1/connected-organizations/fabrikam.example", token: admin, method: .delete)
            #expect(missing == .notFound)
            let (_, audit) = try await client.json("/manage/v1/audit?limit=2", token: admin)
            #expect(
                (audit["value"] as? [[String: Any]])?.map { $0["action"] as? String }
                    == ["connectedOrganization.remove", "connectedOrganization.add"])
        }
    }
}
