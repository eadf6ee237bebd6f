import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RampartCore
import RampartDelivery
import RampartIdentity
import RampartStore
import Testing

@testable import RampartServer

/// A person's language and time zone: set on the profile page, followed by every page and by emails to them.
@Suite struct PreferenceTests {
    /// `<time datetime="…" title="… UTC">local</time>` elements of a page: (title, local text).
    func times(_ html: String) -> [(utc: String, local: String)] {
        html.matches(of: #/<time datetime="[^"]+" title="([^"]+)">([^<]+)</time>/#).map {
            (String($0.output.1), String($0.output.2))
        }
    }

    static func utcDate(_ text: String) -> Date? {
        guard let match = text.wholeMatch(of: #/(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) UTC/#) else { return nil }
        let numbers = [match.output.1, match.output.2, match.output.3, match.output.4, match.output.5, match.output.6]
            .map { Int($0)! }
        return DateComponents(
            calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"), year: numbers[0],
            month: numbers[1], day: numbers[2], hour: numbers[3], minute: numbers[4], second: numbers[5]
        ).date
    }

    /// The date as each language writes it by hand: `11/29/2026, 09:30:05 PM` and `29.11.2026, 21:30:05`.
    static func written(_ date: Date, in zone: String, english: Bool) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        if english {
            let hour12 = c.hour! % 12 == 0 ? 12 : c.hour! % 12
            return String(
                format: "%02d/%02d/%d, %02d:%02d:%02d\u{202F}%@", c.month!, c.day!, c.year!, hour12, c.minute!, c.second!,
                c.hour! < 12 ? "AM" : "PM")
        }
        return String(format: "%02d.%02d.%04d, %02d:%02d:%02d", c.day!, c.month!, c.year!, c.hour!, c.minute!, c.second!)
    }

    @Test func theProfileDecidesLanguageAndTimeZoneOverTheBrowser() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let token = try await client.token(world.contoso)
            _ = try await client.json(
                "/ingest/v1/alerts", token: token, method: .post, body: ingestBody([record("tz-1", title: "Late night")]))
            var jar = CookieJar()
            _ = try await PortalTests().signIn(
                client, &jar, upn: "admin@contoso.example", password: world.contoso.adminPassword)
            var english = jar.header
            english[.acceptLanguage] = "en-US,en;q=0.9"

            let before = String(buffer: try await client.execute(uri: "/alerts", method: .get, headers: english).body)
            #expect(before.contains("lang=\"en\""))
            let utcShown = try #require(times(before).first)
            let shownAt = try #require(Self.utcDate(utcShown.utc))
            // No time zone chosen: the page shows UTC, written the English (US) way.
            #expect(utcShown.local == Self.written(shownAt, in: "UTC", english: true))

            let profile = try await client.execute(uri: "/profile", method: .get, headers: english)
            #expect(profile.status == .ok)
            let form = String(buffer: profile.body)
            #expect(form.contains("<option>Asia/Yekaterinburg</option>"))
            #expect(form.contains("<option value=\"\" selected>As the browser asks</option>"))
            let csrf = try #require(hiddenCSRF(form))
            let bad = try await client.form(
                "/profile", ["csrf": csrf, "language": "ru", "timeZone": "Mars/Olympus_Mons"], headers: english)
            #expect(bad.status == .badRequest)
            #expect(String(buffer: bad.body).contains("Choose a language and a time zone from the lists."))
            let saved = try await client.form(
                "/profile", ["csrf": csrf, "language": "ru", "timeZone": "Asia/Yekaterinburg"], headers: english)
            #expect(saved.status == .seeOther)
            #expect(saved.headers[.location] == "/profile?saved=1")

