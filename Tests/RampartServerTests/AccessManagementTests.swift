import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartIdentity
import RampartServer
import Testing

@Suite struct AccessManagementTests {
    func adminToken(
        _ client: some TestClientProtocol, _ world: TestWorld, upn: String = "admin@contoso.example", password: String? = nil
    )
        async throws -> String
    {
        let response = try await client.form(
            "/contoso.example/oauth2/v2.0/token",
            [
                "grant_type": "password", "client_id": TokenService.publicClientID.description, "username": upn,
                "password": password ?? world.contoso.adminPassword, "scope": "api://rampart/.default",
            ])
        let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
        return object?["access_token"] as? String ?? ""
    }

    @Test func rolesAndDeviceGroupsScopeWhatAMemberSees() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let admin = try await adminToken(client, world)
            // A member in the SOC group, and three alerts on three kinds of device.
            let (userStatus, _) = try await client.json(
                "/manage/v1/users", token: admin, method: .post,
                body: #"{"userPrincipalName":"tier1@contoso.example","password":"correct-horse-battery"}"#)
            #expect(userStatus == .created)
            _ = try await client.json("/manage/v1/groups", token: admin, method: .post, body: #"{"name":"SOC"}"#)
            _ = try await client.json("/manage/v1/groups", token: admin, method: .post, body: #"{"name":"Finance IT"}"#)
            _ = try await client.json(
                "/manage/v1/groups/SOC/members", token: admin, method: .post, body: #"{"user":"tier1@contoso.example"}"#)
            let ingest = try await client.token(world.contoso)
            var web = record("w1")
            web["device"] = ["hostname": "web-1", "domain": "corp.example"]
            var finance = record("f1")
            finance["device"] = ["hostname": "fin-1", "domain": "corp.example", "tags": ["finance"]]
            _ = try await client.json(
                "/ingest/v1/alerts", token: ingest, method: .post, body: ingestBody([web, finance, record("o1")]))

            // Before any role the member sees nothing.
            let member = try await adminToken(client, world, upn: "tier1@contoso.example", password: "correct-horse-battery")
            #expect(try await client.json("/manage/v1/roles", token: member).0 == .forbidden)

            let (roleStatus, role) = try await client.json(
                "/manage/v1/roles", token: admin, method: .post,
                body: #"{"name":"Tier 1","permissions":["ViewData.SecurityOperations"],"groups":["SOC"]}"#)
            #expect(roleStatus == .created)
            #expect(role["permissions"] as? [String] == ["ViewData.SecurityOperations"])
            _ = try await client.json(
                "/manage/v1/roles", token: admin, method: .post,
                body: #"{"name":"Finance","permissions":["ViewData.SecurityOperations"],"groups":["Finance IT"]}"#)

            let (previewStatus, preview) = try await client.json(
                "/manage/v1/device-groups/preview", token: admin, method: .post, body: #"{"tags":["finance"]}"#)
            #expect(previewStatus == .ok)
            #expect((preview["value"] as? [[String: Any]])?.map { $0["computerDnsName"] as? String } == ["fin-1.corp.example"])

            let (groupStatus, group) = try await client.json(
                "/manage/v1/device-groups", token: admin, method: .post,
                body:
                    #"{"name":"Finance","rules":{"tags":["finance"]},"userGroups":["Finance IT"],"remediationLevel":"FullRemediation"}"#
            )
            #expect(groupStatus == .created)
            #expect(group["rank"] as? Int == 1)

            let (_, visible) = try await client.json("/manage/v1/device-groups", token: admin)
            #expect(
                (visible["value"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Finance", DeviceGroup.defaultName])

            // The member (SOC) now reads alerts, but not the finance group's.
            let portal = try await portalAlerts(client, upn: "tier1@contoso.example", password: "correct-horse-battery")
            #expect(portal.contains("web-1.corp.example"))
            #expect(!portal.contains("fin-1.corp.example"))

            // Only groups that hold a role can be given access; the default group cannot be deleted; bad rules are refused.
            _ = try await client.json("/manage/v1/groups", token: admin, method: .post, body: #"{"name":"No role"}"#)
            let (noRole, _) = try await client.json(
                "/manage/v1/device-groups", token: admin, method: .post,
                body: #"{"name":"X","rules":{"tags":["x"]},"userGroups":["No role"]}"#)
            #expect(noRole == .badRequest)
            let tooMany = (0...10).map { "\"t\($0)\"" }.joined(separator: ",")
            let (rules, _) = try await client.json(
                "/manage/v1/device-groups", token: admin, method: .post, body: #"{"name":"Y","rules":{"tags":[\#(tooMany)]}}"#)
            #expect(rules == .badRequest)
            let defaultID = ((visible["value"] as? [[String: Any]])?.last?["id"] as? String) ?? ""
            let (deleteDefault, _) = try await client.json("/manage/v1/device-groups/\(defaultID)", token: admin, method: .delete)
            #expect(deleteDefault == .badRequest)
            let (duplicate, _) = try await client.json(
                "/manage/v1/roles", token: admin, method: .post, body: #"{"name":"tier 1","permissions":[]}"#)
            #expect(duplicate == .conflict)
        }
    }

    func portalAlerts(_ client: some TestClientProtocol, upn: String, password: String) async throws -> String {
        var jar = CookieJar()
        let page = try await client.execute(uri: "/signin", method: .get)
        jar.take(page)
        let csrf = hiddenCSRF(String(buffer: page.body)) ?? ""
        let signed = try await client.form("/signin", ["username": upn, "password": password, "csrf": csrf], headers: jar.header)
        jar.take(signed)
        return String(buffer: try await client.execute(uri: "/alerts", method: .get, headers: jar.header).body)
    }
}
