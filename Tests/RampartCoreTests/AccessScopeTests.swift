import PropertyBased
import RampartCore
import Testing

@Suite struct AccessScopeTests {
    let tenant = TenantID.random()
    let client = ObjectID.random()

    /// What each application permission allows, written out here apart from the code.
    static let expected: [AppPermission: Set<Capability>] = [
        .alertReadAll: [.readAlerts], .alertReadWriteAll: [.readAlerts, .writeAlerts], .machineReadAll: [.readMachines],
        .machineReadWriteAll: [.readMachines, .tagDevices], .alertIngest: [.ingestAlerts], .fileReadAll: [.readFileProfiles],
        .ipReadAll: [.readIPProfiles], .urlReadAll: [.readURLProfiles], .userReadAll: [.readUserProfiles],
        .securityAlertReadAll: [.readAlerts], .securityAlertReadWriteAll: [.readAlerts, .writeAlerts],
        .incidentReadAll: [.readIncidents], .incidentReadWriteAll: [.readIncidents, .writeIncidents],
    ]
    static let capabilities: [Capability] = [
        .readAlerts, .writeAlerts, .readMachines, .ingestAlerts, .readFileProfiles, .readIPProfiles, .readURLProfiles,
        .readUserProfiles, .manageDirectory, .managePortalSettings, .manageSecuritySettings, .manageEntitlements,
        .readIncidents, .writeIncidents, .tagDevices,
    ]

    @Test func appScopeIsTheIntersectionOfTokenRolesAndCurrentGrants() async {
        let all = AppPermission.allCases
        #expect(Set(all) == Set(Self.expected.keys), "every permission has its expectation")
        let full = (1 << all.count) - 1
        await propertyCheck(count: 500, input: Gen.int(in: 0...full), Gen.int(in: 0...full)) { grantedMask, roleMask in
            let granted = Set(all.enumerated().filter { grantedMask & (1 << $0.offset) != 0 }.map(\.element))
            let roles = Set(all.enumerated().filter { roleMask & (1 << $0.offset) != 0 }.map(\.element.rawValue))
            let scope = AccessScope.app(clientID: client, tenantID: tenant, grantedNow: granted, tokenRoles: roles)
            let effective = granted.filter { roles.contains($0.rawValue) }
            let allowed = effective.reduce(into: Set<Capability>()) { $0.formUnion(Self.expected[$1] ?? []) }
            for capability in Self.capabilities {
                #expect(scope.allows(capability) == allowed.contains(capability), "\(capability)")
            }
            #expect(scope.tenantID == tenant)
        }
    }

    @Test func revokedGrantRemovesAccessEvenWithTheRoleInTheToken() {
        let scope = AccessScope.app(clientID: client, tenantID: tenant, grantedNow: [], tokenRoles: ["Alert.Read.All"])
        #expect(throws: RampartError.self) { try scope.require(.readAlerts) }
    }

    @Test func lenientPermissionNamesAcceptDefendersTypo() {
        #expect(AppPermission(lenient: "Alerts.ReadWrite.All") == .alertReadWriteAll)
        #expect(AppPermission(lenient: "Alert.Write.All") == nil)
    }
}
