import Foundation
import RampartCore
import RampartStore

/// A token request as it arrived: the form fields and, if sent, HTTP Basic client credentials.
public struct TokenRequest: Sendable {
    public enum Endpoint: Sendable { case v1, v2 }
    public var tenantReference: String
    public var endpoint: Endpoint
    public var form: [String: String]
    public var basicCredentials: (clientID: String, secret: String)?
    public var remoteAddress: String?

    public init(
        tenantReference: String, endpoint: Endpoint, form: [String: String],
        basicCredentials: (clientID: String, secret: String)?, remoteAddress: String? = nil
    ) {
        self.tenantReference = tenantReference
        self.endpoint = endpoint
        self.form = form
        self.basicCredentials = basicCredentials
        self.remoteAddress = remoteAddress
    }
}

/// The body Entra answers a token request with.
public struct TokenResponse: Sendable, Codable, Equatable {
    public var tokenType: String
    public var expiresIn: Int
    public var extExpiresIn: Int
    public var accessToken: String
    /// v1 answers also name the resource.
    public var resource: String?
    /// User flows: what was granted, the next refresh token, the OpenID token and MSAL's account hint.
    public var scope: String?
    public var refreshToken: String?
    public var idToken: String?
    public var clientInfo: String?

    enum CodingKeys: String, CodingKey {
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case extExpiresIn = "ext_expires_in"
        case accessToken = "access_token"
        case resource
        case scope
        case refreshToken = "refresh_token"
        case idToken = "id_token"
        case clientInfo = "client_info"
    }
}

/// The Entra-compatible token service: client credentials and resource-owner password grants.
public struct TokenService: Sendable {
    /// The public client that the CLI and scripts use for the password grant; exists in every tenant.
    public static let publicClientID = ObjectID("2f6d1c3a-7b4e-4c9a-9e58-0d1f6a3b8c27")!

    let directory: DirectoryRepository
    let apps: AppRepository
    let keys: SigningKeys
    let passwords: PasswordHasher
    let throttle: LoginThrottle
    let issuerBase: String
    let lifetime: Int
    let clock: WallClock
    let entitlements: EntitlementRepository
    let grants: OAuthGrantRepository

    public init(
        directory: DirectoryRepository, apps: AppRepository, entitlements: EntitlementRepository,
        grants: OAuthGrantRepository, keys: SigningKeys, passwords: PasswordHasher, throttle: LoginThrottle,
        issuerBase: String, lifetimeSeconds: Int = 3600, clock: WallClock = .system
    ) {
        self.clock = clock
        self.entitlements = entitlements
        self.grants = grants
        self.directory = directory
        self.apps = apps
        self.keys = keys
        self.passwords = passwords
        self.throttle = throttle
        self.issuerBase = issuerBase
        self.lifetime = lifetimeSeconds
    }

    public func issuer(for tenantID: TenantID) -> String { "\(issuerBase)/\(tenantID)/v2.0" }

    public func issue(_ request: TokenRequest) async throws(OAuthError) -> TokenResponse {
        let tenant: Tenant
        do {
            guard let found = try await directory.tenant(named: request.tenantReference) else {
                throw OAuthError(.invalidRequest, "Tenant '\(request.tenantReference)' not found.")
            }
            tenant = found
        } catch let error as OAuthError {
            throw error
        } catch {
            throw OAuthError(.invalidRequest, "The tenant could not be resolved.")
        }
        guard let grantType = request.form["grant_type"], !grantType.isEmpty else {
            throw OAuthError(.invalidRequest, "The request body must contain the parameter 'grant_type'.")
        }
        switch grantType {
        // These grants carry the scope granted at sign-in, not one of their own.
        case "authorization_code":
            return try await authorizationCodeGrant(request, tenant: tenant)
        case "refresh_token":
            return try await refreshTokenGrant(request, tenant: tenant)
        case "client_credentials":
            if request.endpoint == .v2, let scope = request.form["scope"],
                try Self.parseScope(scope).permissions != [".default"]
            {
                throw OAuthError(.invalidScope, "Application tokens take '<resource>/.default' only.")
            }
            return try await clientCredentials(request, tenant: tenant, resource: try resource(of: request))
        case "password":
            return try await passwordGrant(request, tenant: tenant, resource: try resource(of: request))
        default:
            throw OAuthError(.unsupportedGrantType, "The grant type '\(grantType)' is not supported.")
        }
    }

