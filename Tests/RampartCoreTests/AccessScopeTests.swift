import PropertyBased
import RampartCore
import Testing

@Suite struct AccessScopeTests {
    let tenant = TenantID.random()
    let client = ObjectID.random()

    @Test func appScopeIsTheIntersectionOfTokenRolesAndCurrentGrants() async {
        let all = AppPermission.allCases
        await propertyCheck(count: 300, input: Gen.int(in: 0...15), Gen.int(in: 0...15)) { grantedMask, roleMask in
            let granted = Set(all.enumerated().filter { grantedMask & (1 << $0.offset) != 0 }.map(\.element))
            let roles = Set(all.enumerated().filter { roleMask & (1 << $0.offset) != 0 }.map(\.element.rawValue))
            let scope = AccessScope.app(clientID: client, tenantID: tenant, grantedNow: granted, tokenRoles: roles)
            let effective = granted.filter { roles.contains($0.rawValue) }
            #expect(scope.allows(.readAlerts) == (effective.contains(.alertReadAll) || effective.contains(.alertReadWriteAll)))
            #expect(scope.allows(.writeAlerts) == effective.contains(.alertReadWriteAll))
            #expect(scope.allows(.ingestAlerts) == effective.contains(.alertIngest))
            #expect(scope.allows(.readMachines) == effective.contains(.machineReadAll))
            #expect(!scope.allows(.manageDirectory))
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
