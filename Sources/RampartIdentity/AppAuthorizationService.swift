import RampartCore
import RampartStore

/// A tenant authorizes an app — its own or an MSSP's multi-tenant app — by application id, choosing its
/// permissions and optionally limiting it to device groups (Defender's SIEM "MSSP" tab). Needs "Manage portal
/// system settings".
public struct AppAuthorizationService: Sendable {
    let apps: AppRepository
    let rbac: RBACRepository

    public init(apps: AppRepository, rbac: RBACRepository) {
        self.apps = apps
        self.rbac = rbac
    }

    public struct Authorization: Sendable {
        public let app: AppRegistration
        public let permissions: Set<AppPermission>
        /// Device group names; nil when the app sees every device group.
        public let deviceGroups: Set<String>?
    }

    public func list(in scope: AccessScope) async throws -> [Authorization] {
        try scope.require(.managePortalSettings)
        return try await apps.authorizations(in: scope).map { Authorization(app: $0.0, permissions: $0.1, deviceGroups: $0.2) }
    }

    /// Replaces the app's authorization in the tenant; the app's next request sees the change.
    public func authorize(in scope: AccessScope, clientID: ObjectID, permissions: [String], deviceGroups: [String]) async throws
        -> Authorization
    {
        try scope.require(.managePortalSettings)
        guard let app = try await apps.app(clientID: clientID) else {
            throw RampartError.notFound("No application with id \(clientID) is registered.")
        }
        let parsed = try AppPermission.parseList(permissions)
        let known = try await rbac.deviceGroups(tenantID: scope.tenantID)
        var groupIDs: Set<ObjectID> = []
        for reference in deviceGroups {
            guard let group = known.first(where: { $0.id.description == reference.lowercased() || $0.name == reference }) else {
                throw RampartError.invalidInput(
                    code: "InvalidInput", message: "Device group \(reference) was not found in this tenant.")
            }
            groupIDs.insert(group.id)
        }
        let names = known.filter { groupIDs.contains($0.id) }.map(\.name).sorted()
        try await apps.authorize(
            clientID: clientID, permissions: parsed, deviceGroupIDs: groupIDs, in: scope,
            audit: .make(
                scope, action: "app.authorize", target: clientID.description,
                details:
                    "app=\(app.displayName) home=\(app.homeTenantID) permissions=\(parsed.map(\.rawValue).sorted().joined(separator: ","))"
                    + (names.isEmpty ? "" : " deviceGroups=\(names.joined(separator: ","))")))
        return Authorization(app: app, permissions: parsed, deviceGroups: names.isEmpty ? nil : Set(names))
    }

    /// Removes every permission of the app in the tenant.
    public func remove(in scope: AccessScope, clientID: ObjectID) async throws {
        try scope.require(.managePortalSettings)
        guard try await !apps.permissions(clientID: clientID, tenantID: scope.tenantID).isEmpty else {
            throw RampartError.notFound("Application \(clientID) is not authorized in this tenant.")
        }
        try await apps.authorize(
            clientID: clientID, permissions: [], deviceGroupIDs: [], in: scope,
            audit: .make(scope, action: "app.deauthorize", target: clientID.description))
    }
}
