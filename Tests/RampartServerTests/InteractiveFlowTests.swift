import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartIdentity
import RampartServer
import Testing

/// The authorization-code flow's refusals: unknown redirects, missing PKCE, a wrong verifier, a revoked session.
@Suite struct InteractiveFlowTests {
    static let verifier = "a-verifier-that-is-long-enough-for-pkce-0123456789abcdef"
    static var challenge: String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    func authorizeURI(redirect: String = "http://127.0.0.1:9/cb", challenge: String? = Self.challenge) -> String {
        var components = URLComponents()
        components.path = "/contoso.example/oauth2/v2.0/authorize"
        components.queryItems =
            [
                URLQueryItem(name: "client_id", value: TokenService.publicClientID.description),
                URLQueryItem(name: "response_type", value: "code"), URLQueryItem(name: "redirect_uri", value: redirect),
                URLQueryItem(name: "scope", value: "https://api.securitycenter.microsoft.com/Alert.Read openid offline_access"),
                URLQueryItem(name: "state", value: "s1"),
            ]
            + (challenge.map {
                [URLQueryItem(name: "code_challenge", value: $0), URLQueryItem(name: "code_challenge_method", value: "S256")]
            } ?? [])
        return components.string ?? ""
    }

    @Test func codesNeedASessionALoopbackRedirectAndTheRightVerifier() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let anonymous = try await client.execute(uri: authorizeURI(), method: .get)
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location]?.hasPrefix("/signin?next=") == true)

            var jar = CookieJar()
            _ = try await PortalTests().signIn(client, &jar, upn: "admin@contoso.example", password: world.contoso.adminPassword)
            let evil = try await client.execute(
                uri: authorizeURI(redirect: "https://evil.example/cb"), method: .get, headers: jar.header)
            #expect(evil.status == .badRequest, "an unknown redirect is never followed")
            let noPKCE = try await client.execute(uri: authorizeURI(challenge: nil), method: .get, headers: jar.header)
            #expect(noPKCE.headers[.location]?.contains("error=invalid_request") == true)

            let granted = try await client.execute(uri: authorizeURI(), method: .get, headers: jar.header)
            let location = try #require(granted.headers[.location])
            #expect(location.hasPrefix("http://127.0.0.1:9/cb?code="))
            #expect(location.contains("state=s1"))
            let code = URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value ?? ""
            func redeem(_ verifier: String) async throws -> (HTTPResponse.Status, [String: Any]) {
                let response = try await client.form(
                    "/contoso.example/oauth2/v2.0/token",
                    [
                        "grant_type": "authorization_code", "client_id": TokenService.publicClientID.description,
                        "code": code, "redirect_uri": "http://127.0.0.1:9/cb", "code_verifier": verifier,
                    ])
                let body =
                    (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]) ?? [:]
                return (response.status, body)
            }
            #expect(try await redeem("wrong-verifier-wrong-verifier-wrong-verifier-000").1["error"] as? String == "invalid_grant")
            // The failed attempt used the code up: a stolen code and a guessed verifier get nothing.
            #expect(try await redeem(Self.verifier).1["error"] as? String == "invalid_grant")

            let second = try await client.execute(uri: authorizeURI(), method: .get, headers: jar.header)
            let secondCode = URLComponents(string: second.headers[.location] ?? "")?.queryItems?.first { $0.name == "code" }?
                .value
            let response = try await client.form(
                "/contoso.example/oauth2/v2.0/token",
                [
                    "grant_type": "authorization_code", "client_id": TokenService.publicClientID.description,
                    "code": secondCode ?? "", "redirect_uri": "http://127.0.0.1:9/cb", "code_verifier": Self.verifier,
                ])
            let tokens = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
            let access = try #require(tokens?["access_token"] as? String)
            #expect(tokens?["refresh_token"] is String)
            #expect(tokens?["id_token"] is String)
            // Signed out everywhere: the refresh token and the portal session stop.
            let refresh = try #require(tokens?["refresh_token"] as? String)
            let management = try await AccessManagementTests().adminToken(client, world)
            let (revokedStatus, revoked) = try await client.json(
                "/manage/v1/users/admin@contoso.example/revoke-sessions", token: management, method: .post)
            #expect(revokedStatus == .ok)
            #expect(revoked["revokedRefreshTokens"] as? Int == 1)
            let refreshed = try await client.form(
                "/contoso.example/oauth2/v2.0/token",
                [
                    "grant_type": "refresh_token", "client_id": TokenService.publicClientID.description,
                    "refresh_token": refresh,
                ])
            #expect(refreshed.status == .badRequest)
            #expect(try await client.execute(uri: "/alerts", method: .get, headers: jar.header).status == .seeOther)
            // Alert.Read only: the administrator's token reads but cannot write.
            #expect(try await client.json("/api/alerts", token: access).0 == .ok)
            #expect(
                try await client.json(
                    "/api/alerts/batchUpdate", token: access, method: .post, body: #"{"alertIds":["x"],"status":"New"}"#
                )
                .0 == .forbidden)
        }
    }
}
