import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartIdentity
import RampartServer
import RampartStore
import Testing

/// The MSSP path end to end through HTTP: connect, package, request, approve, act as a guest, revoke, expire.
@Suite struct DelegationTests {
    static let analystPassword = "correct-horse-battery"

    struct Setup {
        let world: TestWorld
        let clock: TestClock
        let mssp: Tenant
        let analyst: User
    }

    func setup() async throws -> Setup {
        let clock = TestClock()
        let world = try await TestWorld(clock: clock.wall)
        let admin = world.services.admin
        let mssp = try await admin.createTenant(name: "MSSP", domain: "mssp.example", kind: .mssp).tenant
        let analyst = try await admin.createUser(
            in: DirectoryService.hostScope(mssp.id), userPrincipalName: "analyst@mssp.example", displayName: "Analyst",
            role: .member, password: Self.analystPassword)
        let contoso = DirectoryService.hostScope(world.contoso.tenant.id)
        for name in ["MSSP analysts", "Contoso SOC"] { _ = try await admin.createGroup(in: contoso, name: name, description: "") }
        _ = try await world.services.access.saveRole(
            in: contoso,
            RoleInput(
                name: "Analyst", description: nil, permissions: ["ViewData.SecurityOperations"],
                groups: ["MSSP analysts", "Contoso SOC"]))
        for (name, tag, groups) in [("Servers", "server", ["MSSP analysts"]), ("Finance", "finance", ["Contoso SOC"])] {
            _ = try await world.services.access.saveDeviceGroup(
                in: contoso,
                DeviceGroupInput(
                    name: name, rank: nil, description: nil, remediationLevel: nil, rules: DeviceGroupRules(tags: [tag]),
                    userGroups: groups))
        }
        return Setup(world: world, clock: clock, mssp: mssp, analyst: analyst)
    }

    func userToken(
        _ client: some TestClientProtocol, tenant: String, upn: String, password: String,
        scope: String = "api://rampart/.default"
    ) async throws -> (HTTPResponse.Status, String) {
        let response = try await client.form(
            "/\(tenant)/oauth2/v2.0/token",
            [
                "grant_type": "password", "client_id": TokenService.publicClientID.description, "username": upn,
                "password": password, "scope": scope,
            ])
        let object = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
        return (response.status, object?["access_token"] as? String ?? "")
    }

