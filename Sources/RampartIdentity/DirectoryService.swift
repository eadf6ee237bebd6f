import Foundation
import RampartCore
import RampartStore

/// A new tenant and its first administrator, whose password is shown once and never stored in clear.
public struct CreatedTenant: Sendable {
    public let tenant: Tenant
    public let admin: User
    public let adminPassword: String
}

/// A new client secret: the value exists only in this answer.
public struct CreatedSecret: Sendable {
    public let info: AppSecretInfo
    public let secret: String
}

/// Directory and app administration, shared by the CLI (which runs on the host) and the management API.
public struct DirectoryService: Sendable {
    let directory: DirectoryRepository
    let apps: AppRepository
    let passwords: PasswordHasher

    public init(directory: DirectoryRepository, apps: AppRepository, passwords: PasswordHasher) {
        self.directory = directory
        self.apps = apps
        self.passwords = passwords
    }

    /// Creates a tenant with its first administrator, `admin@<domain>`.
    public func createTenant(name: String, domain: String, kind: TenantKind, isOperator: Bool = false, id: TenantID = .random())
        async throws -> CreatedTenant
    {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 256 else {
            throw RampartError.invalidInput(code: "InvalidInput", message: "The tenant name must have 1 to 256 characters.")
        }
        let domain = domain.lowercased()
        guard Self.isDomain(domain) else {
            throw RampartError.invalidInput(code: "InvalidDomainName", message: "Domain name \(domain) is invalid.")
        }
        let now = Timestamp.now()
        let tenant = Tenant(id: id, name: name, domain: domain, kind: kind, isOperator: isOperator, createdAt: now)
        do {
            try await directory.createTenant(tenant)
        } catch StoreError.uniqueViolation {
            throw RampartError.conflict("A tenant with the domain \(domain) or this id already exists.")
        }
        let password = Secrets.makePassword()
        let admin = try await createUser(
            in: Self.hostScope(tenant.id), userPrincipalName: "admin@\(domain)", displayName: "\(name) administrator",
            role: .admin, password: password)
        return CreatedTenant(tenant: tenant, admin: admin, adminPassword: password)
    }

    /// The authority of someone at the host's shell (the CLI): every capability in one tenant.
    public static func hostScope(_ tenantID: TenantID) -> AccessScope {
        AccessScope(
            tenantID: tenantID,
            principal: .user(
                id: ObjectID("00000000-0000-0000-0000-000000000000")!, tenantID: tenantID, userPrincipalName: "host"),
            capabilities: Capability.administrator.union([.ingestAlerts]), deviceGroups: .all)
    }

    public func createUser(
        in scope: AccessScope, userPrincipalName: String, displayName: String, role: UserRole, password: String
    ) async throws -> User {
        try scope.require(.manageDirectory)
        let upn = userPrincipalName.lowercased()
        guard let at = upn.firstIndex(of: "@"), at != upn.startIndex, Self.isDomain(String(upn[upn.index(after: at)...])),
            !upn.contains(" ")
        else {
            throw RampartError.invalidInput(
                code: "InvalidInput", message: "'\(userPrincipalName)' is not a user principal name (name@domain).")
        }
        try Self.checkPassword(password)
        let user = User(
            id: .random(), tenantID: scope.tenantID, userPrincipalName: upn,
            displayName: displayName.isEmpty ? upn : displayName, role: role, enabled: true, createdAt: .now())
        do {
            try await directory.createUser(
                user, passwordHash: passwords.hash(password),
                audit: .make(scope, action: "user.create", target: upn, details: "role=\(role.rawValue)"))
        } catch StoreError.uniqueViolation {
            throw RampartError.conflict("The user principal name \(upn) is taken.")
        }
        return user
    }

    public func setPassword(in scope: AccessScope, user reference: String, password: String) async throws -> User {
        try scope.require(.manageDirectory)
        try Self.checkPassword(password)
        guard let user = try await directory.user(in: scope, reference: reference) else {
            throw RampartError.notFound("User \(reference) was not found.")
        }
        _ = try await directory.setPasswordHash(
            userID: user.id, in: scope, hash: passwords.hash(password),
            audit: .make(scope, action: "user.setPassword", target: user.userPrincipalName))
        return user
    }

    public func createGroup(in scope: AccessScope, name: String, description: String) async throws -> SecurityGroup {
        try scope.require(.manageDirectory)
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 256 else {
            throw RampartError.invalidInput(code: "InvalidInput", message: "The group name must have 1 to 256 characters.")
        }
        let group = SecurityGroup(
            id: .random(), tenantID: scope.tenantID, name: name, description: description, createdAt: .now())
        do {
            try await directory.createGroup(group, audit: .make(scope, action: "group.create", target: name))
        } catch StoreError.uniqueViolation {
            throw RampartError.conflict("A group named \(name) already exists.")
        }
        return group
    }

