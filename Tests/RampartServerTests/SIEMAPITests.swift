import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RampartCore
import RampartDelivery
import RampartFormats
import RampartIdentity
import RampartServer
import RampartStore
import Testing

/// The SIEM API as Splunk's TA and ArcSight's FlexConnector call it: v1 token for `https://graph.windows.net`,
/// `<base>/api/alerts` with Defender's parameters, a bare array of flat detections.
@Suite struct SIEMAPITests {
    func v1Token(_ client: some TestClientProtocol, _ fixture: TestWorld.TenantFixture) async throws -> String {
        let response = try await client.form(
            "/\(fixture.tenant.id)/oauth2/token",
            [
                "grant_type": "client_credentials", "client_id": fixture.clientID.description,
                "client_secret": fixture.secret, "resource": "https://graph.windows.net",
            ])
        #expect(response.status == .ok)
        let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
        #expect(object?["resource"] as? String == "https://graph.windows.net")
        return object?["access_token"] as? String ?? ""
    }

    func detections(_ client: some TestClientProtocol, _ uri: String, token: String) async throws -> (
        HTTPResponse.Status, [[String: Any]]
    ) {
        let response = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"])
        let parsed = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
        return (response.status, parsed as? [[String: Any]] ?? [])
    }

    @Test func flatDetectionsWithDefendersParameters() async throws {
        // Ingest stamps alerts with the real time; the test clock starts there and then moves on.
        let start = Timestamp.now().adding(seconds: 60)
        let clock = TestClock(start)
        let hourBefore = String(start.adding(seconds: -3600).description.dropLast())  // no zone: UTC, as Defender's examples
        let halfHourBefore = start.adding(seconds: -1800).description
        let world = try await TestWorld(clock: clock.wall)
        try await world.application().test(.router) { client in
            let ingest = try await client.token(world.contoso)
            var web = record("s1", title: "Web shell", severity: "High")
            web["device"] = ["hostname": "web-1", "domain": "corp.example", "tags": ["dmz"], "ipAddress": "10.1.2.3"]
            web["evidence"] = [
                ["entityType": "File", "fileName": "shell.aspx", "sha1": String(repeating: "b", count: 40)],
                ["entityType": "Ip", "ipAddress": "203.0.113.7"],
            ]
            web["relatedUser"] = ["userName": "iis", "domainName": "CORP"]
            var other = record("s2", title: "Other", severity: "Low")
            other["device"] = ["hostname": "db-1", "domain": "corp.example"]
            _ = try await client.json("/ingest/v1/alerts", token: ingest, method: .post, body: ingestBody([web, other]))

            let token = try await v1Token(client, world.contoso)
            // Connectors append /api/alerts (ArcSight with a trailing slash) to the base URL they are given.
            let (status, all) = try await detections(client, "/siem/api/alerts", token: token)
            #expect(status == .ok)
            #expect(all.count == 2)
            let (_, slashed) = try await detections(client, "/siem/api/alerts/?limit=1", token: token)
            #expect(slashed.count == 1)

            let detection = try #require(all.first { $0["AlertTitle"] as? String == "Web shell" })
            #expect(Array(detection.keys).sorted() == SIEMDetectionJSON.fieldNames.sorted())
            #expect(detection["Severity"] as? String == "High")
            #expect(detection["ComputerDnsName"] as? String == "web-1.corp.example")
            #expect(detection["MachineName"] as? String == "web-1")
            #expect(detection["MachineDomain"] as? String == "corp.example")
            #expect(detection["Sha1"] as? String == String(repeating: "b", count: 40))
            #expect(detection["FileName"] as? String == "shell.aspx")
            #expect(detection["IpAddress"] as? String == "203.0.113.7")
            #expect(detection["UserName"] as? String == "iis" && detection["UserDomain"] as? String == "CORP")
            #expect(detection["InternalIPv4List"] as? String == "10.1.2.3")
            #expect(detection["DeviceCreatedMachineTags"] as? String == "dmz", "the sensor's tag")
            #expect(detection["CloudCreatedMachineTags"] as? String == "", "none assigned in the portal")
            #expect(detection["RemediationIsSuccess"] is NSNull && detection["AlertPart"] as? Int == 0)
            let id = try #require(detection["AlertId"] as? String)
            #expect(detection["LinkToWDATP"] as? String == "https://rampart.test/alerts/\(id)?tid=\(world.contoso.tenant.id)")
            #expect((detection["FullId"] as? String)?.hasPrefix("\(id):") == true)
            #expect((detection["ExternalId"] as? String)?.count == 40)

            // Parameters: tags, groups, ranges on LastProcessedTimeUtc, ago; the default window is two hours.
            #expect(try await detections(client, "/siem/api/alerts?DeviceCreatedMachineTags=dmz", token: token).1.count == 1)
            #expect(try await detections(client, "/siem/api/alerts?CloudCreatedMachineTags=nope", token: token).1.isEmpty)
            #expect(try await detections(client, "/siem/api/alerts?CloudCreatedMachineTags=dmz", token: token).1.isEmpty)
            #expect(
                try await detections(
                    client,
                    "/siem/api/alerts?machinegroups=\(DeviceGroup.defaultName.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
                    token: token
                ).1.count == 2)
            #expect(try await detections(client, "/siem/api/alerts?machinegroups=Other", token: token).1.isEmpty)
            clock.advance(seconds: 3 * 3600)
            #expect(try await detections(client, "/siem/api/alerts", token: token).1.isEmpty, "older than two hours")
            #expect(try await detections(client, "/siem/api/alerts?ago=PT4H", token: token).1.count == 2)
            #expect(try await detections(client, "/siem/api/alerts?ago=PT2H", token: token).1.isEmpty)
            #expect(
                try await detections(client, "/siem/api/alerts?sinceTimeUtc=\(hourBefore)", token: token).1.count == 2)
            #expect(
                try await detections(
                    client, "/siem/api/alerts?sinceTimeUtc=\(hourBefore)&untilTimeUtc=\(halfHourBefore)", token: token
                ).1.isEmpty)
            for bad in ["ago=10M", "ago=P1M", "limit=0", "sinceTimeUtc=yesterday", "ago=PT1H&sinceTimeUtc=2026-11-29T11:00:00"] {
                #expect(try await detections(client, "/siem/api/alerts?\(bad)", token: token).0 == .badRequest, "\(bad)")
            }
            // Another tenant's token sees its own detections only.
            let theirs = try await v1Token(client, world.fabrikam)
            #expect(try await detections(client, "/siem/api/alerts?ago=P1D", token: theirs).1.isEmpty)
            #expect(try await detections(client, "/siem/api/alerts", token: "not-a-token").0 == .unauthorized)
        }
    }
}

