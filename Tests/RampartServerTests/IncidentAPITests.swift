import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartIdentity
import Testing

@testable import RampartServer

/// Defender XDR's incidents API and the portal's incident pages over correlated alerts.
@Suite struct IncidentAPITests {
    /// Two alerts on ws-1 (one incident), one on db-7 with nothing in common (another), one in Fabrikam.
    func seed(_ client: some TestClientProtocol, _ world: TestWorld) async throws {
        var server = record("d1", title: "Credential dumping", severity: "Low")
        server["device"] = ["hostname": "db-7", "domain": "corp.example"]
        var second = record("w2", title: "Discovery commands", severity: "Medium")
        second["category"] = "Discovery"
        second["evidence"] = [["entityType": "Ip", "ipAddress": "203.0.113.9"]]
        let (status, _) = try await client.json(
            "/ingest/v1/alerts", token: try await client.token(world.contoso), method: .post,
            body: ingestBody([record("w1", title: "Encoded PowerShell"), second, server]))
        #expect(status == .ok)
        _ = try await client.json(
            "/ingest/v1/alerts", token: try await client.token(world.fabrikam), method: .post,
            body: ingestBody([record("f1")]))
    }

    @Test func incidentsInDefenderXDRShapeWithFiltersPagingAndManagement() async throws {
        let world = try await TestWorld()
        _ = try await world.services.admin.grant(
            in: DirectoryService.hostScope(world.contoso.tenant.id), clientID: world.contoso.clientID,
            permissions: ["Alert.Read.All", "Alert.Ingest", "Incident.ReadWrite.All"])
        try await world.application().test(.router) { client in
            try await seed(client, world)
            let token = try await client.token(world.contoso)
            let (status, body) = try await client.json("/api/incidents", token: token)
            #expect(status == .ok)
            #expect(body["@odata.context"] as? String == "https://api.security.microsoft.com/api/$metadata#Incidents")
            let incidents = try #require(body["value"] as? [[String: Any]])
            #expect(incidents.count == 2)
            let multi = try #require(incidents.first { ($0["alerts"] as? [Any])?.count == 2 })
            #expect(multi["incidentName"] as? String == "Multi-stage incident involving Discovery & Execution on one endpoint")
            #expect(multi["severity"] as? String == "High" && multi["status"] as? String == "Active")
            #expect(multi["classification"] as? String == "Unknown" && multi["determination"] as? String == "NotAvailable")
            let id = try #require(multi["incidentId"] as? Int)
            #expect(multi["incidentUri"] as? String == "https://rampart.test/incidents/\(id)?tid=\(world.contoso.tenant.id)")
            let alerts = try #require(multi["alerts"] as? [[String: Any]])
            #expect(alerts.allSatisfy { $0["incidentId"] as? Int == id && $0["status"] as? String == "New" })
            let devices = try #require(alerts.first?["devices"] as? [[String: Any]])
            #expect(devices.first?["deviceDnsName"] as? String == "ws-1.corp.example")
            let entities = alerts.flatMap { $0["entities"] as? [[String: Any]] ?? [] }
            #expect(entities.contains { $0["entityType"] as? String == "Ip" && $0["ipAddress"] as? String == "203.0.113.9" })
            #expect(entities.contains { $0["entityType"] as? String == "Process" && $0["processId"] as? Int == 42 })
            #expect(entities.allSatisfy { $0["sha1"] == nil }, "entities carry only the keys with a value")

            // The alert says which incident it is in.
            let alertID = try #require(alerts.first?["alertId"] as? String)
            let (_, alert) = try await client.json("/api/alerts/\(alertID)", token: token)
            #expect(alert["incidentId"] as? Int == id)

            // $filter, $top and paging.
            let (_, active) = try await client.json("/api/incidents?$filter=status%20eq%20'Resolved'", token: token)
            #expect((active["value"] as? [Any])?.isEmpty == true)
            let (_, first) = try await client.json("/api/incidents?$top=1", token: token)
            #expect((first["value"] as? [Any])?.count == 1)
            let next = try #require(first["@odata.nextLink"] as? String)
            let (_, second) = try await client.json(String(next.dropFirst("https://rampart.test".count)), token: token)
            #expect((second["value"] as? [Any])?.count == 1 && second["@odata.nextLink"] == nil)
            let (tooMany, error) = try await client.json("/api/incidents?$top=101", token: token)
            #expect(tooMany == .badRequest && (error["error"] as? [String: Any])?["code"] as? String == "ODataError")
            let (badFilter, _) = try await client.json("/api/incidents?$filter=severity%20eq%20'High'", token: token)
            #expect(badFilter == .badRequest, "severity is not filterable, as in Defender XDR")

            // Management: resolving resolves the alerts; the answer is the updated incident.
            let (patched, updated) = try await client.json(
                "/api/incidents/\(id)", token: token, method: .patch,
                body:
                    #"{"status":"Resolved","assignedTo":"tier2@contoso.example","classification":"TruePositive","determination":"Malware"}"#
            )
            #expect(patched == .ok && updated["status"] as? String == "Resolved")
            #expect((updated["alerts"] as? [[String: Any]])?.allSatisfy { $0["status"] as? String == "Resolved" } == true)
            let (_, resolvedAlert) = try await client.json("/api/alerts/\(alertID)", token: token)
            #expect(
                resolvedAlert["status"] as? String == "Resolved"
                    && resolvedAlert["assignedTo"] as? String == "tier2@contoso.example")
            let (badBody, _) = try await client.json(
                "/api/incidents/\(id)", token: token, method: .patch, body: #"{"status":"Closed"}"#)
            #expect(badBody == .badRequest)
            let (unknownField, _) = try await client.json(
                "/api/incidents/\(id)", token: token, method: .patch, body: #"{"severity":"Low"}"#)
            #expect(unknownField == .badRequest)

            // Another tenant's incident is not found; without the permission, 403.
            let fabrikam = try await client.token(world.fabrikam)
            #expect(try await client.json("/api/incidents/\(id)", token: fabrikam).0 == .forbidden)
            _ = try await world.services.admin.grant(
                in: DirectoryService.hostScope(world.fabrikam.tenant.id), clientID: world.fabrikam.clientID,
                permissions: ["Incident.Read.All"])
            let reader = try await client.token(world.fabrikam)
            #expect(try await client.json("/api/incidents/\(id)", token: reader).0 == .notFound)
            let (_, theirs) = try await client.json("/api/incidents", token: reader)
            #expect((theirs["value"] as? [[String: Any]])?.count == 1)
            #expect(try await client.json("/api/incidents/abc", token: token).0 == .notFound)
        }
    }

    @Test func portalListsIncidentsAndManagesOne() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            try await seed(client, world)
            var jar = CookieJar()
            _ = try await PortalTests().signIn(client, &jar, upn: "admin@contoso.example", password: world.contoso.adminPassword)
            let list = try await client.execute(uri: "/incidents", method: .get, headers: jar.header)
            let html = String(buffer: list.body)
            #expect(list.status == .ok && html.contains("id=\"incident-list\"") && html.contains("2 active incidents"))
            #expect(html.contains("Multi-stage incident involving Discovery &amp; Execution on one endpoint"))
            #expect(html.contains("Credential dumping on one endpoint"))
            let marker = "href=\"/incidents/"
            let ids = html.components(separatedBy: marker).dropFirst().map { String($0.prefix { $0 != "\"" }) }
            let id = try #require(ids.first { html.contains("\(marker)\($0)\">Multi-stage") })
            let page = try await client.execute(uri: "/incidents/\(id)", method: .get, headers: jar.header)
            let detail = String(buffer: page.body)
            #expect(page.status == .ok && detail.contains("Encoded PowerShell") && detail.contains("Discovery commands"))
            #expect(!detail.contains("Credential dumping"), "another incident's alert")
            let csrf = hiddenCSRF(detail) ?? ""
            let bad = try await client.form(
                "/incidents/\(id)",
                ["csrf": csrf, "status": "Active", "classification": "Unknown", "determination": "Malware", "assignedTo": ""],
                headers: jar.header)
            #expect(bad.status == .badRequest && String(buffer: bad.body).contains("id=\"incident-error\""))
            let saved = try await client.form(
                "/incidents/\(id)",
                [
                    "csrf": csrf, "status": "Resolved", "classification": "FalsePositive", "determination": "Other",
                    "assignedTo": "analyst@contoso.example",
                ], headers: jar.header)
            #expect(saved.status == .seeOther || saved.status == .found)
            let after = String(buffer: try await client.execute(uri: "/incidents/\(id)", method: .get, headers: jar.header).body)
            #expect(after.contains("<dd>Resolved</dd>") && after.contains("<dd>FalsePositive</dd>"))
            #expect(after.contains("analyst@contoso.example"))
            let active = String(buffer: try await client.execute(uri: "/incidents", method: .get, headers: jar.header).body)
            #expect(active.contains("1 active incidents") && !active.contains("Multi-stage"))

            var russian = jar.header
            russian[.acceptLanguage] = "ru"
            let translated = String(buffer: try await client.execute(uri: "/incidents", method: .get, headers: russian).body)
            #expect(translated.contains("Активных инцидентов: 1"))
            let forged = try await client.form("/incidents/\(id)", ["csrf": "forged", "status": "Active"], headers: jar.header)
            #expect(forged.status == .badRequest)
        }
    }
}
