import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartServer
import RampartStore
import Testing

/// A browser's cookie jar, enough for the portal's flows.
struct CookieJar {
    var cookies: [String: String] = [:]

    mutating func take(_ response: TestResponse) {
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || header.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
    }

    var header: HTTPFields {
        cookies.isEmpty ? [:] : [.cookie: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
    }
}

func hiddenCSRF(_ html: String) -> String? {
    guard let range = html.range(of: "name=\"csrf\" value=\"") else { return nil }
    return String(html[range.upperBound...].prefix(while: { $0 != "\"" }))
}

@Suite struct PortalTests {
    func signIn(_ client: some TestClientProtocol, _ jar: inout CookieJar, upn: String, password: String) async throws
        -> TestResponse
    {
        let page = try await client.execute(uri: "/signin", method: .get, headers: jar.header)
        jar.take(page)
        let csrf = hiddenCSRF(String(buffer: page.body)) ?? ""
        let response = try await client.form(
            "/signin", ["username": upn, "password": password, "csrf": csrf], headers: jar.header)
        jar.take(response)
        return response
    }

    @Test func signInShowsTheTenantAndEscapesHostileAlertText() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let token = try await client.token(world.contoso)
            let hostile = "<script>alert('x')</script> & \"quotes\""
            _ = try await client.json(
                "/ingest/v1/alerts", token: token, method: .post, body: ingestBody([record("h1", title: hostile)]))

            var jar = CookieJar()
            let redirect = try await signIn(client, &jar, upn: "admin@contoso.example", password: world.contoso.adminPassword)
            #expect(redirect.status == .seeOther)
            #expect(redirect.headers[.location] == "/alerts")
            let setCookie = redirect.headers[values: .setCookie].first { $0.hasPrefix("rampart_session=") } ?? ""
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.contains("SameSite=Strict"))

            let queue = try await client.execute(uri: "/alerts", method: .get, headers: jar.header)
            let html = String(buffer: queue.body)
            #expect(queue.status == .ok)
            #expect(html.contains("id=\"current-tenant\""))
            #expect(html.contains("<strong>Contoso</strong>"))
            #expect(!html.contains("<script>"))
            #expect(html.contains("&lt;script&gt;"))
            #expect(queue.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)

