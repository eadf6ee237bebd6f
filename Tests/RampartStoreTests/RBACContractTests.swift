import Foundation
import RampartCore
import RampartStore
import Testing

@Suite struct RBACContractTests {
    func deviceGroup(_ tenant: TenantID, _ name: String, rank: Int, rules: DeviceGroupRules, access: Set<ObjectID> = [])
        -> DeviceGroup
    {
        DeviceGroup(
            id: .random(), tenantID: tenant, name: name, rank: rank, description: "", remediationLevel: .fullRemediation,
            rules: rules, userGroupIDs: access, isDefault: false)
    }

    @Test(arguments: TestDatabase.available) func ingestPlacesDevicesAndGroupChangesMoveThem(database: TestDatabase) async throws
    {
        let db = try await database.open()
        let rbac = RBACRepository(db: db)
        let alerts = AlertRepository(db: db)
        let tenant = try await makeTenant(DirectoryRepository(db: db))
        let scope = ingestScope(tenant.id)

        _ = try await alerts.ingest([submission("a", host: "web-1"), submission("b", host: "db-1")], scope: scope, now: .now())
        #expect(try await alerts.list(scope, AlertListQuery(top: 10)).allSatisfy { $0.rbacGroupName == DeviceGroup.defaultName })

        let web = deviceGroup(tenant.id, "Web servers", rank: 1, rules: DeviceGroupRules(names: ["web-*"]))
        #expect(try await rbac.save(web) == 1)
        var byTitle = Dictionary(
            uniqueKeysWithValues: try await alerts.list(scope, AlertListQuery(top: 10)).map { ($0.sourceID, $0) })
        #expect(byTitle["a"]?.rbacGroupName == "Web servers")
        #expect(byTitle["b"]?.rbacGroupName == DeviceGroup.defaultName)

        // A new alert on a matching device lands in the group at once.
        _ = try await alerts.ingest([submission("c", host: "web-2")], scope: scope, now: .now())
        byTitle = Dictionary(
            uniqueKeysWithValues: try await alerts.list(scope, AlertListQuery(top: 10)).map { ($0.sourceID, $0) })
        #expect(byTitle["c"]?.rbacGroupName == "Web servers")

        // A higher-ranked group takes devices from a lower one.
        let all = deviceGroup(tenant.id, "Everything", rank: 1, rules: DeviceGroupRules(domains: ["corp.example"]))
        #expect(try await rbac.save(all) == 3)
        let groups = try await rbac.deviceGroups(tenantID: tenant.id)
        #expect(groups.map(\.name) == ["Everything", "Web servers", DeviceGroup.defaultName])
        #expect(groups.map(\.rank) == [1, 2, 3])
        #expect(try await alerts.list(scope, AlertListQuery(top: 10)).allSatisfy { $0.rbacGroupName == "Everything" })

        // Deleting it moves the devices back; renaming carries the new name to devices and alerts.
        #expect(try await rbac.deleteDeviceGroup(id: all.id, tenantID: tenant.id))
        var renamed = web
        renamed.name = "Web tier"
        renamed.rank = 1
        try await rbac.save(renamed)
        byTitle = Dictionary(
            uniqueKeysWithValues: try await alerts.list(scope, AlertListQuery(top: 10)).map { ($0.sourceID, $0) })
        #expect(byTitle["a"]?.rbacGroupName == "Web tier")
        #expect(byTitle["b"]?.rbacGroupName == DeviceGroup.defaultName)

        let defaultGroup = try #require(try await rbac.deviceGroups(tenantID: tenant.id).first(where: \.isDefault))
        await #expect(throws: RampartError.self) {
            _ = try await rbac.deleteDeviceGroup(id: defaultGroup.id, tenantID: tenant.id)
        }
        #expect(
            try await rbac.preview(DeviceGroupRules(names: ["web-*"]), tenantID: tenant.id).map(\.computerDnsName)
                == ["web-1.corp.example", "web-2.corp.example"])
        try await db.close()
    }

    @Test(arguments: TestDatabase.available) func membersSeeOnlyTheirDeviceGroupsAlerts(database: TestDatabase) async throws {
        let db = try await database.open()
        let directory = DirectoryRepository(db: db)
        let rbac = RBACRepository(db: db)
        let alerts = AlertRepository(db: db)
        let tenant = try await makeTenant(directory)
        let soc = SecurityGroup(id: .random(), tenantID: tenant.id, name: "SOC", description: "", createdAt: .now())
        let finance = SecurityGroup(id: .random(), tenantID: tenant.id, name: "Finance IT", description: "", createdAt: .now())
        try await directory.createGroup(soc)
        try await directory.createGroup(finance)
        let analyst = User(
            id: .random(), tenantID: tenant.id, userPrincipalName: "analyst@\(tenant.domain)", displayName: "A", role: .member,
            enabled: true, createdAt: .now())
        try await directory.createUser(analyst, passwordHash: "x")
        _ = try await directory.addMember(groupID: soc.id, userID: analyst.id)
        try await rbac.save(
            Role(
                id: .random(), tenantID: tenant.id, name: "Tier 1", description: "", permissions: [.viewSecurityOperations],
                groupIDs: [soc.id]))
        try await rbac.save(deviceGroup(tenant.id, "Web", rank: 1, rules: DeviceGroupRules(names: ["web-*"]), access: [soc.id]))
        try await rbac.save(
            deviceGroup(tenant.id, "Finance", rank: 2, rules: DeviceGroupRules(names: ["fin-*"]), access: [finance.id]))
        // The default group has no user groups: visible to everyone with portal access.
        let ingested = try await alerts.ingest(
            [submission("w", host: "web-1"), submission("f", host: "fin-1"), submission("o", host: "other-1")],
            scope: ingestScope(tenant.id), now: .now())
        let scope = try #require(try await rbac.scope(for: analyst))
        #expect(scope.allows(.readAlerts))
        let visible = try await alerts.list(scope, AlertListQuery(top: 10)).map(\.sourceID).sorted()
        #expect(visible == ["o", "w"])
        #expect(try await alerts.count(scope) == 2)
        guard case .created(let financeAlert) = ingested[1] else { return }
        #expect(try await alerts.get(scope, id: financeAlert) == nil)

        // Joining the finance group widens the scope on the next resolution.
        _ = try await directory.addMember(groupID: finance.id, userID: analyst.id)
        #expect(try await alerts.count(try #require(try await rbac.scope(for: analyst))) == 3)
        try await db.close()
    }
}
