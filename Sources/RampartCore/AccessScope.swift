/// Who is asking.
public enum Principal: Sendable, Equatable {
    case user(id: ObjectID, tenantID: TenantID, userPrincipalName: String)
    /// `tenantID` is the app's home tenant, where it is registered.
    case app(clientID: ObjectID, tenantID: TenantID)

    /// The principal's home tenant.
    public var tenantID: TenantID {
        switch self {
        case .user(_, let tenantID, _), .app(_, let tenantID): tenantID
        }
    }

    /// The name written into alert comments and audit records.
    public var displayName: String {
        switch self {
        case .user(_, _, let upn): upn
        case .app(let clientID, _): "app:\(clientID)"
        }
    }
}

/// The device groups a scope may see.
public enum DeviceGroupScope: Sendable, Equatable {
    case all
    case only(Set<String>)
}

/// A request resolved once, at the edge, into what it may touch.
///
/// Repositories take a scope, never a raw tenant id from the request, so a query cannot forget the tenant.
public struct AccessScope: Sendable, Equatable {
    public let tenantID: TenantID
    public let principal: Principal
    public let capabilities: Set<Capability>
    public let deviceGroups: DeviceGroupScope
    /// The security groups of the tenant the principal is a member of now, directly or through an access package.
    public let groupIDs: Set<ObjectID>

    public init(
        tenantID: TenantID, principal: Principal, capabilities: Set<Capability>, deviceGroups: DeviceGroupScope,
        groupIDs: Set<ObjectID> = []
    ) {
        self.tenantID = tenantID
        self.principal = principal
        self.capabilities = capabilities
        self.deviceGroups = deviceGroups
        self.groupIDs = groupIDs
    }

    /// The scope of an app token: the permissions the app holds in the tenant now, not when the token was issued.
    public static func app(
        clientID: ObjectID, homeTenantID: TenantID? = nil, tenantID: TenantID, grantedNow: Set<AppPermission>,
        tokenRoles: Set<String>
    ) -> AccessScope {
        let effective = grantedNow.filter { permission in
            tokenRoles.contains(permission.rawValue)
        }
        return AccessScope(
            tenantID: tenantID,
            principal: .app(clientID: clientID, tenantID: homeTenantID ?? tenantID),
            capabilities: Set(effective.flatMap(\.capabilities)),
            deviceGroups: .all
        )
    }

    public func allows(_ capability: Capability) -> Bool { capabilities.contains(capability) }

    /// A guest or another tenant's app acting in this tenant: everything it does is audited.
    public var isForeign: Bool { principal.tenantID != tenantID }

    /// Throws `forbidden` unless the scope holds the capability.
    public func require(_ capability: Capability) throws(RampartError) {
        guard allows(capability) else { throw .forbidden("The caller lacks the permission for this action.") }
    }
}
