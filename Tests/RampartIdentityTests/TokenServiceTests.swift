import Foundation
import RampartCore
import RampartIdentity
import RampartStore
import Testing

/// A token service over a fresh SQLite database with one tenant, one app and one user.
struct IdentityFixture {
    let tokens: TokenService
    let keys: SigningKeys
    let authenticator: BearerAuthenticator
    let tenant: Tenant
    let clientID: ObjectID
    let secret: String
    let adminPassword: String
    let admin: DirectoryService
    let issuer = "https://rampart.test"

    init() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-id-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let db = try SQLiteExecutor(path: directory.appendingPathComponent("db.sqlite").path)
        try await Migrator(executor: db).migrate()
        let repository = DirectoryRepository(db: db)
        let apps = AppRepository(db: db)
        let passwords = PasswordHasher(cost: 4)
        keys = SigningKeys(repository: KeyRepository(db: db))
        try await keys.load()
        admin = DirectoryService(directory: repository, apps: apps, passwords: passwords)
        let created = try await admin.createTenant(name: "Contoso", domain: "contoso.example", kind: .customer)
        tenant = created.tenant
        adminPassword = created.adminPassword
        let scope = DirectoryService.hostScope(tenant.id)
        let app = try await admin.createApp(in: scope, displayName: "SIEM")
        clientID = app.clientID
        _ = try await admin.grant(in: scope, clientID: clientID, permissions: ["Alert.Read.All"])
        secret = try await admin.addSecret(in: scope, clientID: clientID).secret
        tokens = TokenService(
            directory: repository, apps: apps, entitlements: EntitlementRepository(db: db),
            grants: OAuthGrantRepository(db: db), keys: keys, passwords: passwords,
            throttle: LoginThrottle(limit: 3),
            issuerBase: issuer)
        authenticator = BearerAuthenticator(
            keys: keys, directory: repository, apps: apps, rbac: RBACRepository(db: db), issuerBase: issuer)
    }

    func request(
        _ form: [String: String], tenant reference: String? = nil, endpoint: TokenRequest.Endpoint = .v2,
        basic: (String, String)? = nil
    ) -> TokenRequest {
        TokenRequest(
            tenantReference: reference ?? tenant.id.description, endpoint: endpoint, form: form,
            basicCredentials: basic.map { (clientID: $0.0, secret: $0.1) })
    }

    var clientCredentials: [String: String] {
        [
            "grant_type": "client_credentials", "client_id": clientID.description, "client_secret": secret,
            "scope": "https://api.securitycenter.microsoft.com/.default",
        ]
    }
}

func oauthError(_ body: () async throws -> Void) async -> OAuthError? {
    do {
        try await body()
        return nil
    } catch let error as OAuthError {
        return error
    } catch {
        return nil
    }
}

@Suite struct TokenServiceTests {
    @Test func clientCredentialsIssueAVerifiableTokenWithEntraClaims() async throws {
        let fixture = try await IdentityFixture()
        let response = try await fixture.tokens.issue(fixture.request(fixture.clientCredentials))
        #expect(response.tokenType == "Bearer")
        #expect(response.expiresIn == 3599)
        let claims = try await fixture.keys.verify(response.accessToken)
        #expect(claims.aud == "https://api.securitycenter.microsoft.com")
        #expect(claims.tid == fixture.tenant.id.description)
        #expect(claims.appid == fixture.clientID.description)
        #expect(claims.roles == ["Alert.Read.All"])
        #expect(claims.iss == "https://rampart.test/\(fixture.tenant.id)/v2.0")
        #expect(claims.exp - claims.iat == 3600)
        let scope = try await fixture.authenticator.scope(authorization: "Bearer \(response.accessToken)") { _ in true }
        #expect(scope.tenantID == fixture.tenant.id)
        #expect(scope.allows(.readAlerts))
        #expect(!scope.allows(.writeAlerts))
    }

    @Test func v1ResourceAndBasicAuthAndDomainWork() async throws {
        let fixture = try await IdentityFixture()
        var form = fixture.clientCredentials
        form["scope"] = nil
        form["client_id"] = nil
        form["client_secret"] = nil
        form["resource"] = "https://graph.windows.net"
        let response = try await fixture.tokens.issue(
            fixture.request(form, tenant: "CONTOSO.example", endpoint: .v1, basic: (fixture.clientID.description, fixture.secret))
        )
        #expect(response.resource == "https://graph.windows.net")
        #expect(try await fixture.keys.verify(response.accessToken).ver == "1.0")
    }

    @Test func wrongSecretAndUnknownClientLookTheSame() async throws {
        let fixture = try await IdentityFixture()
        var wrong = fixture.clientCredentials
        wrong["client_secret"] = "nope"
        var unknown = fixture.clientCredentials
        unknown["client_id"] = ObjectID.random().description
        var malformed = fixture.clientCredentials
        malformed["client_id"] = "not-a-guid"
        let errors = [
            await oauthError { _ = try await fixture.tokens.issue(fixture.request(wrong)) },
            await oauthError { _ = try await fixture.tokens.issue(fixture.request(unknown)) },
            await oauthError { _ = try await fixture.tokens.issue(fixture.request(malformed)) },
        ]
        #expect(errors.allSatisfy { $0 == errors[0] })
        #expect(errors[0]?.code == .invalidClient)
        #expect(errors[0]?.status == 401)
    }

