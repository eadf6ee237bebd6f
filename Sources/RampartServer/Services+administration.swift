import RampartIdentity
import RampartStore

/// The administration services over the shared repositories; routes, the CLI and the demo use the same ones.
extension Services {
    public var admin: DirectoryService { DirectoryService(directory: directory, apps: apps, passwords: passwords) }
    public var access: RBACService { RBACService(directory: directory, rbac: rbac) }
    public var appAuthorizations: AppAuthorizationService { AppAuthorizationService(apps: apps, rbac: rbac) }
    public var entitlements: EntitlementService {
        EntitlementService(
            directory: directory, rbac: rbac, entitlements: EntitlementRepository(db: database),
            organizations: ConnectedOrganizationRepository(db: database), clock: clock)
    }
    /// The tenants a principal of a home tenant works in, each with its own scope (the MSSP queue, overview, API).
    public var delegatedScopes: DelegatedScopes {
        DelegatedScopes(directory: directory, apps: apps, entitlements: entitlements)
    }
    public var connectedOrganizations: ConnectedOrganizationService {
        ConnectedOrganizationService(directory: directory, organizations: ConnectedOrganizationRepository(db: database))
    }
}
