/// Whether a tenant is a customer of an MSSP or the MSSP itself.
public enum TenantKind: String, Sendable, Codable, CaseIterable {
    case customer
    case mssp
}

public struct Tenant: Sendable, Equatable, Codable {
    public var id: TenantID
    public var name: String
    /// The verified domain, e.g. `contoso.example`; unique across the installation.
    public var domain: String
    public var kind: TenantKind
    /// Operator tenants' administrators may create other tenants through the management API.
    public var isOperator: Bool
    public var createdAt: Timestamp

    public init(id: TenantID, name: String, domain: String, kind: TenantKind, isOperator: Bool = false, createdAt: Timestamp) {
        self.id = id
        self.name = name
        self.domain = domain
        self.kind = kind
        self.isOperator = isOperator
        self.createdAt = createdAt
    }
}

public enum UserRole: String, Sendable, Codable, CaseIterable {
    /// Tenant administrators have every permission on every device group.
    case admin
    case member
}

public struct User: Sendable, Equatable, Codable {
    public var id: ObjectID
    public var tenantID: TenantID
    public var userPrincipalName: String
    public var displayName: String
    public var role: UserRole
    public var enabled: Bool
    public var createdAt: Timestamp
    /// Set for a guest: the account in the user's home tenant that signs in and that this account stands for.
    public var homeUserID: ObjectID?
    public var preferences: UserPreferences

    public var isGuest: Bool { homeUserID != nil }

    public init(
        id: ObjectID, tenantID: TenantID, userPrincipalName: String, displayName: String, role: UserRole,
        enabled: Bool, createdAt: Timestamp, homeUserID: ObjectID? = nil, preferences: UserPreferences = UserPreferences()
    ) {
        self.homeUserID = homeUserID
        self.preferences = preferences
        self.id = id
        self.tenantID = tenantID
        self.userPrincipalName = userPrincipalName
        self.displayName = displayName
        self.role = role
        self.enabled = enabled
        self.createdAt = createdAt
    }
}

public struct SecurityGroup: Sendable, Equatable, Codable {
    public var id: ObjectID
    public var tenantID: TenantID
    public var name: String
    public var description: String
    public var createdAt: Timestamp

    public init(id: ObjectID, tenantID: TenantID, name: String, description: String, createdAt: Timestamp) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.description = description
        self.createdAt = createdAt
    }
}

/// An app registration: a client of the token service, registered in its home tenant.
public struct AppRegistration: Sendable, Equatable, Codable {
    public var clientID: ObjectID
    public var homeTenantID: TenantID
    public var displayName: String
    public var createdAt: Timestamp

    public init(clientID: ObjectID, homeTenantID: TenantID, displayName: String, createdAt: Timestamp) {
        self.clientID = clientID
        self.homeTenantID = homeTenantID
        self.displayName = displayName
        self.createdAt = createdAt
    }
}

/// What is kept of a client secret: never the secret itself.
public struct AppSecretInfo: Sendable, Equatable, Codable {
    public var id: ObjectID
    public var clientID: ObjectID
    /// The first characters of the secret, so an operator can tell secrets apart.
    public var hint: String
    public var expiresAt: Timestamp
    public var createdAt: Timestamp

    public init(id: ObjectID, clientID: ObjectID, hint: String, expiresAt: Timestamp, createdAt: Timestamp) {
        self.id = id
        self.clientID = clientID
        self.hint = hint
        self.expiresAt = expiresAt
        self.createdAt = createdAt
    }
}
