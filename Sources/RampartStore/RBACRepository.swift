import Foundation
import RampartCore

/// Roles, device groups, their user access, and the placement of devices in device groups.
public struct RBACRepository: Sendable {
    let db: any SQLExecutor

    public init(db: any SQLExecutor) { self.db = db }

    // MARK: Roles

    public func roles(tenantID: TenantID) async throws -> [Role] {
        try await Self.roles(db, tenantID: tenantID)
    }

    static func roles(_ db: any SQLQuerying, tenantID: TenantID) async throws -> [Role] {
        try await roles(db, tenants: "= \(bind: tenantID)")
    }

    /// The roles of every tenant whose id matches `tenants` (`= ?` or `IN (…)`), in one pass.
    static func roles(_ db: any SQLQuerying, tenants: SQL) async throws -> [Role] {
        var roles = try await db.query("SELECT * FROM roles WHERE tenant_id \(tenants) ORDER BY name").map { row in
            Role(
                id: try row.objectID("id"), tenantID: try row.tenantID("tenant_id"), name: try row.string("name"),
                description: try row.string("description"),
                permissions: Set(
                    try AlertRepository.stringArray(row.string("permissions")).compactMap(RolePermission.init(rawValue:))),
                groupIDs: [])
        }
        let links = try await db.query(
            """
            SELECT rg.role_id, rg.group_id FROM role_groups rg JOIN roles r ON r.id = rg.role_id
            WHERE r.tenant_id \(tenants)
            """)
        var byRole: [String: Set<ObjectID>] = [:]
        for row in links { byRole[try row.string("role_id"), default: []].insert(try row.objectID("group_id")) }
        for index in roles.indices { roles[index].groupIDs = byRole[roles[index].id.description] ?? [] }
        return roles
    }

    /// Inserts or replaces a role and its group assignments.
    public func save(_ role: Role, audit: AuditEntry? = nil) async throws {
        try await db.transaction { db in
            if let audit { try await AuditRepository.append(audit, in: db) }
            let existing = try await db.queryOne("SELECT id FROM roles WHERE id = \(bind: role.id)")
            let permissions = try encode(role.permissions.map(\.rawValue).sorted())
            if existing == nil {
                try await db.execute(
                    """
                    INSERT INTO roles (id, tenant_id, name, description, permissions, created_at)
                    VALUES (\(bind: role.id), \(bind: role.tenantID), \(bind: role.name), \(bind: role.description),
                            \(bind: permissions), \(bind: Timestamp.now()))
                    """)
            } else {
                try await db.execute(
                    """
                    UPDATE roles SET name = \(bind: role.name), description = \(bind: role.description),
                        permissions = \(bind: permissions) WHERE id = \(bind: role.id) AND tenant_id = \(bind: role.tenantID)
                    """)
            }
            try await db.execute("DELETE FROM role_groups WHERE role_id = \(bind: role.id)")
            for group in role.groupIDs.sorted(by: { $0.description < $1.description }) {
                try await db.execute("INSERT INTO role_groups (role_id, group_id) VALUES (\(bind: role.id), \(bind: group))")
            }
        }
    }

    public func deleteRole(id: ObjectID, tenantID: TenantID, audit: AuditEntry? = nil) async throws -> Bool {
        try await db.transaction { db in
            guard try await db.queryOne("SELECT id FROM roles WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)") != nil
            else { return false }
            if let audit { try await AuditRepository.append(audit, in: db) }
            try await db.execute("DELETE FROM role_groups WHERE role_id = \(bind: id)")
            try await db.execute("DELETE FROM roles WHERE id = \(bind: id)")
            return true
        }
    }

    // MARK: Device groups

    /// The tenant's device groups by rank, the default group last; creates the default group on first use.
    public func deviceGroups(tenantID: TenantID) async throws -> [DeviceGroup] {
        let groups = try await Self.deviceGroups(db, tenantID: tenantID)
        if groups.contains(where: \.isDefault) { return groups }
        return try await db.transaction { db in
            try await Self.ensureDefault(db, tenantID: tenantID)
            return try await Self.deviceGroups(db, tenantID: tenantID)
        }
    }

    static func deviceGroups(_ db: any SQLQuerying, tenantID: TenantID) async throws -> [DeviceGroup] {
        try await deviceGroups(db, tenants: "= \(bind: tenantID)")
    }

