import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RampartCore
import RampartIdentity
import RampartServer
import Testing

/// The MSSP's token script (Defender §4.1 step 2, `MsspTokensAcquisition.ps1`): a registered app signs a user in
/// through v1's `/oauth2/authorize` with `resource=https://graph.windows.net` and its own redirect URI, redeems the
/// code with its client secret, and keeps the refresh token for the SIEM connector.
@Suite struct TokenScriptTests {
    @Test func aRegisteredAppGetsAccessAndRefreshTokensForTheSIEMAPI() async throws {
        let world = try await TestWorld()
        let scope = DirectoryService.hostScope(world.contoso.tenant.id)
        let app = try await world.services.admin.createApp(in: scope, displayName: "Contoso SIEM MSSP Connector")
        let secret = try await world.services.admin.addSecret(in: scope, clientID: app.clientID).secret
        let redirect = "https://SiemMsspConnector"
        #expect(try await world.services.admin.setRedirectURI(in: scope, clientID: app.clientID, uri: redirect) == [redirect])
        await #expect(throws: RampartError.self) {
            _ = try await world.services.admin.setRedirectURI(in: scope, clientID: app.clientID, uri: "http://evil.example/cb")
        }
        @Sendable func authorizeURI(_ redirectURI: String) -> String {
            var components = URLComponents()
            components.path = "/\(world.contoso.tenant.id)/oauth2/authorize"
            components.queryItems = [
                URLQueryItem(name: "prompt", value: "select_account"), URLQueryItem(name: "response_type", value: "code"),
                URLQueryItem(name: "client_id", value: app.clientID.description),
                URLQueryItem(name: "redirect_uri", value: redirectURI),
                URLQueryItem(name: "resource", value: "https://graph.windows.net"),
            ]
            return components.string ?? ""
        }
        try await world.application().test(.router) { client in
            var jar = CookieJar()
            _ = try await PortalTests().signIn(
                client, &jar, upn: "admin@contoso.example", password: world.contoso.adminPassword)
            let unknown = try await client.execute(
                uri: authorizeURI("https://elsewhere.example/cb"), method: .get, headers: jar.header)
            #expect(unknown.status == .badRequest, "only the app's own redirect URIs")
            let granted = try await client.execute(uri: authorizeURI(redirect), method: .get, headers: jar.header)
            let location = try #require(granted.headers[.location])
            #expect(location.hasPrefix("https://SiemMsspConnector?code="))
            let code = URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value ?? ""

            func token(_ fields: [String: String]) async throws -> (HTTPResponse.Status, [String: Any]) {
                let response = try await client.form("/\(world.contoso.tenant.id)/oauth2/token", fields)
                return (
                    response.status,
                    (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]) ?? [:]
                )
            }
            let redeem = [
                "grant_type": "authorization_code", "client_id": app.clientID.description, "code": code,
                "redirect_uri": redirect, "resource": "https://graph.windows.net",
            ]
            #expect(try await token(redeem).1["error"] as? String == "invalid_client", "a registered app must authenticate")
            let again = try await client.execute(uri: authorizeURI(redirect), method: .get, headers: jar.header)
            let secondCode = URLComponents(string: again.headers[.location] ?? "")?.queryItems?.first { $0.name == "code" }?.value
            var withSecret = redeem
            withSecret["code"] = secondCode ?? ""
            withSecret["client_secret"] = secret
            let (status, tokens) = try await token(withSecret)
            #expect(status == .ok)
            let access = try #require(tokens["access_token"] as? String)
            let refresh = try #require(tokens["refresh_token"] as? String)
            #expect(tokens["resource"] as? String == "https://graph.windows.net")

            let siem = try await client.execute(
                uri: "/siem/api/alerts", method: .get, headers: [.authorization: "Bearer \(access)"])
            #expect(siem.status == .ok)

            // The SIEM connector refreshes with the app's secret; without it, nothing.
            let bare = ["grant_type": "refresh_token", "client_id": app.clientID.description, "refresh_token": refresh]
            #expect(try await token(bare).1["error"] as? String == "invalid_client")
            var refreshed = bare
            refreshed["client_secret"] = secret
            let (renewed, next) = try await token(refreshed)
            #expect(renewed == .ok && next["access_token"] as? String != nil)
        }
    }
}
