import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RampartCore
import RampartDelivery
import RampartIdentity
import RampartServer
import RampartStore
import Testing

/// Notification rules through the management API and the portal, with the device-group scope of their managers.
@Suite struct NotificationTests {
    @Test func managersAreLimitedToTheirDeviceGroups() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let admin = try await AccessManagementTests().adminToken(client, world)
            _ = try await client.json(
                "/manage/v1/users", token: admin, method: .post,
                body: #"{"userPrincipalName":"lead@contoso.example","password":"correct-horse-battery"}"#)
            _ = try await client.json("/manage/v1/groups", token: admin, method: .post, body: #"{"name":"WebTeam"}"#)
            _ = try await client.json(
                "/manage/v1/groups/WebTeam/members", token: admin, method: .post,
                body: #"{"user":"lead@contoso.example"}"#)
            _ = try await client.json(
                "/manage/v1/roles", token: admin, method: .post,
                body: #"{"name":"Web security","permissions":["ManageSecuritySettings"],"groups":["WebTeam"]}"#)
            _ = try await client.json("/manage/v1/groups", token: admin, method: .post, body: #"{"name":"FinanceIT"}"#)
            _ = try await client.json(
                "/manage/v1/roles", token: admin, method: .post,
                body: #"{"name":"Finance","permissions":["ViewData.SecurityOperations"],"groups":["FinanceIT"]}"#)
            for (name, tag, access) in [("Web", "web", "WebTeam"), ("Finance", "finance", "FinanceIT")] {
                let (status, body) = try await client.json(
                    "/manage/v1/device-groups", token: admin, method: .post,
                    body: #"{"name":"\#(name)","rules":{"tags":["\#(tag)"]},"userGroups":["\#(access)"]}"#)
                #expect(status == .created, "\(body)")
            }
            let lead = try await AccessManagementTests().adminToken(
                client, world, upn: "lead@contoso.example", password: "correct-horse-battery")
            func create(_ token: String, _ body: String) async throws -> (HTTPResponse.Status, [String: Any]) {
                try await client.json("/manage/v1/notification-rules", token: token, method: .post, body: body)
            }
            let everything = #"{"name":"All","severities":["High"],"allDeviceGroups":true,"recipients":["soc@mssp.example"]}"#
            #expect(try await create(lead, everything).0 == .forbidden, "all device groups: administrators only")
            #expect(
                try await create(
                    lead, #"{"name":"Fin","severities":["High"],"deviceGroups":["Finance"],"recipients":["a@b.example"]}"#
                ).0 == .forbidden)
            let (made, web) = try await create(
                lead, #"{"name":"Web","severities":["High","medium"],"deviceGroups":["Web"],"recipients":["a@b.example"]}"#)
            #expect(made == .created, "\(web)")
            #expect(web["deviceGroups"] as? [String] == ["Web"])
            #expect(web["severities"] as? [String] == ["Medium", "High"])
            let (adminMade, all) = try await create(admin, everything)
            #expect(adminMade == .created)
            #expect(try await create(admin, everything).0 == .conflict, "names are unique in a tenant")

            let (_, listed) = try await client.json("/manage/v1/notification-rules", token: lead)
            #expect((listed["value"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Web"])
            #expect(
                try await client.json("/manage/v1/notification-rules/\(all["id"] as? String ?? "")", token: lead).0 == .notFound)
            let (_, adminList) = try await client.json("/manage/v1/notification-rules", token: admin)
            #expect((adminList["value"] as? [[String: Any]])?.count == 2)

            for bad in [
                #"{"name":"x","severities":[],"allDeviceGroups":true,"recipients":["a@b.example"]}"#,
                #"{"name":"x","severities":["Severe"],"allDeviceGroups":true,"recipients":["a@b.example"]}"#,
                #"{"name":"x","severities":["High"],"allDeviceGroups":true,"recipients":["a@b.example\r\nBcc: c@d.example"]}"#,
                #"{"name":"x","severities":["High"],"allDeviceGroups":true,"recipients":[]}"#,
                #"{"name":"x","severities":["High"],"allDeviceGroups":true,"recipients":["a@b.example"],"deliveryMode":"digest"}"#,
                #"{"name":"","severities":["High"],"allDeviceGroups":true,"recipients":["a@b.example"]}"#,
            ] {
                #expect(try await create(admin, bad).0 == .badRequest, "\(bad)")
            }
            let (updated, changed) = try await client.json(
                "/manage/v1/notification-rules/\(web["id"] as? String ?? "")", token: lead, method: .put,
                body:
                    #"{"name":"Web","severities":["High"],"deviceGroups":["Web"],"recipients":["a@b.example"],"deliveryMode":"throttled","maxEmailsPerHour":5}"#
            )
            #expect(updated == .ok)
            #expect(changed["deliveryMode"] as? String == "throttled" && changed["maxEmailsPerHour"] as? Int == 5)
            // Without a relay the test email fails, and says why.
            let (tested, outcome) = try await client.json(
                "/manage/v1/notification-rules/\(web["id"] as? String ?? "")/test", token: lead, method: .post)
            #expect(tested == .ok)
            let first = (outcome["value"] as? [[String: Any]])?.first
            #expect(first?["status"] as? String == "failed")
            #expect((first?["lastError"] as? String)?.contains("--smtp-url") == true)
            let (_, log) = try await client.json(
                "/manage/v1/notification-rules/\(web["id"] as? String ?? "")/deliveries", token: lead)
            #expect((log["value"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["test"])
            #expect(
                try await client.json(
                    "/manage/v1/notification-rules/\(web["id"] as? String ?? "")", token: lead, method: .delete
                ).0
                    == .noContent)
            let (_, audit) = try await client.json("/manage/v1/audit?action=notificationRule.delete", token: admin)
            #expect((audit["value"] as? [[String: Any]])?.first?["actor"] as? String == "lead@contoso.example")
        }
    }

    @Test func theRuleIsMadeInTwoStepsInThePortal() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            var jar = CookieJar()
            _ = try await PortalTests().signIn(
                client, &jar, upn: "admin@contoso.example", password: world.contoso.adminPassword)
            let list = try await client.execute(uri: "/settings/notifications", method: .get, headers: jar.header)
            #expect(list.status == .ok)
            let listHTML = String(buffer: list.body)
            #expect(listHTML.contains("id=\"no-rules\""))
            let step1 = try await client.execute(uri: "/settings/notifications/new", method: .get, headers: jar.header)
            let csrf = hiddenCSRF(String(buffer: step1.body)) ?? ""
            #expect(String(buffer: step1.body).contains("id=\"rule-general\""))
            // Step 1 without a severity stays on step 1 and says why.
            let missing = try await client.form(
                "/settings/notifications/new/recipients", ["csrf": csrf, "name": "Night shift", "deviceGroups": "all"],
                headers: jar.header)
            #expect(missing.status == .badRequest)
            #expect(String(buffer: missing.body).contains("id=\"rule-general\""))
            let step2 = try await client.execute(
                uri: "/settings/notifications/new/recipients", method: .post,
                headers: jar.header + [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(
                    string:
                        "csrf=\(csrf)&name=Night+shift&deviceGroups=all&severity=High&severity=Medium&includeOrganizationName=on")
            )
            let step2HTML = String(buffer: step2.body)
            #expect(step2.status == .ok)
            #expect(step2HTML.contains("id=\"rule-recipients\""))
            #expect(step2HTML.contains("name=\"severity\" value=\"Medium\""))
            let saved = try await client.execute(
                uri: "/settings/notifications", method: .post,
                headers: jar.header + [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(
                    string:
                        "csrf=\(csrf)&name=Night+shift&deviceGroups=all&severity=High&severity=Medium&includeOrganizationName=on"
                        + "&recipients=night%40mssp.example%0Alead%40mssp.example&deliveryMode=digest&digestMinutes=15&language=ru&enabled=on"
                ))
            #expect(saved.status == .seeOther)
            let rules = try await world.services.notificationRules.rules(in: DirectoryService.hostScope(world.contoso.tenant.id))
            let rule = try #require(rules.first)
            #expect(rule.name == "Night shift" && rule.severities == [.high, .medium] && rule.deviceGroups == .all)
            #expect(rule.recipients.map(\.value) == ["night@mssp.example", "lead@mssp.example"])
            #expect(rule.delivery == .digest(minutes: 15) && rule.language == "ru")
            #expect(rule.includeOrganizationName && !rule.includeTenantLink && !rule.includeDeviceInformation)

            let edit = try await client.execute(
                uri: "/settings/notifications/\(rule.id)", method: .get, headers: jar.header)
            #expect(String(buffer: edit.body).contains("value=\"Night shift\""))
            let tested = try await client.form(
                "/settings/notifications/\(rule.id)/test", ["csrf": csrf], headers: jar.header)
            let testedHTML = String(buffer: tested.body)
            #expect(testedHTML.contains("id=\"test-outcome\"") && testedHTML.contains("--smtp-url"))
            let deleted = try await client.form(
                "/settings/notifications/\(rule.id)/delete", ["csrf": csrf], headers: jar.header)
            #expect(deleted.status == .seeOther)
            #expect(
                try await world.services.notificationRules.rules(in: DirectoryService.hostScope(world.contoso.tenant.id)).isEmpty)
        }
    }

    /// The delivery modes through the whole pipeline (no relay: emails are written and wait in the outbox).
    @Test func digestsAndTheHourlyLimitWriteTheEmailsTheirModeSays() async throws {
        let clock = TestClock()
        let world = try await TestWorld(clock: clock.wall)
        let scope = DirectoryService.hostScope(world.contoso.tenant.id)
        let rules = world.services.notificationRules
        let digest = try await rules.create(
            in: scope,
            NotificationRuleInput(
                name: "Digest", allDeviceGroups: true, severities: ["High"], recipients: ["digest@mssp.example"],
                deliveryMode: "digest", digestMinutes: 15))
        let throttled = try await rules.create(
            in: scope,
            NotificationRuleInput(
                name: "Throttled", includeOrganizationName: false, allDeviceGroups: true, severities: ["High"],
                recipients: ["limit@mssp.example"], deliveryMode: "throttled", maxEmailsPerHour: 2))
        let ingest = AccessScope(
            tenantID: world.contoso.tenant.id, principal: .app(clientID: .random(), tenantID: world.contoso.tenant.id),
            capabilities: [.ingestAlerts], deviceGroups: .all)
        func raise(_ names: [String]) async throws {
            _ = try await world.services.alerts.ingest(
                names.map { name in
                    AlertSubmission(
                        sourceID: name, device: DeviceIdentity(hostname: "srv-1"), title: name, description: "",
                        severity: .high, category: "Execution", detectionSource: "ThirdPartySensors", detectorID: name,
                        firstEventTime: nil, lastEventTime: nil, mitreTechniques: [], evidence: [])
                }, scope: ingest, now: clock.wall.now())
        }
        let delivery = world.services.notifications
        func log(_ rule: NotificationRule) async throws -> [OutboxEmail] {
            // Emails of one pass share their time: order them by kind too, so the order is total.
            try await rules.deliveries(in: scope, ruleID: rule.id).sorted { ($0.createdAt, $0.kind) < ($1.createdAt, $1.kind) }
        }

        try await raise(["a1", "a2", "a3", "a4", "a5"])
        try await delivery.pass()
        #expect(try await log(digest).isEmpty, "the digest waits for its period")
        let limited = try await log(throttled)
        #expect(limited.map(\.kind) == ["alert", "summary"])
        #expect(limited.first?.alertIDs.count == 1 && limited.last?.alertIDs.count == 4)
        #expect(limited.last?.subject == "4 more alerts matched the rule Throttled this hour")

        clock.advance(seconds: 15 * 60)
        try await raise(["a6"])
        try await delivery.pass()
        let digests = try await log(digest)
        #expect(digests.map(\.kind) == ["digest"])
        #expect(digests.first?.alertIDs.count == 6)
        #expect(digests.first?.subject == "[Contoso] 6 alerts matched the rule Digest")
        #expect(try await log(throttled).count == 2, "the hour is used up: a6 waits")
        #expect(digests.allSatisfy { $0.status == .queued })

        clock.advance(seconds: 46 * 60)
        try await delivery.pass()
        let after = try await log(throttled)
        #expect(after.count == 3 && after.last?.kind == "alert" && after.last?.alertIDs.count == 1)
        let body = try #require(after.last?.body)
        #expect(body.contains("Message-ID: <") && body.contains("multipart/alternative"))
    }
}