            let link = html.range(of: "href=\"/alerts/da").map { html[$0.upperBound...].prefix(while: { $0 != "\"" }) } ?? ""
            let page = try await client.execute(uri: "/alerts/da\(link)", method: .get, headers: jar.header)
            let alertHTML = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(alertHTML.contains("powershell.exe"))
            #expect(!alertHTML.contains("<script>alert"))
        }
    }

    @Test func anotherTenantsAlertPageIsNotFound() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let token = try await client.token(world.fabrikam)
            let (_, result) = try await client.json(
                "/ingest/v1/alerts", token: token, method: .post, body: ingestBody([record("f1")]))
            let id = (result["results"] as? [[String: Any]])?.first?["alertId"] as? String ?? ""
            var jar = CookieJar()
            _ = try await signIn(client, &jar, upn: "admin@contoso.example", password: world.contoso.adminPassword)
            let page = try await client.execute(uri: "/alerts/\(id)", method: .get, headers: jar.header)
            #expect(page.status == .notFound)
            #expect(!String(buffer: page.body).contains("Suspicious thing"))
        }
    }

    @Test func signInRequiresTheFormsCSRFTokenAndTheRightPassword() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let noToken = try await client.form(
                "/signin", ["username": "admin@contoso.example", "password": world.contoso.adminPassword])
            #expect(noToken.status == .badRequest)
            #expect(noToken.headers[values: .setCookie].allSatisfy { !$0.hasPrefix("rampart_session=") })

            var jar = CookieJar()
            let wrong = try await signIn(client, &jar, upn: "admin@contoso.example", password: "not-the-password")
            #expect(wrong.status == .unauthorized)
            #expect(String(buffer: wrong.body).contains("id=\"signin-error\""))

            let anonymous = try await client.execute(uri: "/alerts", method: .get)
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location] == "/signin")
        }
    }

    @Test func repeatedFailuresAreThrottled() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            var jar = CookieJar()
            for _ in 0..<5 { _ = try await signIn(client, &jar, upn: "admin@contoso.example", password: "wrong-password-x") }
            let locked = try await signIn(client, &jar, upn: "admin@contoso.example", password: world.contoso.adminPassword)
            #expect(locked.status == .tooManyRequests)
            #expect(locked.headers[.retryAfter] != nil)
        }
    }

    @Test func signOutNeedsTheSessionsCSRFToken() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            var jar = CookieJar()
            _ = try await signIn(client, &jar, upn: "admin@contoso.example", password: world.contoso.adminPassword)
            let forged = try await client.form("/signout", ["csrf": "forged"], headers: jar.header)
            #expect(forged.status == .badRequest)
            #expect(try await client.execute(uri: "/alerts", method: .get, headers: jar.header).status == .ok)
            let queue = try await client.execute(uri: "/alerts", method: .get, headers: jar.header)
            let csrf = hiddenCSRF(String(buffer: queue.body)) ?? ""
            let out = try await client.form("/signout", ["csrf": csrf], headers: jar.header)
            #expect(out.status == .seeOther)
            let old = jar.header
            jar.take(out)
            #expect(try await client.execute(uri: "/alerts", method: .get, headers: old).status == .seeOther)
        }
    }

    @Test func russianReadersGetRussianPages() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let page = try await client.execute(
                uri: "/signin", method: .get, headers: [.acceptLanguage: "ru-RU,ru;q=0.9,en;q=0.5"])
            let html = String(buffer: page.body)
            #expect(html.contains("lang=\"ru\""))
            #expect(html.contains("Вход в Rampart"))
            let english = try await client.execute(uri: "/signin", method: .get, headers: [.acceptLanguage: "de, en;q=0.5"])
            #expect(String(buffer: english.body).contains("Sign in to Rampart"))
        }
    }

    @Test func administratorsReadTheAuditLogAndMembersDoNot() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let admin = try await AccessManagementTests().adminToken(client, world)
            _ = try await client.json("/manage/v1/groups", token: admin, method: .post, body: #"{"name":"<b>SOC</b>"}"#)
            _ = try await client.json(
                "/manage/v1/users", token: admin, method: .post,
                body: #"{"userPrincipalName":"m@contoso.example","password":"correct-horse-battery"}"#)
            var jar = CookieJar()
            _ = try await signIn(client, &jar, upn: "admin@contoso.example", password: world.contoso.adminPassword)
            let page = try await client.execute(uri: "/audit?action=group.create", method: .get, headers: jar.header)
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(html.contains("id=\"audit-log\""))
            #expect(html.contains("&lt;b&gt;SOC&lt;/b&gt;"))
            #expect(!html.contains("user.create"))
            #expect(html.contains("id=\"nav-audit\""))

            var member = CookieJar()
            _ = try await signIn(client, &member, upn: "m@contoso.example", password: "correct-horse-battery")
            let refused = try await client.execute(uri: "/audit", method: .get, headers: member.header)
            #expect(refused.status == .forbidden)
            let queue = try await client.execute(uri: "/alerts", method: .get, headers: member.header)
            #expect(!String(buffer: queue.body).contains("nav-audit"))
        }
    }

    @Test func administratorsManageDeviceGroupsInThePortal() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            var jar = CookieJar()
            _ = try await signIn(client, &jar, upn: "admin@contoso.example", password: world.contoso.adminPassword)
            let page = try await client.execute(uri: "/settings/device-groups", method: .get, headers: jar.header)
            #expect(page.status == .ok)
            let csrf = hiddenCSRF(String(buffer: page.body)) ?? ""
            // The preview lists matching devices and saves nothing.
            var device = record("p1")
            device["device"] = ["hostname": "prod-db", "domain": "corp.example", "tags": ["server"]]
            _ = try await client.json(
                "/ingest/v1/alerts", token: try await client.token(world.contoso), method: .post,
                body: ingestBody([device, record("p2")]))
            let preview = try await client.form(
                "/settings/device-groups", ["csrf": csrf, "name": "Servers", "tags": "server", "preview": "1"],
                headers: jar.header)
            let previewed = String(buffer: preview.body)
            #expect(preview.status == .ok)
            #expect(previewed.contains("<li>prod-db.corp.example</li>"))
            #expect(!previewed.contains("<li>ws-1.corp.example</li>"))
            #expect(previewed.contains("value=\"Servers\""))
            #expect(try await world.services.rbac.deviceGroups(tenantID: world.contoso.tenant.id).count == 1)
            let forged = try await client.form(
                "/settings/device-groups", ["csrf": "x", "name": "Servers", "tags": "server"], headers: jar.header)
            #expect(forged.status == .badRequest)
            let created = try await client.form(
                "/settings/device-groups", ["csrf": csrf, "name": "Servers", "tags": "server, prod*"], headers: jar.header)
            #expect(created.status == .seeOther)
            let listing = String(
                buffer: try await client.execute(uri: "/settings/device-groups", method: .get, headers: jar.header).body)
            #expect(listing.contains("tags: server, prod*"))
            #expect(listing.contains("Ungrouped devices (default)"))
            let invalid = try await client.form("/settings/device-groups", ["csrf": csrf, "name": "Empty"], headers: jar.header)
            #expect(invalid.status == .badRequest)
            #expect(String(buffer: invalid.body).contains("id=\"dg-error\""))
            let groups = try await world.services.rbac.deviceGroups(tenantID: world.contoso.tenant.id)
            let servers = try #require(groups.first { $0.name == "Servers" })
            let deleted = try await client.form(
                "/settings/device-groups/\(servers.id)/delete", ["csrf": csrf], headers: jar.header)
            #expect(deleted.status == .seeOther)
            #expect(try await world.services.rbac.deviceGroups(tenantID: world.contoso.tenant.id).count == 1)
        }
    }

    @Test func languageSwitchOnlyRedirectsWithinTheSite() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let outside = try await client.execute(uri: "/language?to=ru&back=//evil.example/", method: .get)
            #expect(outside.headers[.location] == "/alerts")
            let inside = try await client.execute(uri: "/language?to=ru&back=/signin", method: .get)
            #expect(inside.headers[.location] == "/signin")
            #expect(inside.headers[values: .setCookie].contains { $0.hasPrefix("rampart_lang=ru") })
        }
    }
}

