import RampartCore

/// App registrations, their hashed secrets and the permissions tenants granted them.
public struct AppRepository: Sendable {
    let db: any SQLExecutor

    public init(db: any SQLExecutor) { self.db = db }

    public func create(_ app: AppRegistration, audit: AuditEntry? = nil) async throws {
        try await db.transaction { db in
            if let audit { try await AuditRepository.append(audit, in: db) }
            try await db.execute(
                """
                INSERT INTO apps (client_id, tenant_id, display_name, created_at)
                VALUES (\(bind: app.clientID), \(bind: app.homeTenantID), \(bind: app.displayName), \(bind: app.createdAt))
                """)
        }
    }

    public func app(clientID: ObjectID) async throws -> AppRegistration? {
        try await db.queryOne("SELECT * FROM apps WHERE client_id = \(bind: clientID)").map(Self.app)
    }

    /// Apps registered in the scope's tenant.
    public func apps(in scope: AccessScope) async throws -> [AppRegistration] {
        try await db.query("SELECT * FROM apps WHERE tenant_id = \(bind: scope.tenantID) ORDER BY display_name, client_id")
            .map(Self.app)
    }

    public func app(in scope: AccessScope, clientID: ObjectID) async throws -> AppRegistration? {
        try await db.queryOne(
            "SELECT * FROM apps WHERE tenant_id = \(bind: scope.tenantID) AND client_id = \(bind: clientID)"
        ).map(Self.app)
    }

    static func app(_ row: SQLRow) throws -> AppRegistration {
        AppRegistration(
            clientID: try row.objectID("client_id"), homeTenantID: try row.tenantID("tenant_id"),
            displayName: try row.string("display_name"), createdAt: try row.timestamp("created_at"))
    }

    // MARK: Secrets

    public func addSecret(_ info: AppSecretInfo, hash: String, audit: AuditEntry? = nil) async throws {
        try await db.transaction { db in
            if let audit { try await AuditRepository.append(audit, in: db) }
            try await db.execute(
                """
                INSERT INTO app_secrets (id, client_id, secret_hash, hint, expires_at, created_at)
                VALUES (\(bind: info.id), \(bind: info.clientID), \(bind: hash), \(bind: info.hint),
                        \(bind: info.expiresAt), \(bind: info.createdAt))
                """)
        }
    }

    /// Hashes of the secrets that have not expired at `now`.
    public func liveSecretHashes(clientID: ObjectID, now: Timestamp) async throws -> [String] {
        try await db.query(
            "SELECT secret_hash FROM app_secrets WHERE client_id = \(bind: clientID) AND expires_at > \(bind: now)"
        ).map { try $0.string("secret_hash") }
    }

    public func secrets(clientID: ObjectID) async throws -> [AppSecretInfo] {
        try await db.query("SELECT * FROM app_secrets WHERE client_id = \(bind: clientID) ORDER BY created_at").map { row in
            AppSecretInfo(
                id: try row.objectID("id"), clientID: try row.objectID("client_id"), hint: try row.string("hint"),
                expiresAt: try row.timestamp("expires_at"), createdAt: try row.timestamp("created_at"))
        }
    }

    // MARK: Authorizations

    /// Grants permissions to an app in the scope's tenant (the tenant consents for itself).
    public func grant(clientID: ObjectID, permissions: Set<AppPermission>, in scope: AccessScope, audit: AuditEntry? = nil)
        async throws
    {
        let now = Timestamp.now()
        try await db.transaction { db in
            if let audit { try await AuditRepository.append(audit, in: db) }
            for permission in permissions.sorted() {
                let existing = try await db.queryOne(
                    """
                    SELECT permission FROM app_authorizations WHERE client_id = \(bind: clientID)
                    AND tenant_id = \(bind: scope.tenantID) AND permission = \(bind: permission.rawValue)
                    """)
                if existing == nil {
                    try await db.execute(
                        """
                        INSERT INTO app_authorizations (client_id, tenant_id, permission, granted_at)
                        VALUES (\(bind: clientID), \(bind: scope.tenantID), \(bind: permission.rawValue), \(bind: now))
                        """)
                }
            }
        }
    }

    public func revoke(clientID: ObjectID, permissions: Set<AppPermission>, in scope: AccessScope, audit: AuditEntry? = nil)
        async throws
    {
        try await db.transaction { db in
            if let audit { try await AuditRepository.append(audit, in: db) }
            for permission in permissions {
                try await db.execute(
                    """
                    DELETE FROM app_authorizations WHERE client_id = \(bind: clientID)
                    AND tenant_id = \(bind: scope.tenantID) AND permission = \(bind: permission.rawValue)
                    """)
            }
        }
    }

