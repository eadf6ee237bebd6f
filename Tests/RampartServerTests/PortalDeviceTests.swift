import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RampartCore
import Testing

/// The portal's device inventory: devices built from sensor data, a device's page with its alerts, in Russian too,
/// and nothing of another tenant.
@Suite struct PortalDeviceTests {
    @Test func devicesListAndDevicePageWithItsAlerts() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            var server = record("d1", title: "Credential dumping on the database server")
            server["device"] = [
                "hostname": "db-7", "domain": "corp.example", "osPlatform": "Linux", "osVersion": "Ubuntu 22.04",
                "ipAddress": "10.1.2.3", "tags": ["server"],
            ]
            _ = try await client.json(
                "/ingest/v1/alerts", token: try await client.token(world.contoso), method: .post,
                body: ingestBody([server, record("d2", title: "Workstation alert")]))
            var other = record("f1", title: "Fabrikam only")
            other["device"] = ["hostname": "fab-host", "domain": "fabrikam.example"]
            _ = try await client.json(
                "/ingest/v1/alerts", token: try await client.token(world.fabrikam), method: .post, body: ingestBody([other]))

            var jar = CookieJar()
            _ = try await PortalTests().signIn(client, &jar, upn: "admin@contoso.example", password: world.contoso.adminPassword)
            let list = try await client.execute(uri: "/devices", method: .get, headers: jar.header)
            let html = String(buffer: list.body)
            #expect(list.status == .ok && html.contains("id=\"device-list\""))
            #expect(html.contains("db-7.corp.example") && html.contains("ws-1.corp.example"))
            #expect(html.contains("10.1.2.3") && html.contains("Linux Ubuntu 22.04"))
            #expect(!html.contains("fab-host"), "another tenant's device")
            #expect(html.contains("2 devices"))

            let marker = "href=\"/devices/"
            let rows = html.components(separatedBy: marker).dropFirst().map { String($0.prefix { $0 != "\"" }) }
            let database = try #require(
                rows.first { id in html.range(of: "\(marker)\(id)\">db-7.corp.example")?.isEmpty == false })
            let page = try await client.execute(uri: "/devices/\(database)", method: .get, headers: jar.header)
            let detail = String(buffer: page.body)
            #expect(page.status == .ok && detail.contains("id=\"device-alerts\""))
            #expect(detail.contains("Credential dumping on the database server"))
            #expect(!detail.contains("Workstation alert"), "another device's alert")
            #expect(detail.contains("server"), "the device's tags")

            var russian = jar.header
            russian[.acceptLanguage] = "ru"
            let translated = String(
                buffer: try await client.execute(uri: "/devices/\(database)", method: .get, headers: russian).body)
            #expect(translated.contains("Оповещения на этом устройстве") && detail.contains("Alerts on this device"))

            let missing = try await client.execute(
                uri: "/devices/0000000000000000000000000000000000000000", method: .get, headers: jar.header)
            #expect(missing.status == .notFound)
        }
    }
}
