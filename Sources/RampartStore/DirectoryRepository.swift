import RampartCore

/// Tenants, users, groups and memberships.
public struct DirectoryRepository: Sendable {
    let db: any SQLExecutor

    public init(db: any SQLExecutor) { self.db = db }

    // MARK: Tenants

    public func createTenant(_ tenant: Tenant) async throws {
        try await db.execute(
            """
            INSERT INTO tenants (id, name, domain, kind, is_operator, created_at)
            VALUES (\(bind: tenant.id), \(bind: tenant.name), \(bind: tenant.domain.lowercased()),
                    \(bind: tenant.kind.rawValue), \(bind: tenant.isOperator), \(bind: tenant.createdAt))
            """)
    }

    public func tenant(id: TenantID) async throws -> Tenant? {
        try await db.queryOne("SELECT * FROM tenants WHERE id = \(bind: id)").map(Self.tenant)
    }

    /// Resolves a tenant named the way Entra allows in a URL: its GUID or its verified domain.
    public func tenant(named reference: String) async throws -> Tenant? {
        if let id = TenantID(reference) { return try await tenant(id: id) }
        return try await db.queryOne("SELECT * FROM tenants WHERE domain = \(bind: reference.lowercased())").map(Self.tenant)
    }

    public func allTenants() async throws -> [Tenant] {
        try await db.query("SELECT * FROM tenants ORDER BY name, id").map(Self.tenant)
    }

    static func tenant(_ row: SQLRow) throws -> Tenant {
        Tenant(
            id: try row.tenantID("id"), name: try row.string("name"), domain: try row.string("domain"),
            kind: TenantKind(rawValue: try row.string("kind")) ?? .customer, isOperator: try row.bool("is_operator"),
            createdAt: try row.timestamp("created_at"))
    }

    // MARK: Users

    public func createUser(_ user: User, passwordHash: String, audit: AuditEntry? = nil) async throws {
        try await db.transaction { db in
            if let audit { try await AuditRepository.append(audit, in: db) }
            try await db.execute(
                """
                INSERT INTO users (id, tenant_id, upn, display_name, password_hash, role, enabled, created_at)
                VALUES (\(bind: user.id), \(bind: user.tenantID), \(bind: user.userPrincipalName.lowercased()),
                        \(bind: user.displayName), \(bind: passwordHash), \(bind: user.role.rawValue),
                        \(bind: user.enabled), \(bind: user.createdAt))
                """)
        }
    }

    public func user(id: ObjectID) async throws -> User? {
        try await db.queryOne("SELECT * FROM users WHERE id = \(bind: id)").map(Self.user)
    }

    /// The user and their password hash, for sign-in.
    public func credentials(userPrincipalName: String) async throws -> (User, String)? {
        guard
            let row = try await db.queryOne(
                "SELECT * FROM users WHERE upn = \(bind: userPrincipalName.lowercased()) AND home_user_id IS NULL")
        else { return nil }
        return (try Self.user(row), try row.string("password_hash"))
    }

    public func users(in scope: AccessScope) async throws -> [User] {
        try await db.query("SELECT * FROM users WHERE tenant_id = \(bind: scope.tenantID) ORDER BY upn").map(Self.user)
    }

    public func user(in scope: AccessScope, reference: String) async throws -> User? {
        let row: SQLRow?
        if let id = ObjectID(reference) {
            row = try await db.queryOne("SELECT * FROM users WHERE tenant_id = \(bind: scope.tenantID) AND id = \(bind: id)")
        } else {
            row = try await db.queryOne(
                "SELECT * FROM users WHERE tenant_id = \(bind: scope.tenantID) AND upn = \(bind: reference.lowercased())")
        }
        return try row.map(Self.user)
    }

    public func setPasswordHash(userID: ObjectID, in scope: AccessScope, hash: String, audit: AuditEntry? = nil) async throws
        -> Bool
    {
        try await db.transaction { db in
            let rows = try await db.query(
                """
                UPDATE users SET password_hash = \(bind: hash)
                WHERE id = \(bind: userID) AND tenant_id = \(bind: scope.tenantID) RETURNING id
                """)
            if !rows.isEmpty, let audit { try await AuditRepository.append(audit, in: db) }
            return !rows.isEmpty
        }
    }

    static func user(_ row: SQLRow) throws -> User {
        User(
            id: try row.objectID("id"), tenantID: try row.tenantID("tenant_id"), userPrincipalName: try row.string("upn"),
            displayName: try row.string("display_name"), role: UserRole(rawValue: try row.string("role")) ?? .member,
            enabled: try row.bool("enabled"), createdAt: try row.timestamp("created_at"),
            homeUserID: row.optionalString("home_user_id").flatMap(ObjectID.init),
            preferences: UserPreferences(language: row.optionalString("language"), timeZone: row.optionalString("time_zone")))
    }

