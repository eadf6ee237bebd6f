import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RampartCore
import RampartFormats
import RampartServer
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
            #expect(detection["CloudCreatedMachineTags"] as? String == "dmz")
            #expect(detection["RemediationIsSuccess"] is NSNull && detection["AlertPart"] as? Int == 0)
            let id = try #require(detection["AlertId"] as? String)
            #expect(detection["LinkToWDATP"] as? String == "https://rampart.test/alerts/\(id)?tid=\(world.contoso.tenant.id)")
            #expect((detection["FullId"] as? String)?.hasPrefix("\(id):") == true)
            #expect((detection["ExternalId"] as? String)?.count == 40)

            // Parameters: tags, groups, ranges on LastProcessedTimeUtc, ago; the default window is two hours.
            #expect(try await detections(client, "/siem/api/alerts?DeviceCreatedMachineTags=dmz", token: token).1.count == 1)
            #expect(try await detections(client, "/siem/api/alerts?CloudCreatedMachineTags=nope", token: token).1.isEmpty)
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