    /// Sets what an app (of any tenant) may do in the scope's tenant: exactly `permissions`, limited to the device
    /// groups `deviceGroupIDs` (all when empty). An empty permission set removes the authorization.
    public func authorize(
        clientID: ObjectID, permissions: Set<AppPermission>, deviceGroupIDs: Set<ObjectID>, in scope: AccessScope,
        audit: AuditEntry
    ) async throws {
        let now = Timestamp.now()
        try await db.transaction { db in
            try await AuditRepository.append(audit, in: db)
            try await db.execute(
                "DELETE FROM app_authorizations WHERE client_id = \(bind: clientID) AND tenant_id = \(bind: scope.tenantID)")
            try await db.execute(
                """
                DELETE FROM app_authorization_device_groups
                WHERE client_id = \(bind: clientID) AND tenant_id = \(bind: scope.tenantID)
                """)
            try await db.insert(
                into: "app_authorizations", columns: ["client_id", "tenant_id", "permission", "granted_at"],
                rows: permissions.sorted().map { [clientID.sqlValue, scope.tenantID.sqlValue, .text($0.rawValue), now.sqlValue] })
            guard !permissions.isEmpty else { return }
            try await db.insert(
                into: "app_authorization_device_groups", columns: ["client_id", "tenant_id", "device_group_id"],
                rows: deviceGroupIDs.sorted { $0.description < $1.description }.map {
                    [clientID.sqlValue, scope.tenantID.sqlValue, $0.sqlValue]
                })
        }
    }

    /// The device groups an app is limited to in a tenant, by name; nil when it is not limited.
    public func deviceGroupRestriction(clientID: ObjectID, tenantID: TenantID) async throws -> Set<String>? {
        let rows = try await db.query(
            """
            SELECT d.name FROM app_authorization_device_groups a JOIN device_groups d ON d.id = a.device_group_id
            WHERE a.client_id = \(bind: clientID) AND a.tenant_id = \(bind: tenantID)
            """)
        return rows.isEmpty ? nil : Set(try rows.map { try $0.string("name") })
    }

    /// Every app authorized in the scope's tenant, its own or foreign, with permissions and restriction.
    public func authorizations(in scope: AccessScope) async throws -> [(AppRegistration, Set<AppPermission>, Set<String>?)] {
        let rows = try await db.query(
            """
            SELECT DISTINCT a.* FROM apps a JOIN app_authorizations z ON z.client_id = a.client_id
            WHERE z.tenant_id = \(bind: scope.tenantID) ORDER BY a.display_name, a.client_id
            """)
        var result: [(AppRegistration, Set<AppPermission>, Set<String>?)] = []
        for app in try rows.map(Self.app) {
            result.append(
                (
                    app, try await permissions(clientID: app.clientID, tenantID: scope.tenantID),
                    try await deviceGroupRestriction(clientID: app.clientID, tenantID: scope.tenantID)
                ))
        }
        return result
    }

    /// What the app may do in the tenant now; read at every request so a revocation takes effect at once.
    public func permissions(clientID: ObjectID, tenantID: TenantID) async throws -> Set<AppPermission> {
        let rows = try await db.query(
            "SELECT permission FROM app_authorizations WHERE client_id = \(bind: clientID) AND tenant_id = \(bind: tenantID)"
        )
        return Set(try rows.compactMap { AppPermission(rawValue: try $0.string("permission")) })
    }

    /// Every tenant that grants the app anything now, with the permissions and device-group restriction there:
    /// two queries however many tenants.
    public func grantsByTenant(clientID: ObjectID) async throws -> [(TenantID, Set<AppPermission>, Set<String>?)] {
        var permissions: [TenantID: Set<AppPermission>] = [:]
        for row in try await db.query(
            "SELECT tenant_id, permission FROM app_authorizations WHERE client_id = \(bind: clientID)")
        {
            if let permission = AppPermission(rawValue: try row.string("permission")) {
                permissions[try row.tenantID("tenant_id"), default: []].insert(permission)
            }
        }
        var restrictions: [TenantID: Set<String>] = [:]
        for row in try await db.query(
            """
            SELECT a.tenant_id, d.name FROM app_authorization_device_groups a JOIN device_groups d ON d.id = a.device_group_id
            WHERE a.client_id = \(bind: clientID)
            """)
        {
            restrictions[try row.tenantID("tenant_id"), default: []].insert(try row.string("name"))
        }
        return permissions.keys.sorted { $0.description < $1.description }.map { tenant in
            (tenant, permissions[tenant] ?? [], restrictions[tenant])
        }
    }

    // MARK: Redirect URIs

    /// Where the authorization-code flow may send a browser back for this app: exact matches only.
    public func redirectURIs(clientID: ObjectID) async throws -> [String] {
        try await db.query("SELECT uri FROM app_redirect_uris WHERE client_id = \(bind: clientID) ORDER BY uri").map {
            try $0.string("uri")
        }
    }

    public func setRedirectURI(clientID: ObjectID, uri: String, present: Bool, audit: AuditEntry) async throws {
        try await db.transaction { db in
            try await AuditRepository.append(audit, in: db)
            try await db.execute("DELETE FROM app_redirect_uris WHERE client_id = \(bind: clientID) AND uri = \(bind: uri)")
            if present {
                try await db.execute("INSERT INTO app_redirect_uris (client_id, uri) VALUES (\(bind: clientID), \(bind: uri))")
            }
        }
    }
}