    /// The device groups of every tenant whose id matches `tenants`, each tenant's in evaluation order. Without
    /// `rules` the placement rules are left empty: resolving a scope needs only names and user access.
    static func deviceGroups(_ db: any SQLQuerying, tenants: SQL, rules: Bool = true) async throws -> [DeviceGroup] {
        var groups = try await db.query(
            "SELECT * FROM device_groups WHERE tenant_id \(tenants) ORDER BY tenant_id, is_default, rank, name"
        ).map { row in
            DeviceGroup(
                id: try row.objectID("id"), tenantID: try row.tenantID("tenant_id"), name: try row.string("name"),
                rank: Int(try row.int("rank")), description: try row.string("description"),
                remediationLevel: RemediationLevel(rawValue: try row.string("remediation_level")) ?? .noAutomatedResponse,
                rules: rules ? try decode(DeviceGroupRules.self, row.string("rules")) : DeviceGroupRules(), userGroupIDs: [],
                isDefault: try row.bool("is_default"))
        }
        let links = try await db.query(
            """
            SELECT a.device_group_id, a.group_id FROM device_group_access a
            JOIN device_groups d ON d.id = a.device_group_id WHERE d.tenant_id \(tenants)
            """)
        var byGroup: [String: Set<ObjectID>] = [:]
        for row in links { byGroup[try row.string("device_group_id"), default: []].insert(try row.objectID("group_id")) }
        for index in groups.indices { groups[index].userGroupIDs = byGroup[groups[index].id.description] ?? [] }
        return groups
    }

    /// Defender's integer `rbacGroupId`: the next number after the tenant's highest.
    static func nextNumber(_ tenantID: TenantID) -> SQL {
        "(SELECT COALESCE(MAX(number), 0) + 1 FROM device_groups WHERE tenant_id = \(bind: tenantID))"
    }

    static func ensureDefault(_ db: any SQLQuerying, tenantID: TenantID) async throws {
        let check: SQL = "SELECT id FROM device_groups WHERE tenant_id = \(bind: tenantID) AND is_default = 1"
        guard try await db.queryOne(check) == nil else { return }
        // Only the first use in a tenant takes the lock, so that two processes create one default group.
        if db.dialect == .postgres { try await db.execute("SELECT pg_advisory_xact_lock(727276)") }
        guard try await db.queryOne(check) == nil else { return }
        try await db.execute(
            """
            INSERT INTO device_groups (id, tenant_id, name, rank, description, remediation_level, rules, is_default, created_at,
                number)
            VALUES (\(bind: ObjectID.random()), \(bind: tenantID), \(bind: DeviceGroup.defaultName), 1,
                    \(bind: "Devices that match no other group."), \(bind: RemediationLevel.noAutomatedResponse.rawValue),
                    \(bind: try encode(DeviceGroupRules())), 1, \(bind: Timestamp.now()), \(Self.nextNumber(tenantID)))
            """)
    }

    /// Inserts or replaces a device group, renumbers the ranks and places every device of the tenant again,
    /// all in one transaction. Returns how many devices changed group.
    @discardableResult
    public func save(_ group: DeviceGroup, audit: AuditEntry? = nil) async throws -> Int {
        try await db.transaction { db in
            if let audit { try await AuditRepository.append(audit, in: db) }
            try await Self.ensureDefault(db, tenantID: group.tenantID)
            var groups = try await Self.deviceGroups(db, tenantID: group.tenantID)
            let previous = groups.first { $0.id == group.id }
            groups.removeAll { $0.id == group.id }
            var saved = group
            saved.isDefault = previous?.isDefault ?? false
            let rules = try encode(saved.rules)
            if previous == nil {
                try await db.execute(
                    """
                    INSERT INTO device_groups (id, tenant_id, name, rank, description, remediation_level, rules, is_default,
                        created_at, number)
                    VALUES (\(bind: saved.id), \(bind: saved.tenantID), \(bind: saved.name), \(bind: saved.rank),
                            \(bind: saved.description), \(bind: saved.remediationLevel.rawValue), \(bind: rules), 0,
                            \(bind: Timestamp.now()), \(Self.nextNumber(saved.tenantID)))
                    """)
            } else {
                try await db.execute(
                    """
                    UPDATE device_groups SET name = \(bind: saved.name), description = \(bind: saved.description),
                        remediation_level = \(bind: saved.remediationLevel.rawValue), rules = \(bind: rules)
                    WHERE id = \(bind: saved.id)
                    """)
            }
            try await db.execute("DELETE FROM device_group_access WHERE device_group_id = \(bind: saved.id)")
            for userGroup in saved.userGroupIDs.sorted(by: { $0.description < $1.description }) {
                try await db.execute(
                    "INSERT INTO device_group_access (device_group_id, group_id) VALUES (\(bind: saved.id), \(bind: userGroup))")
            }
            // The new or moved group takes its rank; the others keep their order around it.
            var ordered = groups.filter { !$0.isDefault }.sorted { ($0.rank, $0.name) < ($1.rank, $1.name) }
            if !saved.isDefault {
                ordered.insert(saved, at: min(max(saved.rank - 1, 0), ordered.count))
            }
            for (index, item) in ordered.enumerated() {
                try await db.execute("UPDATE device_groups SET rank = \(bind: index + 1) WHERE id = \(bind: item.id)")
            }
            try await db.execute(
                """
                UPDATE device_groups SET rank = \(bind: ordered.count + 1)
                WHERE tenant_id = \(bind: saved.tenantID) AND is_default = 1
                """)
            if let previous, previous.name != saved.name {
                try await db.execute(
                    "UPDATE devices SET rbac_group_name = \(bind: saved.name) WHERE tenant_id = \(bind: saved.tenantID) AND rbac_group_name = \(bind: previous.name)"
                )
                try await db.execute(
                    "UPDATE alerts SET rbac_group_name = \(bind: saved.name) WHERE tenant_id = \(bind: saved.tenantID) AND rbac_group_name = \(bind: previous.name)"
                )
            }
            return try await Self.placeDevices(db, tenantID: saved.tenantID)
        }
    }

