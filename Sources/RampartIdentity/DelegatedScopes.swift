import RampartCore
import RampartStore

/// Every tenant a principal of a home tenant may work in now, each with its own scope: an MSSP user's home tenant
/// and the customers where they hold a live assignment; an MSSP app's customers that authorize it. Each tenant's
/// rows stay under that tenant's grant.
public struct DelegatedScopes: Sendable {
    let directory: DirectoryRepository
    let apps: AppRepository
    let entitlements: EntitlementService

    public init(directory: DirectoryRepository, apps: AppRepository, entitlements: EntitlementService) {
        self.directory = directory
        self.apps = apps
        self.entitlements = entitlements
    }

    /// A signed-in user's tenants: home, and every tenant with a live assignment, each with the scope acted with there.
    /// The guest scopes are resolved together, so the cost does not grow with the number of customers.
    public func scopes(forHome user: User) async throws -> [(Tenant, AccessScope)] {
        guard !user.isGuest else { return [] }
        var result: [(Tenant, AccessScope)] = []
        let now = entitlements.clock.now()
        if let own = try await directory.tenant(id: user.tenantID),
            let scope = try await entitlements.rbac.scope(for: user, now: now)
        {
            result.append((own, scope))
        }
        let guestScopes = try await entitlements.rbac.guestScopes(home: user, now: now)
        for (tenant, _) in try await entitlements.entitlements.guestTenants(homeUserID: user.id, now: now) {
            if let scope = guestScopes[tenant.id] { result.append((tenant, scope)) }
        }
        return result
    }

    public func scopes(for scope: AccessScope) async throws -> [(Tenant, AccessScope)] {
        switch scope.principal {
        case .user(let id, let home, _) where home == scope.tenantID:
            guard let user = try await directory.user(id: id) else { return [] }
            return try await scopes(forHome: user)
        case .app(let clientID, let home) where home == scope.tenantID:
            let tenants = Dictionary(
                uniqueKeysWithValues: try await directory.allTenants().map { ($0.id, $0) })
            return try await apps.grantsByTenant(clientID: clientID).compactMap { tenantID, granted, limited in
                guard let tenant = tenants[tenantID] else { return nil }
                let base = AccessScope.app(
                    clientID: clientID, homeTenantID: home, tenantID: tenantID, grantedNow: granted,
                    tokenRoles: Set(granted.map(\.rawValue)))
                return (
                    tenant,
                    AccessScope(
                        tenantID: tenantID, principal: base.principal, capabilities: base.capabilities,
                        deviceGroups: limited.map { .only($0) } ?? .all)
                )
            }
        default:
            guard let tenant = try await directory.tenant(id: scope.tenantID) else { return [] }
            return [(tenant, scope)]
        }
    }
}