    func titles(_ body: [String: Any]) -> Set<String> {
        Set((body["value"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String })
    }

    @Test func requestApproveActRevokeAndExpire() async throws {
        let s = try await setup()
        let contosoID = s.world.contoso.tenant.id.description
        try await s.world.application().test(.router) { client in
            let (_, admin) = try await userToken(
                client, tenant: contosoID, upn: "admin@contoso.example", password: s.world.contoso.adminPassword)
            let ingest = try await client.token(s.world.contoso)
            var server = record("s1", title: "server-alert")
            server["device"] = ["hostname": "db-1", "domain": "corp.example", "tags": ["server"]]
            var finance = record("f1", title: "finance-alert")
            finance["device"] = ["hostname": "fin-1", "domain": "corp.example", "tags": ["finance"]]
            _ = try await client.json("/ingest/v1/alerts", token: ingest, method: .post, body: ingestBody([server, finance]))

            // A package may only name connected organizations.
            let packageBody =
                #"{"name":"MSSP analysts","groups":["MSSP analysts"],"requestorOrganizations":["mssp.example"],"expiryDays":30}"#
            #expect(
                try await client.json("/manage/v1/access-packages", token: admin, method: .post, body: packageBody).0
                    == .badRequest)
            let (connected, _) = try await client.json(
                "/manage/v1/connected-organizations", token: admin, method: .post, body: #"{"tenant":"mssp.example"}"#)
            #expect(connected == .created)
            let (created, package) = try await client.json(
                "/manage/v1/access-packages", token: admin, method: .post, body: packageBody)
            #expect(created == .created)
            let packageID = package["id"] as? String ?? ""
            #expect(package["requestLink"] as? String == "https://rampart.test/access/request/\(packageID)")
            #expect(package["requiresJustification"] as? Bool == true)

            // The analyst cannot get a token in the customer tenant before approval.
            #expect(
                try await userToken(
                    client, tenant: contosoID, upn: "analyst@mssp.example", password: Self.analystPassword,
                    scope: "https://api.securitycenter.microsoft.com/.default"
                ).0 == .badRequest)
            let (_, home) = try await userToken(
                client, tenant: "mssp.example", upn: "analyst@mssp.example", password: Self.analystPassword)
            let (mine, myAccess) = try await client.json("/manage/v1/me/access", token: home)
            #expect(mine == .ok)
            #expect((myAccess["requestable"] as? [[String: Any]])?.first?["id"] as? String == packageID)
            #expect(
                try await client.json(
                    "/manage/v1/access-requests", token: home, method: .post, body: #"{"packageId":"\#(packageID)"}"#
                ).0 == .badRequest, "justification is required")
            let (requested, request) = try await client.json(
                "/manage/v1/access-requests", token: home, method: .post,
                body: #"{"packageId":"\#(packageID)","justification":"Contoso rota"}"#)
            #expect(requested == .created)
            let requestID = request["id"] as? String ?? ""
            #expect(
                try await client.json(
                    "/manage/v1/access-requests", token: home, method: .post,
                    body: #"{"packageId":"\#(packageID)","justification":"again"}"#
                ).0 == .conflict)
            // The requester cannot approve, not even with a token of the customer tenant.
            #expect(
                try await client.json("/manage/v1/access-requests/\(requestID)/approve", token: home, method: .post).0
                    == .notFound)
            let (approvals, queue) = try await client.json("/manage/v1/access-approvals", token: admin)
            #expect(approvals == .ok)
            #expect((queue["value"] as? [[String: Any]])?.map { $0["id"] as? String } == [requestID])
            let (approved, decided) = try await client.json(
                "/manage/v1/access-requests/\(requestID)/approve", token: admin, method: .post, body: #"{"reason":"ok"}"#)
            #expect(approved == .ok)
            #expect(decided["status"] as? String == "approved")

            // As a guest: a token of the customer tenant, and only the permitted device group's alerts.
            let (guestStatus, guest) = try await userToken(
                client, tenant: contosoID, upn: "analyst@mssp.example", password: Self.analystPassword,
                scope: "https://api.securitycenter.microsoft.com/.default")
            #expect(guestStatus == .ok)
            let (listed, alerts) = try await client.json("/api/alerts", token: guest)
            #expect(listed == .ok)
            #expect(titles(alerts) == ["server-alert"])
            let (_, audit) = try await client.json("/manage/v1/audit?action=alerts.list", token: admin)
            let reads = audit["value"] as? [[String: Any]] ?? []
            #expect(reads.first?["actor"] as? String == "analyst@mssp.example")
            #expect(reads.first?["actorTenantId"] as? String == s.mssp.id.description)

            // Revocation stops the token already issued at its next call.
            let (_, assignments) = try await client.json("/manage/v1/access-assignments", token: admin)
            let assignment = (assignments["value"] as? [[String: Any]])?.first
            #expect(assignment?["state"] as? String == "active")
            let assignmentID = assignment?["id"] as? String ?? ""
            #expect(
                try await client.json("/manage/v1/access-assignments/\(assignmentID)/revoke", token: admin, method: .post).0
                    == .ok)
            #expect(try await client.json("/api/alerts", token: guest).0 == .unauthorized)
            #expect(
                try await client.json("/manage/v1/access-assignments/\(assignmentID)/revoke", token: admin, method: .post).0
                    == .notFound)

            // Extension is a new request; then time passes beyond the expiry and the guest token stops.
            let (_, again) = try await client.json(
                "/manage/v1/access-requests", token: home, method: .post,
                body: #"{"packageId":"\#(packageID)","justification":"back on the rota"}"#)
            _ = try await client.json(
                "/manage/v1/access-requests/\(again["id"] as? String ?? "")/approve", token: admin, method: .post)
            let (_, renewed) = try await userToken(
                client, tenant: contosoID, upn: "analyst@mssp.example", password: Self.analystPassword,
                scope: "https://api.securitycenter.microsoft.com/.default")
            #expect(try await client.json("/api/alerts", token: renewed).0 == .ok)
            s.clock.advance(days: 29)
            #expect(try await client.json("/api/alerts", token: renewed).0 == .ok)
            s.clock.advance(days: 2)
            #expect(try await client.json("/api/alerts", token: renewed).0 == .unauthorized)
            let (_, afterExpiry) = try await client.json("/manage/v1/access-assignments", token: admin)
            #expect(
                Set((afterExpiry["value"] as? [[String: Any]] ?? []).compactMap { $0["state"] as? String })
                    == ["revoked", "expired"])
            let (_, log) = try await client.json("/manage/v1/audit", token: admin)
            let actions = Set((log["value"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String })
            for action in [
                "connectedOrganization.add", "accessPackage.create", "accessRequest.create", "accessRequest.approve",
                "accessAssignment.revoke", "alerts.list",
            ] {
                #expect(actions.contains(action), "audit lacks \(action)")
            }
        }
    }

    @Test func portalSwitchesTenantsAndRefusesWithoutRevealingThem() async throws {
        let s = try await setup()
        let contoso = s.world.contoso.tenant.id
        let customer = DirectoryService.hostScope(contoso)
        _ = try await s.world.services.connectedOrganizations.add(in: customer, reference: "mssp.example")
        let package = try await s.world.services.entitlements.savePackage(
            in: customer,
            AccessPackageInput(name: "Analysts", groups: ["MSSP analysts"], requestorOrganizations: ["mssp.example"]))
        try await s.world.application().test(.router) { client in
            var jar = CookieJar()
            _ = try await PortalTests().signIn(client, &jar, upn: "analyst@mssp.example", password: Self.analystPassword)
            // Before approval: the no-access page offers the package's request link.
            let refused = try await client.execute(uri: "/alerts?tid=\(contoso)", method: .get, headers: jar.header)
            #expect(refused.status == .forbidden)
            #expect(String(buffer: refused.body).contains(package.requestPath))
            // A tenant that offers nothing and one that does not exist get the very same page.
            let fabrikam = try await client.execute(
                uri: "/alerts?tid=\(s.world.fabrikam.tenant.id)", method: .get, headers: jar.header)
            let nowhere = try await client.execute(uri: "/alerts?tid=\(TenantID.random())", method: .get, headers: jar.header)
            #expect(fabrikam.status == .forbidden)
            #expect(String(buffer: fabrikam.body) == String(buffer: nowhere.body))
            #expect(!String(buffer: fabrikam.body).contains("Fabrikam"))

            // Request through the durable link.
            let form = try await client.execute(uri: package.requestPath, method: .get, headers: jar.header)
            #expect(form.status == .ok)
            let csrf = hiddenCSRF(String(buffer: form.body)) ?? ""
            let sent = try await client.form(
                package.requestPath, ["csrf": csrf, "justification": "rota"], headers: jar.header)
            #expect(sent.status == .seeOther)
            let pending = try #require(
                try await s.world.services.entitlements.approvals(in: customer).first?.0)
            _ = try await s.world.services.entitlements.decide(in: customer, requestID: pending.id, approve: true, reason: "")

            let inside = try await client.execute(uri: "/alerts?tid=\(contoso)", method: .get, headers: jar.header)
            jar.take(inside)
            #expect(inside.status == .ok)
            #expect(String(buffer: inside.body).contains("Contoso"))
            // The choice sticks for links without ?tid=.
            #expect(jar.cookies["rampart_tenant"] == contoso.description)
            let follow = try await client.execute(uri: "/alerts", method: .get, headers: jar.header)
            #expect(String(buffer: follow.body).contains("<strong>Contoso</strong>"))
            let picker = try await client.execute(uri: "/access/tenants", method: .get, headers: jar.header)
            #expect(String(buffer: picker.body).contains("data-tenant=\"\(contoso)\" aria-current=\"true\""))
            #expect(String(buffer: picker.body).contains("href=\"/alerts?tid=\(s.mssp.id)\""))

            // Revoked: the next page load is refused.
            let assignment = try #require(try await s.world.services.entitlements.assignments(in: customer).first)
            _ = try await s.world.services.entitlements.revoke(in: customer, assignmentID: assignment.id)
            let after = try await client.execute(uri: "/alerts", method: .get, headers: jar.header)
            #expect(after.status == .forbidden)
            let log = try await AuditRepository(db: s.world.services.database).entries(customer, limit: 100).map(\.entry)
            #expect(log.contains { $0.action == "portal.alerts.list" && $0.actor == "analyst@mssp.example" })
        }
    }

    @Test func customersConnectTheMSSPAndAuthorizeItsAppInThePortal() async throws {
        let s = try await setup()
        let msspScope = DirectoryService.hostScope(s.mssp.id)
        let app = try await s.world.services.admin.createApp(in: msspScope, displayName: "MSSP SIEM")
        let secret = try await s.world.services.admin.addSecret(in: msspScope, clientID: app.clientID).secret
        try await s.world.application().test(.router) { client in
            var jar = CookieJar()
            _ = try await PortalTests().signIn(
                client, &jar, upn: "admin@contoso.example", password: s.world.contoso.adminPassword)
            let page = try await client.execute(uri: "/settings/partners", method: .get, headers: jar.header)
            #expect(page.status == .ok)
            let csrf = hiddenCSRF(String(buffer: page.body)) ?? ""
            let connected = try await client.form(
                "/settings/partners/organizations", ["csrf": csrf, "organization": "mssp.example"], headers: jar.header)
            #expect(connected.status == .seeOther)
            let unknown = try await client.form(
                "/settings/partners/organizations", ["csrf": csrf, "organization": "nowhere.example"], headers: jar.header)
            #expect(unknown.status == .badRequest)
            #expect(String(buffer: unknown.body).contains("id=\"partners-error\""))
            let authorized = try await client.form(
                "/settings/partners/apps",
                ["csrf": csrf, "app": app.clientID.description, "permission": "Alert.Read.All", "deviceGroups": "Servers"],
                headers: jar.header)
            #expect(authorized.status == .seeOther)
            let listing = String(
                buffer: try await client.execute(uri: "/settings/partners", method: .get, headers: jar.header).body)
            #expect(listing.contains("mssp.example"))
            #expect(listing.contains(app.clientID.description))
            #expect(listing.contains("Alert.Read.All"))

            // The MSSP's app now gets tokens from Contoso's endpoint and reads only the Servers group.
            let response = try await client.form(
                "/\(s.world.contoso.tenant.id)/oauth2/v2.0/token",
                [
                    "grant_type": "client_credentials", "client_id": app.clientID.description, "client_secret": secret,
                    "scope": "https://api.securitycenter.microsoft.com/.default",
                ])
            #expect(response.status == .ok)
            let token =
                (try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])?[
                    "access_token"] as? String ?? ""
            var server = record("s1", title: "server-alert")
            server["device"] = ["hostname": "db-1", "domain": "corp.example", "tags": ["server"]]
            _ = try await client.json(
                "/ingest/v1/alerts", token: try await client.token(s.world.contoso), method: .post,
                body: ingestBody([server, record("o1", title: "other-alert")]))
            let (_, alerts) = try await client.json("/api/alerts", token: token)
            #expect(titles(alerts) == ["server-alert"])

            let removed = try await client.form(
                "/settings/partners/apps/\(app.clientID)/remove", ["csrf": csrf], headers: jar.header)
            #expect(removed.status == .seeOther)
            #expect(try await client.json("/api/alerts", token: token).0 == .forbidden)
        }
    }

    /// Gives the analyst a live assignment in `tenant` holding a role with `permissions` over every device group.
    func assign(_ s: Setup, tenant: TenantID, permissions: [String]) async throws {
        let scope = DirectoryService.hostScope(tenant)
        _ = try await s.world.services.connectedOrganizations.add(in: scope, reference: "mssp.example")
        _ = try await s.world.services.admin.createGroup(in: scope, name: "MSSP queue", description: "")
        _ = try await s.world.services.access.saveRole(
            in: scope, RoleInput(name: "MSSP queue", description: nil, permissions: permissions, groups: ["MSSP queue"]))
        let package = try await s.world.services.entitlements.savePackage(
            in: scope,
            AccessPackageInput(
                name: "Queue", groups: ["MSSP queue"], requestorOrganizations: ["mssp.example"], requiresJustification: false))
        let request = try await s.world.services.entitlements.request(by: s.analyst, packageID: package.id, justification: "")
        _ = try await s.world.services.entitlements.decide(in: scope, requestID: request.id, approve: true, reason: "")
    }

    @Test func oneQueueAcrossCustomersWithPerTenantBulkActions() async throws {
        let s = try await setup()
        let contoso = s.world.contoso.tenant.id
        let fabrikam = s.world.fabrikam.tenant.id
        try await assign(s, tenant: contoso, permissions: ["ViewData.SecurityOperations", "AlertsInvestigation"])
        try await assign(s, tenant: fabrikam, permissions: ["ViewData.SecurityOperations"])
        try await s.world.application().test(.router) { client in
            _ = try await client.json(
                "/ingest/v1/alerts", token: try await client.token(s.world.contoso), method: .post,
                body: ingestBody([record("c1", title: "contoso-alert")]))
            _ = try await client.json(
                "/ingest/v1/alerts", token: try await client.token(s.world.fabrikam), method: .post,
                body: ingestBody([record("f1", title: "fabrikam-alert")]))

            // The API: one list, each alert with its tenant; filterable by tenant.
            let (_, home) = try await userToken(
                client, tenant: "mssp.example", upn: "analyst@mssp.example", password: Self.analystPassword,
                scope: "https://api.securitycenter.microsoft.com/.default")
            let (status, all) = try await client.json("/api/mssp/alerts", token: home)
            #expect(status == .ok)
            let items = all["value"] as? [[String: Any]] ?? []
            #expect(Set(items.compactMap { $0["title"] as? String }) == ["contoso-alert", "fabrikam-alert"])
            #expect(Set(items.compactMap { $0["aadTenantId"] as? String }) == [contoso.description, fabrikam.description])
            let (_, one) = try await client.json("/api/mssp/alerts?$filter=aadTenantId%20eq%20%27\(fabrikam)%27", token: home)
            #expect(titles(one) == ["fabrikam-alert"])

            // The portal: the queue shows both; a bulk action applies where it is allowed and says where it is not.
            var jar = CookieJar()
            _ = try await PortalTests().signIn(client, &jar, upn: "analyst@mssp.example", password: Self.analystPassword)
            let page = try await client.execute(uri: "/queue", method: .get, headers: jar.header)
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(html.contains("contoso-alert") && html.contains("fabrikam-alert"))
            #expect(html.contains("/alerts/") && html.contains("?tid=\(fabrikam)"))
            let values = items.compactMap { item -> String? in
                guard let id = item["id"] as? String, let tenant = item["aadTenantId"] as? String else { return nil }
                return "\(tenant)|\(id)"
            }
            let csrf = hiddenCSRF(html) ?? ""
            var body = "csrf=\(csrf)&status=InProgress&comment=triaged"
            for value in values { body += "&alert=" + (value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") }
            var headers = jar.header
            headers[.contentType] = "application/x-www-form-urlencoded"
            let done = try await client.execute(
                uri: "/queue/bulk", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(done.status == .seeOther)
            let location = done.headers[.location] ?? ""
            #expect(location.removingPercentEncoding?.contains("Contoso: 1") == true, "\(location)")
            #expect(location.removingPercentEncoding?.contains("Fabrikam") == true)
            let (_, after) = try await client.json("/api/mssp/alerts", token: home)
            let statuses = Dictionary(
                uniqueKeysWithValues: (after["value"] as? [[String: Any]] ?? []).compactMap { item -> (String, String)? in
                    guard let title = item["title"] as? String, let status = item["status"] as? String else { return nil }
                    return (title, status)
                })
            #expect(statuses == ["contoso-alert": "InProgress", "fabrikam-alert": "New"])
            let filtered = try await client.execute(
                uri: "/queue?tenant=\(fabrikam)", method: .get, headers: jar.header)
            #expect(!String(buffer: filtered.body).contains("contoso-alert"))

            // The overview: a card per tenant with its open alerts and a drawn 30-day trend.
            let overview = String(buffer: try await client.execute(uri: "/overview", method: .get, headers: jar.header).body)
            #expect(overview.components(separatedBy: "<svg class=\"trend\"").count == 3)
            #expect(overview.contains("data-tenant=\"\(fabrikam)\""))
            #expect(overview.contains("fabrikam-alert"), "the oldest unassigned alert is named")
        }
    }
}