    /// Deletes a device group (never the default); its devices move to the groups that now match.
    public func deleteDeviceGroup(id: ObjectID, tenantID: TenantID, audit: AuditEntry? = nil) async throws -> Bool {
        try await db.transaction { db in
            guard
                let row = try await db.queryOne(
                    "SELECT is_default, name FROM device_groups WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)")
            else { return false }
            guard try !row.bool("is_default") else {
                throw RampartError.invalidInput(
                    code: "DisallowedOperation", message: "The default device group cannot be deleted.")
            }
            try await NotificationRepository.removeDeviceGroup(
                db, groupID: id, groupName: try row.string("name"), tenantID: tenantID,
                audit: audit
                    ?? AuditEntry(
                        tenantID: tenantID, actor: "rampart", actorTenantID: tenantID, action: "", target: "", details: "",
                        requestID: nil, time: .now()))
            try await db.execute("DELETE FROM device_group_access WHERE device_group_id = \(bind: id)")
            try await db.execute("DELETE FROM device_groups WHERE id = \(bind: id)")
            let remaining = try await Self.deviceGroups(db, tenantID: tenantID).filter { !$0.isDefault }
            for (index, item) in remaining.enumerated() {
                try await db.execute("UPDATE device_groups SET rank = \(bind: index + 1) WHERE id = \(bind: item.id)")
            }
            try await db.execute(
                "UPDATE device_groups SET rank = \(bind: remaining.count + 1) WHERE tenant_id = \(bind: tenantID) AND is_default = 1"
            )
            _ = try await Self.placeDevices(db, tenantID: tenantID)
            return true
        }
    }

    /// Places every device of the tenant in its group and keeps its alerts' group name in step.
    static func placeDevices(_ db: any SQLQuerying, tenantID: TenantID) async throws -> Int {
        let groups = try await deviceGroups(db, tenantID: tenantID)
        var moved = 0
        for row in try await db.query("SELECT * FROM devices WHERE tenant_id = \(bind: tenantID)") {
            let device = try AlertRepository.device(row)
            let target = DeviceGroup.placement(of: DeviceAttributes(device: device), in: groups)?.name ?? DeviceGroup.defaultName
            guard target != device.rbacGroupName else { continue }
            moved += 1
            try await db.execute("UPDATE devices SET rbac_group_name = \(bind: target) WHERE id = \(bind: device.id)")
            try await db.execute(
                "UPDATE alerts SET rbac_group_name = \(bind: target) WHERE \(AlertRepository.onMachine(device.id))")
        }
        return moved
    }

    /// Up to `limit` devices of the tenant that the rules would match (before ranks are applied).
    public func preview(_ rules: DeviceGroupRules, tenantID: TenantID, limit: Int = 10) async throws -> [Device] {
        var matched: [Device] = []
        for row in try await db.query(
            "SELECT * FROM devices WHERE tenant_id = \(bind: tenantID) ORDER BY computer_dns_name")
        {
            let device = try AlertRepository.device(row)
            if rules.matches(DeviceAttributes(device: device)) {
                matched.append(device)
                if matched.count == limit { break }
            }
        }
        return matched
    }