    /// Adds a user of the tenant to a group of the tenant.
    public func addMember(in scope: AccessScope, group groupReference: String, user userReference: String) async throws
        -> (SecurityGroup, User, added: Bool)
    {
        try scope.require(.manageDirectory)
        guard let group = try await directory.group(in: scope, reference: groupReference) else {
            throw RampartError.notFound("Group \(groupReference) was not found.")
        }
        guard let user = try await directory.user(in: scope, reference: userReference) else {
            throw RampartError.notFound("User \(userReference) was not found.")
        }
        let added = try await directory.addMember(
            groupID: group.id, userID: user.id,
            audit: .make(scope, action: "group.addMember", target: group.name, details: "user=\(user.userPrincipalName)"))
        return (group, user, added)
    }

    public func createApp(in scope: AccessScope, displayName: String) async throws -> AppRegistration {
        try scope.require(.manageDirectory)
        let name = displayName.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 256 else {
            throw RampartError.invalidInput(code: "InvalidInput", message: "The app name must have 1 to 256 characters.")
        }
        let app = AppRegistration(clientID: .random(), homeTenantID: scope.tenantID, displayName: name, createdAt: .now())
        try await apps.create(app, audit: .make(scope, action: "app.create", target: app.clientID.description, details: name))
        return app
    }

    /// Adds a client secret valid for `days` days; the secret is returned once.
    public func addSecret(in scope: AccessScope, clientID: ObjectID, days: Int = 730) async throws -> CreatedSecret {
        try scope.require(.manageDirectory)
        guard (1...3650).contains(days) else {
            throw RampartError.invalidInput(code: "InvalidInput", message: "A secret lives between 1 and 3650 days.")
        }
        guard try await apps.app(in: scope, clientID: clientID) != nil else {
            throw RampartError.notFound("App \(clientID) was not found.")
        }
        let secret = Secrets.makeClientSecret()
        let now = Timestamp.now()
        let info = AppSecretInfo(
            id: .random(), clientID: clientID, hint: String(secret.prefix(3)),
            expiresAt: now.adding(seconds: Int64(days) * 86_400),
            createdAt: now)
        try await apps.addSecret(
            info, hash: Secrets.sha256Hex(secret),
            audit: .make(scope, action: "app.addSecret", target: clientID.description, details: "hint=\(info.hint)"))
        return CreatedSecret(info: info, secret: secret)
    }

    /// Grants application permissions in the scope's tenant to an app registered there.
    /// Registers (or with `present: false` removes) a redirect URI for the app's authorization-code sign-ins: an
    /// `https` URI, or `http` on a loopback host, without a fragment.
    public func setRedirectURI(in scope: AccessScope, clientID: ObjectID, uri: String, present: Bool = true) async throws
        -> [String]
    {
        try scope.require(.manageDirectory)
        guard try await apps.app(in: scope, clientID: clientID) != nil else {
            throw RampartError.notFound("App \(clientID) was not found.")
        }
        if present {
            guard uri.count <= 2000, let components = URLComponents(string: uri), components.fragment == nil,
                let host = components.host, !host.isEmpty,
                components.scheme?.lowercased() == "https"
                    || (components.scheme?.lowercased() == "http" && TokenService.isAllowedRedirect(uri))
            else {
                throw RampartError.invalidInput(
                    code: "InvalidInput", message: "A redirect URI is https://…, or http:// on localhost, without a fragment.")
            }
        }
        try await apps.setRedirectURI(
            clientID: clientID, uri: uri, present: present,
            audit: .make(
                scope, action: present ? "app.redirect.add" : "app.redirect.remove", target: clientID.description, details: uri))
        return try await apps.redirectURIs(clientID: clientID)
    }

    public func grant(in scope: AccessScope, clientID: ObjectID, permissions: [String]) async throws -> Set<AppPermission> {
        try scope.require(.manageDirectory)
        let parsed = try AppPermission.parseList(permissions)
        guard try await apps.app(in: scope, clientID: clientID) != nil else {
            throw RampartError.notFound("App \(clientID) was not found.")
        }
        try await apps.grant(
            clientID: clientID, permissions: parsed, in: scope,
            audit: .make(
                scope, action: "app.grant", target: clientID.description,
                details: parsed.map(\.rawValue).sorted().joined(separator: ",")))
        return try await apps.permissions(clientID: clientID, tenantID: scope.tenantID)
    }

    /// Withdraws permissions; tokens already issued lose them on their next request.
    public func revoke(in scope: AccessScope, clientID: ObjectID, permissions: Set<AppPermission>) async throws {
        try scope.require(.manageDirectory)
        try await apps.revoke(
            clientID: clientID, permissions: permissions, in: scope,
            audit: .make(
                scope, action: "app.revoke", target: clientID.description,
                details: permissions.map(\.rawValue).sorted().joined(separator: ",")))
    }

    static func checkPassword(_ password: String) throws(RampartError) {
        guard password.count >= 12, password.utf8.count <= 72 else {
            throw .invalidInput(code: "InvalidInput", message: "A password must have 12 to 72 bytes.")
        }
    }

    static func isDomain(_ text: String) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && text.count <= 253
            && labels.allSatisfy { label in
                !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
    }
}
