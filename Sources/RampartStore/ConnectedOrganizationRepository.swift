import RampartCore

/// The other tenants (MSSPs) whose users a tenant lets request access to it.
public struct ConnectedOrganizationRepository: Sendable {
    let db: any SQLExecutor

    public init(db: any SQLExecutor) { self.db = db }

    public func list(_ scope: AccessScope) async throws -> [(Tenant, Timestamp)] {
        try await db.query(
            """
            SELECT t.*, c.added_at FROM connected_orgs c JOIN tenants t ON t.id = c.org_tenant_id
            WHERE c.tenant_id = \(bind: scope.tenantID) ORDER BY t.name
            """
        ).map { (try DirectoryRepository.tenant($0), try $0.timestamp("added_at")) }
    }

    /// Returns false when the organization was already connected.
    public func add(_ organization: TenantID, in scope: AccessScope, audit: AuditEntry) async throws -> Bool {
        try await db.transaction { db in
            let existing = try await db.queryOne(
                "SELECT added_at FROM connected_orgs WHERE tenant_id = \(bind: scope.tenantID) AND org_tenant_id = \(bind: organization)"
            )
            guard existing == nil else { return false }
            try await AuditRepository.append(audit, in: db)
            try await db.execute(
                """
                INSERT INTO connected_orgs (tenant_id, org_tenant_id, added_at)
                VALUES (\(bind: scope.tenantID), \(bind: organization), \(bind: Timestamp.now()))
                """)
            return true
        }
    }

    public func remove(_ organization: TenantID, in scope: AccessScope, audit: AuditEntry) async throws -> Bool {
        try await db.transaction { db in
            let rows = try await db.query(
                """
                DELETE FROM connected_orgs WHERE tenant_id = \(bind: scope.tenantID) AND org_tenant_id = \(bind: organization)
                RETURNING org_tenant_id
                """)
            guard !rows.isEmpty else { return false }
            try await AuditRepository.append(audit, in: db)
            return true
        }
    }
}