            // The browser still asks for English; the person asked for Russian and UTC+5.
            let after = String(buffer: try await client.execute(uri: "/alerts", method: .get, headers: english).body)
            #expect(after.contains("lang=\"ru\""))
            #expect(after.contains("Оповещения"))
            let local = try #require(times(after).first)
            #expect(local.utc == utcShown.utc, "the UTC value stays on hover")
            #expect(local.local == Self.written(shownAt, in: "Asia/Yekaterinburg", english: false))
            let user = try #require(try await world.services.directory.credentials(userPrincipalName: "admin@contoso.example")?.0)
            #expect(user.preferences == UserPreferences(language: "ru", timeZone: "Asia/Yekaterinburg"))
            let again = String(buffer: try await client.execute(uri: "/profile", method: .get, headers: english).body)
            #expect(again.contains("<option value=\"ru\" selected>Русский</option>"))
            #expect(again.contains("<option selected>Asia/Yekaterinburg</option>"))
        }
    }

    @Test func theLanguageSwitcherIsRememberedForTheSignedInPerson() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            var jar = CookieJar()
            _ = try await PortalTests().signIn(
                client, &jar, upn: "admin@contoso.example", password: world.contoso.adminPassword)
            let switched = try await client.execute(uri: "/language?to=ru&back=/alerts", method: .get, headers: jar.header)
            #expect(switched.status == .seeOther)
            let user = try #require(try await world.services.directory.credentials(userPrincipalName: "admin@contoso.example")?.0)
            #expect(user.preferences.language == "ru")
            // Another browser, which asks for English and has no language cookie, signs in: Russian.
            var other = CookieJar()
            _ = try await PortalTests().signIn(
                client, &other, upn: "admin@contoso.example", password: world.contoso.adminPassword)
            other.cookies["rampart_lang"] = nil
            var headers = other.header
            headers[.acceptLanguage] = "en"
            let page = try await client.execute(uri: "/alerts", method: .get, headers: headers)
            #expect(String(buffer: page.body).contains("lang=\"ru\""))
        }
    }

    @Test func numbersAndTimesFollowTheLanguage() throws {
        let time = Timestamp(iso8601: "2026-11-29T21:30:05Z")!
        let russian = PortalFormatter(language: "ru", timeZone: "Europe/Moscow")
        #expect(
            russian.time(time) == ["local": "30.11.2026, 00:30:05", "utc": "2026-11-29 21:30:05 UTC", "iso": time.description])
        #expect(
            russian.number(1_234_567).unicodeScalars.filter { $0.properties.numericType == nil }.map(\.value) == [0xA0, 0xA0])
        let english = PortalFormatter(language: "en", timeZone: nil)
        #expect(english.time(time)["local"] == "11/29/2026, 09:30:05\u{202F}PM")
        #expect(english.number(1_234_567) == "1,234,567")
        #expect(PortalFormatter(language: "en", timeZone: "Not/AZone").timeZone.secondsFromGMT() == 0)
    }

    @Test func aMissingTimeShowsWhatStandsForIt() throws {
        let renderer = try PortalRenderer()
        let format = PortalFormatter(language: "en", timeZone: nil)
        let expiring = Timestamp(iso8601: "2026-12-01T08:00:00Z")!
        let html = renderer.render(
            "tenants",
            [
                "tenants": [
                    ["name": "Home", "expires": format.time(nil)], ["name": "Customer", "expires": format.time(expiring)],
                ]
            ],
            language: "en", back: "/access/tenants")
        #expect(html.contains("<td>Your home tenant</td>"))
        #expect(html.contains("title=\"2026-12-01 08:00:00 UTC\">12/01/2026, 08:00:00\u{202F}AM</time>"))
    }

    @Test func unknownLanguagesAndTimeZonesAreRefused() throws {
        #expect(throws: RampartError.self) { try UserPreferences.checked(language: "de", timeZone: nil) }
        #expect(throws: RampartError.self) { try UserPreferences.checked(language: nil, timeZone: "Europe/Atlantis") }
        #expect(try UserPreferences.checked(language: "", timeZone: "") == UserPreferences())
        #expect(
            try UserPreferences.checked(language: "ru", timeZone: "Europe/Moscow")
                == UserPreferences(language: "ru", timeZone: "Europe/Moscow"))
    }

    @Test func emailsToAKnownPersonAreInTheirLanguageAndOthersInTheRules() async throws {
        let world = try await TestWorld()
        let scope = DirectoryService.hostScope(world.contoso.tenant.id)
        let analyst = try await world.services.admin.createUser(
            in: scope, userPrincipalName: "Analyst@contoso.example", displayName: "Analyst", role: .member,
            password: "correct horse battery staple 1")
        try await world.services.directory.setPreferences(userID: analyst.id, UserPreferences(language: "ru"))
        // A person of another tenant who chose Russian: Contoso does not know them, so the rule's language applies.
        let stranger = try await world.services.admin.createUser(
            in: DirectoryService.hostScope(world.fabrikam.tenant.id), userPrincipalName: "stranger@fabrikam.example",
            displayName: "Stranger", role: .member, password: "correct horse battery staple 2")
        try await world.services.directory.setPreferences(userID: stranger.id, UserPreferences(language: "ru"))
        let rules = world.services.notificationRules
        let rule = try await rules.create(
            in: scope,
            NotificationRuleInput(
                name: "High", allDeviceGroups: true, severities: ["High"],
                recipients: ["analyst@contoso.example", "outsider@mssp.example", "stranger@fabrikam.example"]))
        #expect(rule.language == "en")
        let ingest = AccessScope(
            tenantID: world.contoso.tenant.id, principal: .app(clientID: .random(), tenantID: world.contoso.tenant.id),
            capabilities: [.ingestAlerts], deviceGroups: .all)
        _ = try await world.services.alerts.ingest(
            [
                AlertSubmission(
                    sourceID: "mail-1", device: DeviceIdentity(hostname: "srv-1"), title: "Credential theft",
                    description: "", severity: .high, category: "CredentialAccess", detectionSource: "ThirdPartySensors",
                    detectorID: nil, firstEventTime: nil, lastEventTime: nil, mitreTechniques: [], evidence: [])
            ], scope: ingest, now: .now())
        try await world.services.notifications.pass()
        let emails = try await rules.deliveries(in: scope, ruleID: rule.id)
        let byRecipient = Dictionary(uniqueKeysWithValues: emails.map { ($0.recipient, $0) })
        #expect(
            byRecipient["analyst@contoso.example"]?.subject == "[Contoso] Оповещение, серьёзность «Высокая»: Credential theft")
        #expect(byRecipient["outsider@mssp.example"]?.subject == "[Contoso] High severity alert: Credential theft")
        #expect(byRecipient["stranger@fabrikam.example"]?.subject == "[Contoso] High severity alert: Credential theft")
        let body = try #require(byRecipient["analyst@contoso.example"]?.body)
        #expect(body.contains("Subject: =?UTF-8?"), "a Cyrillic subject travels as RFC 2047 encoded words")
        #expect(body.contains("lang=\"ru\"") || body.contains("Content-Transfer-Encoding"))
    }
}
