import Crypto
import Foundation
import JWTKit
import RampartCore
import RampartStore

/// The parameters of `GET /{tenant}/oauth2/v2.0/authorize` (and of v1's `/oauth2/authorize`, which names a
/// `resource` instead of scopes).
public struct AuthorizeRequest: Sendable {
    public var tenantReference: String
    public var clientID: String?
    public var redirectURI: String?
    public var responseType: String?
    public var scope: String?
    public var state: String?
    public var codeChallenge: String?
    public var codeChallengeMethod: String?
    public var nonce: String?
    public var resource: String?

    public init(tenantReference: String, parameters: [String: String]) {
        self.tenantReference = tenantReference
        clientID = parameters["client_id"]
        redirectURI = parameters["redirect_uri"]
        responseType = parameters["response_type"]
        scope = parameters["scope"]
        state = parameters["state"]
        codeChallenge = parameters["code_challenge"]
        codeChallengeMethod = parameters["code_challenge_method"]
        nonce = parameters["nonce"]
        resource = parameters["resource"]
    }
}

/// Why an authorize request fails: before the redirect URI is trusted the user sees a page; after, the client gets
/// the error on its redirect URI (RFC 6749 §4.1.2.1).
public enum AuthorizeFailure: Error, Sendable {
    case page(String)
    case redirect(String)
}

/// The OpenID Connect ID token of the interactive flow.
struct IDTokenClaims: JWTPayload {
    var iss: String
    var aud: String
    var tid: String
    var sub: String
    var oid: String
    var preferred_username: String
    var name: String
    var nonce: String?
    var iat: Int64
    var nbf: Int64
    var exp: Int64
    var ver: String

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// The interactive user flow: authorization code with PKCE (public clients, loopback redirects as RFC 8252 asks)
/// and rotating refresh tokens that die with the user's access.
extension TokenService {
    static let codeLifetime: Int64 = 600
    static let refreshLifetime: Int64 = 90 * 86_400

    /// Loopback redirects only, on any port: what native and CLI clients (msal, azure-identity) use.
    static func isAllowedRedirect(_ uri: String) -> Bool {
        guard let components = URLComponents(string: uri), components.scheme == "http", components.fragment == nil,
            let host = components.host?.lowercased()
        else { return false }
        return ["localhost", "127.0.0.1", "[::1]", "::1"].contains(host)
    }

    /// Checks an authorize request for the signed-in `home` user and returns the URL to send the browser to.
    public func authorize(_ request: AuthorizeRequest, home: User) async throws(AuthorizeFailure) -> String {
        guard let clientText = request.clientID, let clientID = ObjectID(clientText) else {
            throw .page("The application is not registered for interactive sign-in with this service.")
        }
        let isPublic = clientID == Self.publicClientID
        guard let redirect = request.redirectURI else { throw .page("The request has no redirect_uri.") }
        if isPublic {
            guard Self.isAllowedRedirect(redirect) else {
                throw .page("The redirect address is not allowed: use an http://localhost or http://127.0.0.1 address.")
            }
        } else {
            // A registered app: the redirect must be one of its own, exactly (what MSSP token scripts use).
            let registered: [String]
            do {
                registered = try await apps.app(clientID: clientID) == nil ? [] : try await apps.redirectURIs(clientID: clientID)
            } catch {
                throw .page("The request could not be processed; retry.")
            }
            guard registered.contains(redirect) else {
                throw .page("The redirect address is not registered for this application.")
            }
        }
        func back(_ code: OAuthError.Code, _ description: String) -> AuthorizeFailure {
            .redirect(
                Self.append(
                    to: redirect, [("error", code.rawValue), ("error_description", description), ("state", request.state)]))
        }
        guard request.responseType == "code" else {
            throw back(.unsupportedGrantType, "Only response_type=code is supported.")
        }
        // PKCE is required of the public client; a confidential client authenticates at the token endpoint instead,
        // and may still send a challenge, which is then checked.
        var challenge = ""
        if let sent = request.codeChallenge {
            guard request.codeChallengeMethod == "S256", (43...128).contains(sent.count) else {
                throw back(.invalidRequest, "code_challenge must use code_challenge_method=S256.")
            }
            challenge = sent
        } else if isPublic {
            throw back(.invalidRequest, "PKCE is required: code_challenge with code_challenge_method=S256.")
        }
        // The v1 endpoint names a resource instead of scopes (`resource=https://graph.windows.net`).
        let scope = request.scope ?? request.resource.map { "\($0)/.default offline_access" } ?? ""
        do {
            let parsed = try Self.parseScope(scope)
            _ = try DelegatedPermissions.scp(for: parsed.resource, requested: parsed.permissions)
        } catch {
            throw back(.invalidScope, error.description)
        }
        do {
            guard let tenant = try await directory.tenant(named: request.tenantReference),
                let account = try await account(for: home, in: tenant.id)
            else {
                throw back(.invalidRequest, "The signed-in user has no access to tenant '\(request.tenantReference)'.")
            }
            if !isPublic, let app = try await apps.app(clientID: clientID), app.homeTenantID != tenant.id,
                try await apps.permissions(clientID: clientID, tenantID: tenant.id).isEmpty
            {
                throw back(.unauthorizedClient, "The application is not authorized in this tenant.")
            }
            let code = Secrets.makeToken()
            try await grants.saveCode(
                hash: Secrets.sha256Hex(code),
                AuthorizationCode(
                    clientID: clientID, redirectURI: redirect, codeChallenge: challenge, accountID: account.id,
                    tenantID: tenant.id, scope: scope, nonce: request.nonce,
                    expiresAt: clock.now().adding(seconds: Self.codeLifetime)))
            return Self.append(to: redirect, [("code", code), ("state", request.state)])
        } catch let failure as AuthorizeFailure {
            throw failure
        } catch {
            throw back(.invalidRequest, "The request could not be processed; retry.")
        }
    }