/// The cursor API: every change in event-log order, across an MSSP's tenants, never skipping, with expiry.
@Suite struct ChangeCursorTests {
    func page(_ client: some TestClientProtocol, _ query: String, token: String) async throws -> (
        HTTPResponse.Status, [[String: Any]], String, Bool, [String: Any]
    ) {
        let (status, body) = try await client.json("/siem/v1/changes\(query)", token: token)
        return (
            status, body["value"] as? [[String: Any]] ?? [], body["cursor"] as? String ?? "", body["hasMore"] as? Bool ?? false,
            body
        )
    }

    @Test func changesInOrderAcrossTenantsWithACursorThatCanExpire() async throws {
        let world = try await TestWorld()
        let services = world.services
        let mssp = try await services.admin.createTenant(name: "MSSP", domain: "mssp.example", kind: .mssp)
        let msspScope = DirectoryService.hostScope(mssp.tenant.id)
        let app = try await services.admin.createApp(in: msspScope, displayName: "SIEM")
        let secret = try await services.admin.addSecret(in: msspScope, clientID: app.clientID).secret
        for customer in [world.contoso, world.fabrikam] {
            _ = try await services.appAuthorizations.authorize(
                in: DirectoryService.hostScope(customer.tenant.id), clientID: app.clientID, permissions: ["Alert.Read.All"],
                deviceGroups: [])
        }
        try await world.application().test(.router) { client in
            let response = try await client.form(
                "/\(mssp.tenant.id)/oauth2/v2.0/token",
                [
                    "grant_type": "client_credentials", "client_id": app.clientID.description, "client_secret": secret,
                    "scope": "https://api.securitycenter.microsoft.com/.default",
                ])
            let token =
                (try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])?[
                    "access_token"] as? String ?? ""
            let contoso = try await client.token(world.contoso)
            let fabrikam = try await client.token(world.fabrikam)
            _ = try await client.json("/ingest/v1/alerts", token: contoso, method: .post, body: ingestBody([record("c1")]))
            _ = try await client.json("/ingest/v1/alerts", token: fabrikam, method: .post, body: ingestBody([record("f1")]))
            _ = try await client.json(
                "/ingest/v1/alerts", token: contoso, method: .post,
                body: ingestBody([record("c2"), record("c1", severity: "Low")]))

            var (status, items, cursor, more, _) = try await page(client, "?limit=3", token: token)
            #expect(status == .ok)
            #expect(items.map { $0["kind"] as? String } == ["created", "created", "created"])
            #expect(
                items.map { $0["tenantId"] as? String }
                    == [world.contoso.tenant.id, world.fabrikam.tenant.id, world.contoso.tenant.id].map(\.description))
            #expect(more)
            (_, items, cursor, more, _) = try await page(client, "?cursor=\(cursor)&limit=3", token: token)
            #expect(items.map { $0["kind"] as? String } == ["updated"])
            #expect((items.first?["alert"] as? [String: Any])?["severity"] as? String == "Low")
            #expect(!more)