    @Test func anAppOfAnotherTenantIsRefusedLikeAnUnknownClient() async throws {
        let fixture = try await IdentityFixture()
        let other = try await fixture.admin.createTenant(name: "Other", domain: "other.example", kind: .customer)
        let error = await oauthError {
            _ = try await fixture.tokens.issue(fixture.request(fixture.clientCredentials, tenant: other.tenant.id.description))
        }
        #expect(error?.code == .invalidClient)
    }

    @Test(
        arguments: [
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code", OAuthError.Code.unsupportedGrantType),
            ("grant_type", nil, .invalidRequest),
            ("scope", "https://evil.example/.default", .invalidScope),
            ("scope", "https://api.securitycenter.microsoft.com", .invalidScope),
            ("scope", "https://api.securitycenter.microsoft.com/.default https://graph.microsoft.com/.default", .invalidScope),
            ("scope", nil, .invalidRequest),
            ("client_id", nil, .invalidRequest),
        ] as [(String, String?, OAuthError.Code)])
    func badRequestsGetRFC6749Errors(field: String, value: String?, code: OAuthError.Code) async throws {
        let fixture = try await IdentityFixture()
        var form = fixture.clientCredentials
        form[field] = value
        let error = await oauthError { _ = try await fixture.tokens.issue(fixture.request(form)) }
        #expect(error?.code == code)
        #expect(error?.status == 400)
    }

    @Test func reservedScopesAreIgnored() async throws {
        let fixture = try await IdentityFixture()
        var form = fixture.clientCredentials
        form["scope"] = "https://api.securitycenter.microsoft.com/.default offline_access openid profile"
        _ = try await fixture.tokens.issue(fixture.request(form))
    }

    @Test func revokingAGrantTakesEffectOnTheNextRequest() async throws {
        let fixture = try await IdentityFixture()
        let token = try await fixture.tokens.issue(fixture.request(fixture.clientCredentials)).accessToken
        let before = try await fixture.authenticator.scope(authorization: "Bearer \(token)") { _ in true }
        #expect(before.allows(.readAlerts))
        try await fixture.admin.revoke(
            in: DirectoryService.hostScope(fixture.tenant.id), clientID: fixture.clientID, permissions: [.alertReadAll])
        let after = try await fixture.authenticator.scope(authorization: "Bearer \(token)") { _ in true }
        #expect(!after.allows(.readAlerts))
    }

    @Test func passwordGrantIssuesUserTokensAndThrottlesGuessing() async throws {
        let fixture = try await IdentityFixture()
        let form: [String: String] = [
            "grant_type": "password", "client_id": TokenService.publicClientID.description,
            "username": "admin@contoso.example", "password": fixture.adminPassword, "scope": "api://rampart/.default",
        ]
        let token = try await fixture.tokens.issue(fixture.request(form)).accessToken
        let claims = try await fixture.keys.verify(token)
        #expect(claims.upn == "admin@contoso.example")
        #expect(claims.scp == "user_impersonation")
        let scope = try await fixture.authenticator.scope(authorization: "Bearer \(token)") { $0 == .management }
        #expect(scope.allows(.manageDirectory))

        var wrong = form
        wrong["password"] = "wrong-password-123"
        for _ in 0..<3 {
            #expect(await oauthError { _ = try await fixture.tokens.issue(fixture.request(wrong)) }?.code == .invalidGrant)
        }
        // Locked now, even with the right password.
        let locked = await oauthError { _ = try await fixture.tokens.issue(fixture.request(form)) }
        #expect(locked?.description.contains("Too many") == true)
    }

    @Test func tamperedAndForeignTokensAreUnauthorized() async throws {
        let fixture = try await IdentityFixture()
        let token = try await fixture.tokens.issue(fixture.request(fixture.clientCredentials)).accessToken
        var tampered = Array(token)
        tampered[tampered.count - 5] = tampered[tampered.count - 5] == "A" ? "B" : "A"
        for header in [nil, "", "Bearer", "Basic abc", "Bearer \(String(tampered))", "Bearer a.b.c"] as [String?] {
            await #expect(throws: RampartError.self) {
                _ = try await fixture.authenticator.scope(authorization: header) { _ in true }
            }
        }
        // A Defender token is not a management token.
        await #expect(throws: RampartError.self) {
            _ = try await fixture.authenticator.scope(authorization: "Bearer \(token)") { $0 == .management }
        }
    }

    @Test func rotatedKeysStayPublishedAndOldTokensStillVerify() async throws {
        let fixture = try await IdentityFixture()
        let old = try await fixture.tokens.issue(fixture.request(fixture.clientCredentials)).accessToken
        let before = try await fixture.keys.jwks()["keys"]?.count ?? 0
        _ = try await fixture.keys.rotate()
        #expect((try await fixture.keys.jwks()["keys"]?.count ?? 0) == before + 1)
        _ = try await fixture.keys.verify(old)
    }

    @Test func secretsAreNotStoredInClear() async throws {
        let secret = Secrets.makeClientSecret()
        #expect(secret.count == 39)
        #expect(Secrets.sha256Hex(secret).count == 64)
        #expect(Secrets.sha256Hex(secret) != secret)
        #expect(Secrets.constantTimeEquals("abc", "abc"))
        #expect(!Secrets.constantTimeEquals("abc", "abd"))
        #expect(!Secrets.constantTimeEquals("abc", "abcd"))
    }
}