    func resource(of request: TokenRequest) throws(OAuthError) -> TokenResource {
        switch request.endpoint {
        case .v1:
            guard let identifier = request.form["resource"], !identifier.isEmpty else {
                throw OAuthError(.invalidRequest, "The request body must contain the parameter 'resource'.")
            }
            guard let resource = TokenResource(identifier: identifier) else {
                throw OAuthError(.invalidScope, "The resource '\(identifier)' is not known to this service.")
            }
            return resource
        case .v2:
            guard let scope = request.form["scope"], !scope.isEmpty else {
                throw OAuthError(.invalidRequest, "The request body must contain the parameter 'scope'.")
            }
            return try Self.parseScope(scope).resource
        }
    }

    /// A v2 scope string: one resource, as `<resource>/.default` or `<resource>/<delegated permission>` (several of the
    /// same resource), plus OpenID's reserved scopes.
    public static func parseScope(_ scope: String) throws(OAuthError) -> (
        resource: TokenResource, permissions: [String], openID: Bool, offlineAccess: Bool
    ) {
        let reserved: Set<String> = ["openid", "profile", "offline_access", "email"]
        // A "+" is a space that a query string did not decode; scopes never contain one.
        let parts = scope.split(whereSeparator: { $0 == " " || $0 == "+" }).map(String.init)
        var resource: TokenResource?
        var permissions: [String] = []
        for part in parts where !reserved.contains(part) {
            guard let slash = part.lastIndex(of: "/"), slash != part.startIndex,
                let found = TokenResource(identifier: String(part[..<slash]))
            else {
                throw OAuthError(.invalidScope, "The scope '\(part)' is not valid: expected '<known resource>/.default'.")
            }
            if let resource, resource != found {
                throw OAuthError(.invalidScope, "The scope must name exactly one resource.")
            }
            resource = found
            permissions.append(String(part[part.index(after: slash)...]))
        }
        guard let resource else {
            throw OAuthError(.invalidScope, "The scope must name exactly one resource, as '<resource>/.default'.")
        }
        return (resource, permissions, parts.contains("openid"), parts.contains("offline_access"))
    }

    func clientCredentials(_ request: TokenRequest, tenant: Tenant, resource: TokenResource) async throws(OAuthError)
        -> TokenResponse
    {
        let (clientReference, secret) = try clientCredentials(of: request)
        guard let secret else {
            throw OAuthError(.invalidClient, "The request body must contain 'client_secret' or use HTTP Basic authentication.")
        }
        // An unknown client, a wrong secret and an app without access to the tenant all get this one answer.
        let refused = OAuthError(.invalidClient, "Invalid client secret or client identifier for this tenant.")
        guard let clientID = ObjectID(clientReference) else { throw refused }
        let now = Timestamp.now()
        let granted: Set<AppPermission>
        do {
            guard let app = try await apps.app(clientID: clientID) else { throw refused }
            let presented = Secrets.sha256Hex(secret)
            let hashes = try await apps.liveSecretHashes(clientID: clientID, now: now)
            guard hashes.contains(where: { Secrets.constantTimeEquals($0, presented) }) else { throw refused }
            granted = try await apps.permissions(clientID: clientID, tenantID: tenant.id)
            guard app.homeTenantID == tenant.id || !granted.isEmpty else { throw refused }
        } catch let error as OAuthError {
            throw error
        } catch {
            throw OAuthError(.invalidRequest, "The request could not be processed; retry.")
        }
        let claims = AccessTokenClaims(
            iss: issuer(for: tenant.id), aud: resource.audience, tid: tenant.id.description, sub: clientID.description,
            appid: clientID.description, azp: clientID.description,
            roles: granted.filter { permission in
                if case .graph = resource { return permission.isGraph }
                return !permission.isGraph
            }.map(\.rawValue).sorted(), scp: nil, oid: nil, upn: nil,
            iat: now.unixSeconds, nbf: now.unixSeconds, exp: now.unixSeconds + Int64(lifetime),
            jti: Secrets.makeToken(bytes: 16), ver: request.endpoint == .v1 ? "1.0" : "2.0")
        return try await respond(claims, request: request, resource: resource)
    }