            // A customer's own token sees its own tenant's changes only; the same cursor rules apply.
            let (_, own, _, _, _) = try await page(client, "", token: contoso)
            #expect(own.count == 3 && own.allSatisfy { $0["tenantId"] as? String == world.contoso.tenant.id.description })

            // Resolving is a change of its own kind; the stored cursor picks it up.
            let id = try #require((items.first?["alert"] as? [String: Any])?["id"] as? String)
            _ = try await services.admin.grant(
                in: DirectoryService.hostScope(world.contoso.tenant.id), clientID: world.contoso.clientID,
                permissions: ["Alert.ReadWrite.All"])
            let writer = try await client.token(world.contoso)
            let (patched, _) = try await client.json(
                "/api/alerts/\(id)", token: writer, method: .patch, body: #"{"status":"Resolved"}"#)
            #expect(patched == .ok)
            (_, items, cursor, _, _) = try await page(client, "?cursor=\(cursor)", token: token)
            #expect(items.map { $0["kind"] as? String } == ["resolved"])
            let (_, latest, _, _, _) = try await page(client, "?start=latest", token: token)
            #expect(latest.isEmpty)

            for bad in ["?cursor=nope", "?cursor=MTo1", "?limit=0", "?limit=1001", "?start=soon"] {
                #expect(try await page(client, bad, token: token).0 == .badRequest, "\(bad)")
            }
            // Retention deletes consumed events; a cursor from before them has expired, a new reader starts after them.
            try await services.notifications.pass()
            let deleted = try await EventLogRetention(db: services.database).prune(before: Timestamp.now().adding(seconds: 3600))
            #expect(deleted == 5)
            let (expired, _, _, _, body) = try await page(client, "?cursor=\(ChangeCursorTests.start)", token: token)
            let raw = try await client.execute(
                uri: "/siem/v1/changes?cursor=\(ChangeCursorTests.start)", method: .get,
                headers: [.authorization: "Bearer \(token)"])
            #expect(expired == .badRequest, "\(String(buffer: raw.body))")
            #expect((body["error"] as? [String: Any])?["code"] as? String == "CursorExpired", "\(String(buffer: raw.body))")
            #expect(try await page(client, "?cursor=\(cursor)", token: token).0 == .ok, "a cursor at the end is still good")
            _ = try await client.json("/ingest/v1/alerts", token: fabrikam, method: .post, body: ingestBody([record("f2")]))
            let (_, fresh, _, _, _) = try await page(client, "", token: token)
            #expect(fresh.map { ($0["alert"] as? [String: Any])?["title"] as? String } == ["Suspicious thing"])
        }
    }

    /// `1:0:0` in base64url: the very beginning of the log.
    static let start = "MTowOjA"
}
