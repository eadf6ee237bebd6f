import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartIdentity
import RampartStore
import Testing

@testable import RampartServer

/// Tags analysts assign (Defender's cloud-created tags) apart from the sensors' tags: set in the portal or through
/// Defender's "Add or Remove Tag", they place the device in device groups and filter the SIEM API on their own.
@Suite struct DeviceTagTests {
    @Test func assignedTagsMoveDevicesAndFilterTheSIEMAPIApartFromSensorTags() async throws {
        let world = try await TestWorld()
        let tenant = world.contoso.tenant.id
        _ = try await world.services.admin.grant(
            in: DirectoryService.hostScope(tenant), clientID: world.contoso.clientID,
            permissions: ["Alert.Read.All", "Alert.Ingest", "Machine.ReadWrite.All"])
        _ = try await world.services.rbac.save(
            DeviceGroup(
                id: .random(), tenantID: tenant, name: "Crown jewels", rank: 1, description: "",
                remediationLevel: .fullRemediation, rules: DeviceGroupRules(tags: ["crown-jewel"]), userGroupIDs: [],
                isDefault: false))
        try await world.application().test(.router) { client in
            let token = try await client.token(world.contoso)
            var web = record("t1")
            web["device"] = ["hostname": "web-1", "domain": "corp.example", "tags": ["dmz"]]
            _ = try await client.json("/ingest/v1/alerts", token: token, method: .post, body: ingestBody([web]))
            let (_, machines) = try await client.json("/api/machines", token: token)
            let machine = try #require((machines["value"] as? [[String: Any]])?.first)
            let id = try #require(machine["id"] as? String)
            #expect(machine["rbacGroupName"] as? String == DeviceGroup.defaultName)

            // Defender's "Add or Remove Tag".
            let (added, tagged) = try await client.json(
                "/api/machines/\(id)/tags", token: token, method: .post, body: #"{"Value":"crown-jewel","Action":"Add"}"#)
            #expect(added == .ok && tagged["machineTags"] as? [String] == ["crown-jewel", "dmz"])
            #expect(tagged["rbacGroupName"] as? String == "Crown jewels", "the tag's group takes the device in")
            let (_, alerts) = try await client.json("/api/alerts", token: token)
            #expect((alerts["value"] as? [[String: Any]])?.first?["rbacGroupName"] as? String == "Crown jewels")
            let (badAction, _) = try await client.json(
                "/api/machines/\(id)/tags", token: token, method: .post, body: #"{"Value":"x","Action":"Rename"}"#)
            #expect(badAction == .badRequest)
            let (missing, _) = try await client.json(
                "/api/machines/nope/tags", token: token, method: .post, body: #"{"Value":"x","Action":"Add"}"#)
            #expect(missing == .notFound)
            let fabrikam = try await client.token(world.fabrikam)
            #expect(
                try await client.json(
                    "/api/machines/\(id)/tags", token: fabrikam, method: .post, body: #"{"Value":"x","Action":"Add"}"#
                ).0 == .forbidden)

            // The SIEM API tells the two sets apart.
            let siem = try await SIEMAPITests().v1Token(client, world.contoso)
            let cloud = try await SIEMAPITests().detections(
                client, "/siem/api/alerts?CloudCreatedMachineTags=crown-jewel", token: siem)
            #expect(cloud.1.count == 1 && cloud.1.first?["CloudCreatedMachineTags"] as? String == "crown-jewel")
            #expect(cloud.1.first?["DeviceCreatedMachineTags"] as? String == "dmz")
            #expect(
                try await SIEMAPITests().detections(
                    client, "/siem/api/alerts?DeviceCreatedMachineTags=crown-jewel", token: siem
                ).1.isEmpty)

            // The portal: the administrator replaces the assigned tags; the sensors' tag stays.
            var jar = CookieJar()
            _ = try await PortalTests().signIn(client, &jar, upn: "admin@contoso.example", password: world.contoso.adminPassword)
            let page = String(buffer: try await client.execute(uri: "/devices/\(id)", method: .get, headers: jar.header).body)
            #expect(page.contains("<dd id=\"sensor-tags\">dmz</dd>") && page.contains("<dd id=\"cloud-tags\">crown-jewel</dd>"))
            let csrf = hiddenCSRF(page) ?? ""
            let tooLong = try await client.form(
                "/devices/\(id)/tags", ["csrf": csrf, "tags": String(repeating: "x", count: 201)], headers: jar.header)
            #expect(tooLong.status == .badRequest && String(buffer: tooLong.body).contains("id=\"tags-error\""))
            let saved = try await client.form(
                "/devices/\(id)/tags", ["csrf": csrf, "tags": "finance, vip, finance"], headers: jar.header)
            #expect(saved.status == .seeOther || saved.status == .found)
            let after = String(buffer: try await client.execute(uri: "/devices/\(id)", method: .get, headers: jar.header).body)
            #expect(
                after.contains("<dd id=\"cloud-tags\">finance, vip</dd>") && after.contains("<dd id=\"sensor-tags\">dmz</dd>"))
            #expect(after.contains(DeviceGroup.defaultName), "without the tag, the device leaves the group")

            // A sensor sending the device again does not touch the assigned tags.
            var repeated = record("t2")
            repeated["device"] = ["hostname": "web-1", "domain": "corp.example", "tags": ["dmz", "linux"]]
            _ = try await client.json("/ingest/v1/alerts", token: token, method: .post, body: ingestBody([repeated]))
            let (_, again) = try await client.json("/api/machines/\(id)", token: token)
            #expect(again["machineTags"] as? [String] == ["dmz", "finance", "linux", "vip"])
        }
    }
}