    /// A person's own settings, on their home account.
    public func setPreferences(userID: ObjectID, _ preferences: UserPreferences) async throws {
        try await db.transaction { db in
            let rows = try await db.query(
                """
                UPDATE users SET language = \(bind: preferences.language), time_zone = \(bind: preferences.timeZone)
                WHERE id = \(bind: userID) AND home_user_id IS NULL RETURNING id
                """)
            guard !rows.isEmpty else { throw RampartError.notFound("User \(userID) was not found.") }
        }
    }

    /// The language each of these addresses chose, where the address is the sign-in name of a person the tenant
    /// knows — one of its own users, or a person with a guest account in it — and they chose one. A person of
    /// another tenant stays unknown: their choice would show in the tenant's delivery log.
    static func preferredLanguages(_ db: any SQLQuerying, tenantID: TenantID, of addresses: Set<String>) async throws
        -> [String: String]
    {
        var languages: [String: String] = [:]
        for chunk in Set(addresses.map { $0.lowercased() }).sorted().chunked(AlertRepository.chunkSize) {
            let list = SQL.joined(chunk.map { "\(bind: $0)" }, separator: ", ")
            for row in try await db.query(
                """
                SELECT u.upn, u.language FROM users u
                WHERE u.upn IN (\(list)) AND u.home_user_id IS NULL AND u.enabled = \(bind: true)
                    AND u.language IS NOT NULL
                    AND (u.tenant_id = \(bind: tenantID)
                        OR EXISTS (SELECT 1 FROM users g WHERE g.home_user_id = u.id AND g.tenant_id = \(bind: tenantID)))
                """)
            {
                languages[try row.string("upn")] = try row.string("language")
            }
        }
        return languages
    }

    // MARK: Groups

    public func createGroup(_ group: SecurityGroup, audit: AuditEntry? = nil) async throws {
        try await db.transaction { db in
            if let audit { try await AuditRepository.append(audit, in: db) }
            try await db.execute(
                """
                INSERT INTO security_groups (id, tenant_id, name, description, created_at)
                VALUES (\(bind: group.id), \(bind: group.tenantID), \(bind: group.name), \(bind: group.description),
                        \(bind: group.createdAt))
                """)
        }
    }

    public func groups(in scope: AccessScope) async throws -> [(SecurityGroup, [String])] {
        let groups = try await db.query(
            "SELECT * FROM security_groups WHERE tenant_id = \(bind: scope.tenantID) ORDER BY name"
        ).map(Self.group)
        let members = try await db.query(
            """
            SELECT m.group_id, u.upn FROM group_members m
            JOIN security_groups g ON g.id = m.group_id
            JOIN users u ON u.id = m.user_id
            WHERE g.tenant_id = \(bind: scope.tenantID) ORDER BY u.upn
            """)
        var byGroup: [String: [String]] = [:]
        for row in members { byGroup[try row.string("group_id"), default: []].append(try row.string("upn")) }
        return groups.map { ($0, byGroup[$0.id.description] ?? []) }
    }

    public func group(in scope: AccessScope, reference: String) async throws -> SecurityGroup? {
        let row: SQLRow?
        if let id = ObjectID(reference) {
            row = try await db.queryOne(
                "SELECT * FROM security_groups WHERE tenant_id = \(bind: scope.tenantID) AND id = \(bind: id)")
        } else {
            row = try await db.queryOne(
                "SELECT * FROM security_groups WHERE tenant_id = \(bind: scope.tenantID) AND name = \(bind: reference)")
        }
        return try row.map(Self.group)
    }

    /// Adds a member of the same tenant; returns false when the user was already a member.
    public func addMember(groupID: ObjectID, userID: ObjectID, audit: AuditEntry? = nil) async throws -> Bool {
        try await db.transaction { db in
            let existing = try await db.queryOne(
                "SELECT user_id FROM group_members WHERE group_id = \(bind: groupID) AND user_id = \(bind: userID)")
            guard existing == nil else { return false }
            if let audit { try await AuditRepository.append(audit, in: db) }
            try await db.execute("INSERT INTO group_members (group_id, user_id) VALUES (\(bind: groupID), \(bind: userID))")
            return true
        }
    }

    static func group(_ row: SQLRow) throws -> SecurityGroup {
        SecurityGroup(
            id: try row.objectID("id"), tenantID: try row.tenantID("tenant_id"), name: try row.string("name"),
            description: try row.string("description"), createdAt: try row.timestamp("created_at"))
    }
}