@Suite struct StringCatalogTests {
    let resources: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/RampartServer/Resources")

    func catalog(_ language: String) throws -> [String: String] {
        try JSONDecoder().decode(
            [String: String].self, from: Data(contentsOf: resources.appendingPathComponent("strings/\(language).json")))
    }

    @Test func catalogsHaveTheSameKeys() throws {
        let english = try catalog("en")
        let russian = try catalog("ru")
        #expect(Set(english.keys).subtracting(russian.keys).sorted() == [])
        #expect(Set(russian.keys).subtracting(english.keys).sorted() == [])
        for (key, value) in english {
            let placeholders = { (text: String) in text.components(separatedBy: "%").count }
            #expect(placeholders(value) == placeholders(russian[key] ?? ""), "placeholders differ for \(key)")
        }
    }

    @Test func templatesUseOnlyKeysTheCatalogHas() throws {
        let english = try catalog("en")
        let folder = resources.appendingPathComponent("templates")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            var rest = Substring(text)
            while let range = rest.range(of: "{{t.") {
                let key = rest[range.upperBound...].prefix(while: { $0 != "}" })
                #expect(english[String(key)] != nil, "\(name) uses unknown key \(key)")
                rest = rest[range.upperBound...]
            }
        }
    }

    /// Every catalog-looking literal (`word_word`) in the portal's and the CLI's code must be a catalog key.
    @Test func codeUsesOnlyKeysTheCatalogHas() throws {
        let english = try catalog("en")
        let sources = resources.deletingLastPathComponent().deletingLastPathComponent()
        let files =
            try FileManager.default.contentsOfDirectory(atPath: sources.appendingPathComponent("RampartServer").path)
            .filter { $0.hasPrefix("Portal") }.map { "RampartServer/\($0)" }
            + FileManager.default.contentsOfDirectory(atPath: sources.appendingPathComponent("rampart").path).map {
                "rampart/\($0)"
            }
        let pattern = try Regex("\"((?:cli|signin|alerts|alert|pager|evidence|field|error|layout)_[a-z_]+)\"")
        var used: Set<String> = []
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: pattern) {
                if let key = match.output[1].substring { used.insert(String(key)) }
            }
        }
        #expect(used.count > 20)
        for key in used.sorted() {
            #expect(english[key] != nil, "code uses unknown key \(key)")
        }
    }
}