    /// The account a user acts as in a tenant: themselves at home, their guest account where an assignment is live.
    func account(for home: User, in tenantID: TenantID) async throws -> User? {
        guard home.enabled, !home.isGuest else { return nil }
        if home.tenantID == tenantID { return home }
        guard let guest = try await entitlements.guest(homeUserID: home.id, tenantID: tenantID),
            try await entitlements.liveGroups(guestUserID: guest.id, now: clock.now()) != nil
        else { return nil }
        return guest
    }

    /// The home user behind an account, if the account may still act now.
    func stillAllowed(_ accountID: ObjectID, tenantID: TenantID) async throws -> (account: User, home: User)? {
        guard let account = try await directory.user(id: accountID), account.tenantID == tenantID, account.enabled else {
            return nil
        }
        guard let homeID = account.homeUserID else { return (account, account) }
        guard let home = try await directory.user(id: homeID), home.enabled,
            try await entitlements.liveGroups(guestUserID: account.id, now: clock.now()) != nil
        else { return nil }
        return (account, home)
    }

    static func append(to uri: String, _ items: [(String, String?)]) -> String {
        var components = URLComponents(string: uri) ?? URLComponents()
        components.queryItems =
            (components.queryItems ?? []) + items.compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
        return components.string ?? uri
    }

    func authorizationCodeGrant(_ request: TokenRequest, tenant: Tenant) async throws(OAuthError) -> TokenResponse {
        let (clientText, _) = try clientCredentials(of: request)
        guard let code = request.form["code"], let redirect = request.form["redirect_uri"] else {
            throw OAuthError(.invalidRequest, "The request must contain code, redirect_uri and client_id.")
        }
        try await authenticateConfidential(request, clientText: clientText)
        let verifier = request.form["code_verifier"]
        let refused = OAuthError(.invalidGrant, "The authorization code is invalid, expired or already used.")
        do {
            guard let grant = try await grants.redeem(hash: Secrets.sha256Hex(code), now: clock.now()),
                grant.tenantID == tenant.id, grant.clientID.description == clientText.lowercased(), grant.redirectURI == redirect,
                grant.codeChallenge.isEmpty ? verifier == nil : verifier.map(Self.challenge(of:)) == grant.codeChallenge
            else { throw refused }
            return try await userTokens(
                accountID: grant.accountID, tenant: tenant, clientID: grant.clientID, scope: grant.scope,
                nonce: grant.nonce, family: UUID().uuidString, endpoint: request.endpoint)
        } catch let error as OAuthError {
            throw error
        } catch {
            throw OAuthError(.invalidRequest, "The request could not be processed; retry.")
        }
    }