    func passwordGrant(_ request: TokenRequest, tenant: Tenant, resource: TokenResource) async throws(OAuthError)
        -> TokenResponse
    {
        let (clientReference, _) = try clientCredentials(of: request)
        guard let username = request.form["username"], !username.isEmpty, let password = request.form["password"] else {
            throw OAuthError(.invalidRequest, "The request body must contain 'username' and 'password'.")
        }
        guard let clientID = ObjectID(clientReference) else {
            throw OAuthError(.invalidClient, "Invalid client identifier for this tenant.")
        }
        let throttleKeys = ["upn:" + username.lowercased()] + (request.remoteAddress.map { ["ip:" + $0] } ?? [])
        if await throttle.retryAfter(keys: throttleKeys) != nil {
            throw OAuthError(.invalidGrant, "Too many failed sign-in attempts; try again later.")
        }
        let refused = OAuthError(.invalidGrant, "Error validating credentials: invalid username or password.")
        let user: User
        var guest: User?
        do {
            if clientID != Self.publicClientID {
                guard let app = try await apps.app(clientID: clientID), app.homeTenantID == tenant.id else {
                    throw OAuthError(.invalidClient, "Invalid client identifier for this tenant.")
                }
            }
            guard let (found, hash) = try await directory.credentials(userPrincipalName: username), found.enabled,
                passwords.verify(password, hash: hash)
            else {
                await throttle.recordFailure(keys: throttleKeys)
                throw refused
            }
            user = found
            if found.tenantID != tenant.id {
                // A user of another organization signs in to this tenant as its guest, while an assignment is live.
                guard let account = try await entitlements.guest(homeUserID: found.id, tenantID: tenant.id),
                    try await entitlements.liveGroups(guestUserID: account.id, now: clock.now()) != nil
                else {
                    throw OAuthError(
                        .invalidGrant, "The user account does not exist in tenant '\(request.tenantReference)'.")
                }
                guest = account
            }
        } catch let error as OAuthError {
            throw error
        } catch {
            throw OAuthError(.invalidRequest, "The request could not be processed; retry.")
        }
        await throttle.recordSuccess(keys: ["upn:" + username.lowercased()])
        let now = Timestamp.now()
        let claims = AccessTokenClaims(
            iss: issuer(for: tenant.id), aud: resource.audience, tid: tenant.id.description, sub: (guest ?? user).id.description,
            appid: clientID.description, azp: clientID.description, roles: nil, scp: "user_impersonation",
            oid: (guest ?? user).id.description, upn: user.userPrincipalName, iat: now.unixSeconds, nbf: now.unixSeconds,
            exp: now.unixSeconds + Int64(lifetime), jti: Secrets.makeToken(bytes: 16),
            ver: request.endpoint == .v1 ? "1.0" : "2.0")
        return try await respond(claims, request: request, resource: resource)
    }

    /// The client id and secret from the body or from HTTP Basic, which must agree when both are sent.
    func clientCredentials(of request: TokenRequest) throws(OAuthError) -> (String, String?) {
        let formID = request.form["client_id"]
        let formSecret = request.form["client_secret"]
        if let basic = request.basicCredentials {
            if let formID, formID.lowercased() != basic.clientID.lowercased() {
                throw OAuthError(.invalidRequest, "The client_id in the body and in the Authorization header differ.")
            }
            if formSecret != nil {
                throw OAuthError(.invalidRequest, "Use only one client authentication method.")
            }
            return (basic.clientID, basic.secret)
        }
        guard let formID, !formID.isEmpty else {
            throw OAuthError(.invalidRequest, "The request body must contain the parameter 'client_id'.")
        }
        return (formID, formSecret)
    }

    func respond(_ claims: AccessTokenClaims, request: TokenRequest?, resource: TokenResource) async throws(OAuthError)
        -> TokenResponse
    {
        do {
            let token = try await keys.sign(claims)
            return TokenResponse(
                tokenType: "Bearer", expiresIn: lifetime - 1, extExpiresIn: lifetime - 1, accessToken: token,
                resource: request?.endpoint == .v1 ? resource.audience : nil)
        } catch {
            throw OAuthError(.invalidRequest, "The token could not be signed; retry.")
        }
    }
}
