import PropertyBased
import RampartCore
import Testing

@Suite struct RBACTests {
    let tenant = TenantID.random()

    func user(_ role: UserRole = .member, enabled: Bool = true) -> User {
        User(
            id: .random(), tenantID: tenant, userPrincipalName: "u@t.example", displayName: "U", role: role, enabled: enabled,
            createdAt: .now())
    }

    func group(_ name: String, rank: Int, rules: DeviceGroupRules, access: Set<ObjectID> = [], isDefault: Bool = false)
        -> DeviceGroup
    {
        DeviceGroup(
            id: .random(), tenantID: tenant, name: name, rank: rank, description: "", remediationLevel: .fullRemediation,
            rules: rules, userGroupIDs: access, isDefault: isDefault)
    }

    @Test func rulesAreOrWithinAPropertyAndAcrossPropertiesAnd() {
        let rules = DeviceGroupRules(names: ["web-*", "db-1"], domains: ["corp.example"], tags: ["prod"])
        #expect(rules.matches(DeviceAttributes(name: "WEB-7", domain: "Corp.Example", tags: ["prod", "x"], osPlatform: "Linux")))
        #expect(rules.matches(DeviceAttributes(name: "db-1", domain: "corp.example", tags: ["prod"], osPlatform: nil)))
        #expect(!rules.matches(DeviceAttributes(name: "db-2", domain: "corp.example", tags: ["prod"], osPlatform: nil)))
        #expect(!rules.matches(DeviceAttributes(name: "web-1", domain: "lab.example", tags: ["prod"], osPlatform: nil)))
        #expect(!rules.matches(DeviceAttributes(name: "web-1", domain: "corp.example", tags: [], osPlatform: nil)))
        #expect(!DeviceGroupRules().matches(DeviceAttributes(name: "any", domain: nil, tags: [], osPlatform: nil)))
    }

    @Test func rulesRefuseMoreThanTenValues() {
        #expect(throws: RampartError.self) { try DeviceGroupRules(tags: (0...10).map { "t\($0)" }).validate() }
        #expect(throws: RampartError.self) { try DeviceGroupRules(names: [" "]).validate() }
        #expect(throws: Never.self) { try DeviceGroupRules(tags: (0..<10).map { "t\($0)" }).validate() }
    }

    @Test func aDeviceGoesToTheHighestRankedMatchingGroupElseTheDefault() async {
        let all = DeviceGroupRules(names: ["*"])
        await propertyCheck(count: 300, input: Gen.int(in: 1...6), Gen.int(in: 0...63)) { count, matchMask in
            var groups = (1...count).map { rank in
                group("g\(rank)", rank: rank, rules: matchMask & (1 << rank) != 0 ? all : DeviceGroupRules(names: ["nomatch"]))
            }
            groups.append(group(DeviceGroup.defaultName, rank: count + 1, rules: DeviceGroupRules(), isDefault: true))
            let device = DeviceAttributes(name: "host", domain: nil, tags: [], osPlatform: nil)
            let placed = DeviceGroup.placement(of: device, in: groups.shuffled())
            let expected = (1...count).first { matchMask & (1 << $0) != 0 }.map { "g\($0)" } ?? DeviceGroup.defaultName
            #expect(placed?.name == expected)
        }
    }

    @Test func membersGetTheirRolesPermissionsAndTheirDeviceGroups() {
        let soc = ObjectID.random()
        let other = ObjectID.random()
        let roles = [
            Role(
                id: .random(), tenantID: tenant, name: "Tier 1", description: "", permissions: [.viewSecurityOperations],
                groupIDs: [soc]),
            Role(
                id: .random(), tenantID: tenant, name: "Tier 2", description: "",
                permissions: [.viewSecurityOperations, .alertsInvestigation], groupIDs: [other]),
        ]
        let groups = [
            group("Servers", rank: 1, rules: DeviceGroupRules(tags: ["server"]), access: [soc]),
            group("Finance", rank: 2, rules: DeviceGroupRules(tags: ["fin"]), access: [other]),
            group(DeviceGroup.defaultName, rank: 3, rules: DeviceGroupRules(), isDefault: true),
        ]
        let scope = UserAccess.scope(user: user(), memberOf: [soc], roles: roles, deviceGroups: groups)
        #expect(scope.allows(.readAlerts))
        #expect(!scope.allows(.writeAlerts))
        #expect(!scope.allows(.managePortalSettings))
        #expect(scope.deviceGroups == .only(["Servers", DeviceGroup.defaultName]))

        let nobody = UserAccess.scope(user: user(), memberOf: [], roles: roles, deviceGroups: groups)
        #expect(nobody.capabilities.isEmpty)
        let admin = UserAccess.scope(user: user(.admin), memberOf: [], roles: [], deviceGroups: groups)
        #expect(admin.deviceGroups == .all)
        #expect(admin.capabilities == Capability.administrator)
        let disabled = UserAccess.scope(user: user(.admin, enabled: false), memberOf: [soc], roles: roles, deviceGroups: groups)
        #expect(disabled.capabilities.isEmpty)
        #expect(disabled.deviceGroups == .only([]))
    }

    /// The access model against a reference written the plain way, over random worlds.
    @Test func accessMatchesTheReferenceModel() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...255), Gen.int(in: 0...255), Gen.int(in: 0...15)) {
            roleMask, accessMask, memberMask in
            let userGroups = (0..<4).map { _ in ObjectID.random() }
            let member = Set(userGroups.enumerated().filter { memberMask & (1 << $0.offset) != 0 }.map(\.element))
            let permissions = RolePermission.allCases
            let roles = (0..<4).map { index in
                Role(
                    id: .random(), tenantID: tenant, name: "r\(index)", description: "",
                    permissions: Set(
                        permissions.enumerated().filter { roleMask & (1 << (($0.offset + index) % 8)) != 0 }.map(\.element)),
                    groupIDs: [userGroups[index]])
            }
            let deviceGroups = (0..<4).map { index in
                group(
                    "d\(index)", rank: index + 1, rules: DeviceGroupRules(names: ["x"]),
                    access: Set(
                        userGroups.enumerated().filter { accessMask & (1 << (($0.offset + index * 2) % 8)) != 0 }.map(\.element)))
            }
            let scope = UserAccess.scope(user: user(), memberOf: member, roles: roles, deviceGroups: deviceGroups)
            var expectedPermissions: Set<RolePermission> = []
            for role in roles where role.groupIDs.contains(where: member.contains) {
                expectedPermissions.formUnion(role.permissions)
            }
            #expect(scope.allows(.readAlerts) == expectedPermissions.contains(.viewSecurityOperations))
            #expect(scope.allows(.writeAlerts) == expectedPermissions.contains(.alertsInvestigation))
            #expect(scope.allows(.manageSecuritySettings) == expectedPermissions.contains(.manageSecuritySettings))
            #expect(!scope.allows(.manageDirectory))
            var expectedGroups: Set<String> = []
            for deviceGroup in deviceGroups
            where deviceGroup.userGroupIDs.isEmpty || deviceGroup.userGroupIDs.contains(where: member.contains) {
                expectedGroups.insert(deviceGroup.name)
            }
            #expect(scope.deviceGroups == .only(expectedGroups))
        }
    }
}
