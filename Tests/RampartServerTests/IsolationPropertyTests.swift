import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PropertyBased
import RampartCore
import RampartIdentity
import RampartServer
import RampartTestSupport
import Testing

/// Random worlds of users, groups, roles and device groups; every user reads alerts through HTTP with a user token,
/// and what they get must equal what a plain reference model says they may see. Another tenant's alerts never show.
@Suite struct IsolationPropertyTests {
    struct World {
        var memberships: [[Bool]]  // user × group
        var roleGrantsView: [Bool]  // per group: does the group hold a role with View data
        var deviceGroupAccess: [[Bool]]  // device group × user group
        var alertTags: [Int]  // per alert: 0, 1 or 2 (no tag → default group)
    }

    static func world(_ seed: Int) -> World {
        var generator = SplitMix(seed: UInt64(bitPattern: Int64(seed)))
        func flip() -> Bool { generator.next() % 2 == 0 }
        return World(
            memberships: (0..<3).map { _ in (0..<3).map { _ in flip() } },
            roleGrantsView: (0..<3).map { _ in flip() },
            deviceGroupAccess: (0..<2).map { _ in (0..<3).map { _ in flip() } },
            alertTags: (0..<6).map { _ in Int(generator.next() % 3) })
    }

    /// What user `u` may list: nothing without View data; else alerts in device groups open to all or to one of their groups.
    static func expected(_ world: World, user u: Int) -> Set<Int>? {
        let groups = (0..<3).filter { world.memberships[u][$0] }
        guard groups.contains(where: { world.roleGrantsView[$0] }) else { return nil }
        var visible: Set<Int> = []
        for (index, tag) in world.alertTags.enumerated() {
            if tag == 2 {
                visible.insert(index)  // default group: no user groups assigned
                continue
            }
            // Only role-holding groups can be given access.
            let access = (0..<3).filter { world.deviceGroupAccess[tag][$0] && world.roleGrantsView[$0] }
            if access.isEmpty || access.contains(where: groups.contains) { visible.insert(index) }
        }
        return visible
    }

    @Test func usersSeeExactlyWhatTheReferenceModelAllows() async throws {
        await propertyCheck(count: 40, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            do {
                try await check(Self.world(seed))
            } catch {
                Issue.record("world \(seed) failed: \(error)")
            }
        }
    }

    func check(_ world: World) async throws {
        let test = try await TestWorld()
        let scope = DirectoryService.hostScope(test.contoso.tenant.id)
        let admin = test.services.admin
        let access = test.services.access
        let password = "correct-horse-battery"
        for u in 0..<3 {
            _ = try await admin.createUser(
                in: scope, userPrincipalName: "u\(u)@contoso.example", displayName: "", role: .member, password: password)
        }
        for g in 0..<3 {
            _ = try await admin.createGroup(in: scope, name: "g\(g)", description: "")
            for u in 0..<3 where world.memberships[u][g] {
                _ = try await admin.addMember(in: scope, group: "g\(g)", user: "u\(u)@contoso.example")
            }
            let permissions = world.roleGrantsView[g] ? ["ViewData.SecurityOperations"] : ["ManageSecuritySettings"]
            _ = try await access.saveRole(
                in: scope, RoleInput(name: "r\(g)", description: nil, permissions: permissions, groups: ["g\(g)"]))
        }
        for d in 0..<2 {
            let groups = (0..<3).filter { world.deviceGroupAccess[d][$0] && world.roleGrantsView[$0] }.map { "g\($0)" }
            _ = try await access.saveDeviceGroup(
                in: scope,
                DeviceGroupInput(
                    name: "d\(d)", rank: nil, description: nil, remediationLevel: nil, rules: DeviceGroupRules(tags: ["t\(d)"]),
                    userGroups: groups))
        }
        try await test.application().test(.router) { client in
            let ingest = try await client.token(test.contoso)
            let records: [[String: Any]] = world.alertTags.enumerated().map { index, tag in
                var item = record("a\(index)", title: "alert-\(index)")
                item["device"] = ["hostname": "h\(index)", "domain": "corp.example", "tags": tag < 2 ? ["t\(tag)"] : []]
                return item
            }
            _ = try await client.json("/ingest/v1/alerts", token: ingest, method: .post, body: ingestBody(records))
            let foreign = try await client.json(
                "/ingest/v1/alerts", token: try await client.token(test.fabrikam), method: .post,
                body: ingestBody([record("x", title: "alert-foreign")]))
            let foreignID = (foreign.1["results"] as? [[String: Any]])?.first?["alertId"] as? String ?? ""

            for u in 0..<3 {
                let response = try await client.form(
                    "/contoso.example/oauth2/v2.0/token",
                    [
                        "grant_type": "password", "client_id": TokenService.publicClientID.description,
                        "username": "u\(u)@contoso.example", "password": password,
                        "scope": "https://api.securitycenter.microsoft.com/.default",
                    ])
                let token =
                    (try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])?[
                        "access_token"]
                    as? String ?? ""
                let (status, list) = try await client.json("/api/alerts", token: token)
                let expected = Self.expected(world, user: u)
                if let expected {
                    #expect(status == .ok)
                    let titles = Set((list["value"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String })
                    #expect(titles == Set(expected.map { "alert-\($0)" }), "user u\(u) in \(world)")
                } else {
                    #expect(status == .forbidden, "user u\(u) without View data in \(world)")
                }
                let (foreignStatus, _) = try await client.json("/api/alerts/\(foreignID)", token: token)
                #expect(foreignStatus == (expected == nil ? .forbidden : .notFound))
            }
        }
    }
}