    func refreshTokenGrant(_ request: TokenRequest, tenant: Tenant) async throws(OAuthError) -> TokenResponse {
        let (clientText, _) = try clientCredentials(of: request)
        guard let token = request.form["refresh_token"] else {
            throw OAuthError(.invalidRequest, "The request must contain refresh_token and client_id.")
        }
        try await authenticateConfidential(request, clientText: clientText)
        let refused = OAuthError(.invalidGrant, "The refresh token is invalid, expired or revoked.")
        do {
            switch try await grants.use(hash: Secrets.sha256Hex(token), now: clock.now()) {
            case .invalid: throw refused
            case .replayed: throw OAuthError(.invalidGrant, "The refresh token was already used; its session is revoked.")
            case .valid(let record):
                guard record.tenantID == tenant.id, record.clientID.description == clientText.lowercased() else {
                    throw refused
                }
                return try await userTokens(
                    accountID: record.accountID, tenant: tenant, clientID: record.clientID, scope: record.scope, nonce: nil,
                    family: record.familyID, endpoint: request.endpoint)
            }
        } catch let error as OAuthError {
            throw error
        } catch {
            throw OAuthError(.invalidRequest, "The request could not be processed; retry.")
        }
    }

    /// Registered apps are confidential clients: code and refresh grants need one of their live secrets. The public
    /// client has none and proves itself with PKCE.
    func authenticateConfidential(_ request: TokenRequest, clientText: String) async throws(OAuthError) {
        guard let clientID = ObjectID(clientText), clientID != Self.publicClientID else { return }
        let refused = OAuthError(.invalidClient, "Invalid client secret or client identifier.")
        guard let secret = try clientCredentials(of: request).1 else {
            throw OAuthError(.invalidClient, "A registered application must authenticate with its client_secret.")
        }
        do {
            let presented = Secrets.sha256Hex(secret)
            guard
                try await apps.liveSecretHashes(clientID: clientID, now: clock.now()).contains(where: {
                    Secrets.constantTimeEquals($0, presented)
                })
            else { throw refused }
        } catch let error as OAuthError {
            throw error
        } catch {
            throw OAuthError(.invalidRequest, "The request could not be processed; retry.")
        }
    }

    /// PKCE S256: BASE64URL(SHA256(verifier)).
    static func challenge(of verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// An access token, a new refresh token of the same family and (for `openid`) an ID token, for an account that
    /// may still act in the tenant now.
    func userTokens(
        accountID: ObjectID, tenant: Tenant, clientID: ObjectID, scope: String, nonce: String?, family: String,
        endpoint: TokenRequest.Endpoint
    ) async throws -> TokenResponse {
        guard let (account, home) = try await stillAllowed(accountID, tenantID: tenant.id) else {
            throw OAuthError(.invalidGrant, "The user no longer has access to this tenant.")
        }
        let parsed = try Self.parseScope(scope)
        let scp = try DelegatedPermissions.scp(for: parsed.resource, requested: parsed.permissions)
        let now = clock.now()
        let wallNow = Timestamp.now()
        let claims = AccessTokenClaims(
            iss: issuer(for: tenant.id), aud: parsed.resource.audience, tid: tenant.id.description, sub: account.id.description,
            appid: clientID.description, azp: clientID.description, roles: nil, scp: scp, oid: account.id.description,
            upn: home.userPrincipalName, iat: wallNow.unixSeconds, nbf: wallNow.unixSeconds,
            exp: wallNow.unixSeconds + Int64(lifetime), jti: Secrets.makeToken(bytes: 16), ver: "2.0")
        var response = try await respond(claims, request: nil, resource: parsed.resource)
        response.scope =
            scp.split(separator: " ").map { "\(parsed.resource.audience)/\($0)" }.joined(separator: " ")
            + (parsed.openID ? " openid profile" : "") + (parsed.offlineAccess ? " offline_access" : "")
        let refresh = Secrets.makeToken()
        try await grants.saveRefresh(
            hash: Secrets.sha256Hex(refresh),
            RefreshTokenRecord(
                familyID: family, accountID: account.id, tenantID: tenant.id, clientID: clientID, scope: scope,
                expiresAt: now.adding(seconds: Self.refreshLifetime), usedAt: nil, revokedAt: nil),
            now: now)
        response.refreshToken = refresh
        if parsed.openID {
            response.idToken = try await keys.sign(
                IDTokenClaims(
                    iss: issuer(for: tenant.id), aud: clientID.description, tid: tenant.id.description,
                    sub: account.id.description, oid: account.id.description, preferred_username: home.userPrincipalName,
                    name: home.displayName, nonce: nonce, iat: wallNow.unixSeconds, nbf: wallNow.unixSeconds,
                    exp: wallNow.unixSeconds + Int64(lifetime), ver: "2.0"))
            let info = #"{"uid":"\#(account.id)","utid":"\#(tenant.id)"}"#
            response.clientInfo = Data(info.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        }
        if endpoint == .v1 { response.resource = parsed.resource.audience }
        return response
    }
}