    // MARK: Scope

    /// The groups a user belongs to.
    public func groupIDs(userID: ObjectID) async throws -> Set<ObjectID> {
        Set(
            try await db.query("SELECT group_id FROM group_members WHERE user_id = \(bind: userID)").map {
                try $0.objectID("group_id")
            })
    }

    /// The scope of a user acting in their tenant now, or `nil` when the user may not act there at all: a disabled
    /// account, or a guest whose home account is gone or disabled or who holds no live assignment.
    public func scope(for user: User, now: Timestamp = .now()) async throws -> AccessScope? {
        guard user.enabled else { return nil }
        guard let homeID = user.homeUserID else {
            let groups = try await groupIDs(userID: user.id)
            if user.role == .admin {
                return UserAccess.scope(user: user, memberOf: groups, roles: [], deviceGroups: [])
            }
            return UserAccess.scope(
                user: user, memberOf: groups, roles: try await roles(tenantID: user.tenantID),
                deviceGroups: try await deviceGroups(tenantID: user.tenantID))
        }
        guard let home = try await DirectoryRepository(db: db).user(id: homeID), home.enabled, !home.isGuest,
            let granted = try await EntitlementRepository(db: db).liveGroups(guestUserID: user.id, now: now)
        else { return nil }
        return UserAccess.scope(
            user: user, memberOf: granted.union(try await groupIDs(userID: user.id)),
            roles: try await roles(tenantID: user.tenantID), deviceGroups: try await deviceGroups(tenantID: user.tenantID),
            home: home)
    }
}

extension RBACRepository {
    /// The scope of each guest account of `home` that holds a live assignment now, keyed by tenant: what
    /// `scope(for:now:)` answers for each of them, in six queries however many tenants there are (an MSSP analyst
    /// with a thousand customers resolves them all for one queue page).
    public func guestScopes(home: User, now: Timestamp = .now()) async throws -> [TenantID: AccessScope] {
        guard home.enabled, !home.isGuest else { return [:] }
        let live: SQL = """
            IN (SELECT tenant_id FROM access_assignments
                WHERE home_user_id = \(bind: home.id) AND revoked_at IS NULL AND expires_at > \(bind: now))
            """
        var granted: [ObjectID: Set<ObjectID>] = [:]
        for row in try await db.query(
            """
            SELECT a.guest_user_id, g.group_id FROM access_assignments a
            LEFT JOIN access_package_groups g ON g.package_id = a.package_id
            WHERE a.home_user_id = \(bind: home.id) AND a.revoked_at IS NULL AND a.expires_at > \(bind: now)
            """)
        {
            let guest = try row.objectID("guest_user_id")
            granted[guest, default: []].formUnion(row.optionalString("group_id").flatMap(ObjectID.init).map { [$0] } ?? [])
        }
        guard !granted.isEmpty else { return [:] }
        var memberships: [ObjectID: Set<ObjectID>] = [:]
        for row in try await db.query(
            """
            SELECT m.user_id, m.group_id FROM group_members m JOIN users u ON u.id = m.user_id
            WHERE u.home_user_id = \(bind: home.id)
            """)
        {
            memberships[try row.objectID("user_id"), default: []].insert(try row.objectID("group_id"))
        }
        let roles = Dictionary(grouping: try await Self.roles(db, tenants: live), by: \.tenantID)
        var deviceGroups = Dictionary(
            grouping: try await Self.deviceGroups(db, tenants: live, rules: false), by: \.tenantID)
        var result: [TenantID: AccessScope] = [:]
        for row in try await db.query("SELECT * FROM users WHERE home_user_id = \(bind: home.id) AND tenant_id \(live)") {
            let guest = try DirectoryRepository.user(row)
            guard guest.enabled, let groups = granted[guest.id] else { continue }
            if deviceGroups[guest.tenantID]?.contains(where: \.isDefault) != true {
                // A tenant whose default group was never made: the single-tenant path makes it.
                deviceGroups[guest.tenantID] = try await self.deviceGroups(tenantID: guest.tenantID)
            }
            result[guest.tenantID] = UserAccess.scope(
                user: guest, memberOf: groups.union(memberships[guest.id] ?? []), roles: roles[guest.tenantID] ?? [],
                deviceGroups: deviceGroups[guest.tenantID] ?? [], home: home)
        }
        return result
    }
}

func encode(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    try JSONDecoder().decode(type, from: Data(text.utf8))
}
