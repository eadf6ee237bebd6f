import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartFormats
import RampartIdentity
import RampartServer
import Testing

/// `/api/machines` and the alerts of a machine, in Defender's shapes.
@Suite struct MachinesAPITests {
    func encoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    func values(_ body: [String: Any]) -> [[String: Any]] { body["value"] as? [[String: Any]] ?? [] }

    @Test func machinesListFilterAndTheirAlerts() async throws {
        let world = try await TestWorld()
        let scope = DirectoryService.hostScope(world.contoso.tenant.id)
        _ = try await world.services.access.saveDeviceGroup(
            in: scope,
            DeviceGroupInput(
                name: "Production", rank: 1, description: nil, remediationLevel: nil,
                rules: DeviceGroupRules(tags: ["prod"]), userGroups: nil))
        try await world.application().test(.router) { client in
            let ingest = try await client.token(world.contoso)
            var db = record("m1", title: "db alert", severity: "High")
            db["device"] = ["hostname": "db-1", "domain": "corp.example", "tags": ["prod"], "osPlatform": "Linux"]
            var ws = record("m2", title: "ws alert", severity: "Low")
            ws["device"] = ["hostname": "ws-9", "domain": "corp.example", "osPlatform": "Windows11"]
            var ws2 = record("m3", title: "ws second", severity: "Medium")
            ws2["device"] = ["hostname": "ws-9", "domain": "corp.example", "osPlatform": "Windows11"]
            _ = try await client.json("/ingest/v1/alerts", token: ingest, method: .post, body: ingestBody([db, ws, ws2]))

            #expect(try await client.json("/api/machines", token: ingest).0 == .forbidden)
            _ = try await world.services.admin.grant(
                in: scope, clientID: world.contoso.clientID, permissions: ["Machine.Read.All"])
            let token = try await client.token(world.contoso)
            let (status, list) = try await client.json("/api/machines", token: token)
            #expect(status == .ok)
            #expect(values(list).map { $0["computerDnsName"] as? String } == ["db-1.corp.example", "ws-9.corp.example"])
            let first = try #require(values(list).first)
            #expect(first["riskScore"] as? String == "High")
            #expect(first["healthStatus"] as? String == "Active")
            #expect(first["rbacGroupName"] as? String == "Production")
            let productionID = try #require(first["rbacGroupId"] as? Int)
            #expect(first["machineTags"] as? [String] == ["prod"])
            #expect(values(list).last?["riskScore"] as? String == "Medium")

            for (filter, expected) in [
                ("osPlatform eq 'Linux'", ["db-1.corp.example"]),
                ("machineTags/any(t: t eq 'prod')", ["db-1.corp.example"]),
                ("riskScore eq 'medium'", ["ws-9.corp.example"]),
                ("rbacGroupId eq \(productionID)", ["db-1.corp.example"]),
                ("startswith(computerDnsName, 'WS')", ["ws-9.corp.example"]),
                ("lastSeen gt 2018-08-01Z and healthStatus eq 'Active'", ["db-1.corp.example", "ws-9.corp.example"]),
            ] {
                let (code, body) = try await client.json("/api/machines?$filter=\(encoded(filter))", token: token)
                #expect(code == .ok, "\(filter)")
                #expect(values(body).map { $0["computerDnsName"] as? String } == expected, "\(filter)")
            }
            let (bad, _) = try await client.json("/api/machines?$filter=\(encoded("riskScore eq 'Severe'"))", token: token)
            #expect(bad == .badRequest)

            let wsID = try #require(values(list).last?["id"] as? String)
            let (got, machine) = try await client.json("/api/machines/\(wsID)", token: token)
            #expect(got == .ok)
            #expect(
                DefenderMachineJSON.propertyNames
                    == Array(machine.keys).sorted { a, b in
                        DefenderMachineJSON.propertyNames.firstIndex(of: a)! < DefenderMachineJSON.propertyNames.firstIndex(
                            of: b)!
                    })
            let (_, alerts) = try await client.json("/api/machines/\(wsID)/alerts?$orderby=severity desc", token: token)
            #expect(values(alerts).map { $0["title"] as? String } == ["ws second", "ws alert"])
            let count = try await client.execute(
                uri: "/api/machines/\(wsID)/alerts/$count?$filter=\(encoded("severity eq 'Low'"))", method: .get,
                headers: [.authorization: "Bearer \(token)"])
            #expect(String(buffer: count.body) == "1")
            let alertID = try #require(values(alerts).first?["id"] as? String)
            let (_, owner) = try await client.json("/api/alerts/\(alertID)/machine", token: token)
            #expect(owner["id"] as? String == wsID)
            #expect(try await client.json("/api/machines/nope", token: token).0 == .notFound)
            #expect(try await client.json("/api/machines/nope/alerts", token: token).0 == .notFound)

            // Another tenant's machines do not exist for this one.
            let (_, theirs) = try await client.json("/api/machines/\(wsID)", token: try await client.token(world.fabrikam))
            #expect(theirs["id"] == nil)
        }
    }

    @Test func relatedEntitiesComeFromTheAlertsEvidence() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let token = try await client.token(world.contoso)
            var item = record("r1")
            item["relatedUser"] = ["userName": "bob", "domainName": "CORP"]
            item["evidence"] = [
                ["entityType": "File", "fileName": "x.dll", "sha256": String(repeating: "a", count: 64)],
                ["entityType": "Ip", "ipAddress": "203.0.113.9"], ["entityType": "Ip", "ipAddress": "203.0.113.9"],
                ["entityType": "Url", "url": "https://Evil.example/path?q=1"],
            ]
            let (_, ingested) = try await client.json("/ingest/v1/alerts", token: token, method: .post, body: ingestBody([item]))
            let id = try #require((ingested["results"] as? [[String: Any]])?.first?["alertId"] as? String)
            // As in Defender, each kind of related entity has its own permission; reading alerts is not enough.
            for kind in ["user", "files", "ips", "domains"] {
                #expect(try await client.json("/api/alerts/\(id)/\(kind)", token: token).0 == .forbidden, "\(kind)")
            }
            _ = try await world.services.admin.grant(
                in: DirectoryService.hostScope(world.contoso.tenant.id), clientID: world.contoso.clientID,
                permissions: ["File.Read.All"])
            let filesOnly = try await client.token(world.contoso)
            #expect(try await client.json("/api/alerts/\(id)/files", token: filesOnly).0 == .ok)
            #expect(try await client.json("/api/alerts/\(id)/ips", token: filesOnly).0 == .forbidden)
            _ = try await world.services.admin.grant(
                in: DirectoryService.hostScope(world.contoso.tenant.id), clientID: world.contoso.clientID,
                permissions: ["User.Read.All", "Ip.Read.All", "URL.Read.All"])
            let profiles = try await client.token(world.contoso)
            let (_, user) = try await client.json("/api/alerts/\(id)/user", token: profiles)
            #expect(user["id"] as? String == "CORP\\bob")
            let (_, files) = try await client.json("/api/alerts/\(id)/files", token: profiles)
            #expect((files["value"] as? [[String: Any]])?.map { $0["sha256"] as? String } == [String(repeating: "a", count: 64)])
            let (_, ips) = try await client.json("/api/alerts/\(id)/ips", token: profiles)
            #expect((ips["value"] as? [[String: Any]])?.map { $0["id"] as? String } == ["203.0.113.9"])
            let (_, domains) = try await client.json("/api/alerts/\(id)/domains", token: profiles)
            #expect((domains["value"] as? [[String: Any]])?.map { $0["host"] as? String } == ["evil.example"])
            #expect(try await client.json("/api/alerts/nope/ips", token: profiles).0 == .notFound)
        }
    }
}
