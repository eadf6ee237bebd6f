import Logging
import RampartCore
import RampartIdentity
import RampartStore

/// The JSON shapes of the management API, as `openapi.yaml` documents them.
struct TenantBody: Encodable {
    let id: String
    let name: String
    let domain: String
    let kind: String
    let isOperator: Bool
    let createdAt: String
    init(_ tenant: Tenant) {
        id = tenant.id.description
        name = tenant.name
        domain = tenant.domain
        kind = tenant.kind.rawValue
        isOperator = tenant.isOperator
        createdAt = tenant.createdAt.description
    }
}

struct UserBody: Encodable {
    let id: String
    let tenantId: String
    let userPrincipalName: String
    let displayName: String
    let role: String
    let enabled: Bool
    let createdAt: String
    init(_ user: User) {
        id = user.id.description
        tenantId = user.tenantID.description
        userPrincipalName = user.userPrincipalName
        displayName = user.displayName
        role = user.role.rawValue
        enabled = user.enabled
        createdAt = user.createdAt.description
    }
}

struct GroupBody: Encodable {
    let id: String
    let name: String
    let description: String
    let members: [String]
    init(_ group: SecurityGroup, members: [String]) {
        id = group.id.description
        name = group.name
        description = group.description
        self.members = members
    }
}

struct AppBody: Encodable {
    struct Secret: Encodable {
        let id: String
        let hint: String
        let expiresAt: String
    }
    let clientId: String
    let tenantId: String
    let displayName: String
    let permissions: [String]
    let secrets: [Secret]
    init(_ app: AppRegistration, permissions: Set<AppPermission>, secrets: [AppSecretInfo]) {
        clientId = app.clientID.description
        tenantId = app.homeTenantID.description
        displayName = app.displayName
        self.permissions = permissions.map(\.rawValue).sorted()
        self.secrets = secrets.map { Secret(id: $0.id.description, hint: $0.hint, expiresAt: $0.expiresAt.description) }
    }
}

struct SecretBody: Encodable {
    let id: String
    let hint: String
    let expiresAt: String
    /// Shown once: only this response carries it.
    let secret: String
    init(_ created: CreatedSecret) {
        id = created.info.id.description
        hint = created.info.hint
        expiresAt = created.info.expiresAt.description
        secret = created.secret
    }
}

struct MembershipBody: Encodable {
    let group: String
    let user: String
    /// False when the user was already a member.
    let added: Bool
}

struct CreatedTenantBody: Encodable {
    let tenant: TenantBody
    let admin: UserBody
    let adminPassword: String
}

struct CreateTenantBody: Decodable {
    let name: String
    let domain: String
    let kind: TenantKind?
}

struct CreateUserBody: Decodable {
    let userPrincipalName: String
    let displayName: String?
    let role: UserRole?
    let password: String
}

struct SetPasswordBody: Decodable { let password: String }
struct CreateGroupBody: Decodable {
    let name: String
    let description: String?
}
struct AddMemberBody: Decodable { let user: String }
struct CreateAppBody: Decodable { let displayName: String }
struct AddSecretBody: Decodable { let days: Int? }
struct GrantBody: Decodable { let permissions: [String] }
