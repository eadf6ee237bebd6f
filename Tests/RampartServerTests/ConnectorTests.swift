import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RampartCore
import RampartDelivery
import RampartIdentity
import RampartServer
import RampartStore
import Testing

/// Push connectors against a real TCP syslog receiver: filters, formats, a receiver that goes away, retries, dead
/// letters and their replay, pause, resume and rewind, all through the management API.
@Suite struct ConnectorTests {
    @Test func pushesSurvivesAnOutageAndReplaysDeadLetters() async throws {
        let clock = TestClock()
        let world = try await TestWorld(clock: clock.wall)
        let receiver = try await SyslogReceiver()
        var settings = ConnectorDeliveryService.Configuration()
        settings.maximumAttempts = 3
        let delivery = ConnectorDeliveryService(
            repository: ConnectorRepository(db: world.services.database), alerts: world.services.alerts,
            scopes: world.services.connectorScopes, secrets: world.services.secrets, configuration: settings, clock: clock.wall,
            logger: world.services.logger,
            hostname: "rampart.test", portalURL: "https://rampart.test")
        try await world.application().test(.router) { client in
            let admin = try await AccessManagementTests().adminToken(client, world)
            let ingest = try await client.token(world.contoso)
            func raise(_ records: [[String: Any]]) async throws {
                let (status, _) = try await client.json(
                    "/ingest/v1/alerts", token: ingest, method: .post, body: ingestBody(records))
                #expect(status == .ok)
            }
            try await raise([record("before")])  // before the connector: not pushed (it starts at the latest event)
            let (created, connector) = try await client.json(
                "/manage/v1/connectors", token: admin, method: .post,
                body:
                    #"{"name":"SOC syslog","host":"127.0.0.1","port":\#(receiver.port),"tls":false,"format":"cef","severities":["High","Medium"]}"#
            )
            #expect(created == .created)
            let id = try #require(connector["id"] as? String)
            for bad in [
                #"{"name":"x","host":"127.0.0.1","port":70000,"format":"cef"}"#,
                #"{"name":"x","host":"127.0.0.1","port":514,"format":"xml"}"#,
                #"{"name":"x","host":"127.0.0.1","port":514,"format":"cef","kinds":["deleted"]}"#,
            ] {
                #expect(try await client.json("/manage/v1/connectors", token: admin, method: .post, body: bad).0 == .badRequest)
            }

            try await raise([record("c1", title: "First | pipe", severity: "High"), record("c2", severity: "Low")])
            try await delivery.pass()
            #expect(
                try await receiver.received(atLeast: 1).count == 1,
                "Low is filtered out; the alert from before the connector is not sent")
            let first = try #require(receiver.received.first)
            #expect(first.hasPrefix("<106>1 "))
            #expect(first.contains("[rampart@32473 tenant=\"\(world.contoso.tenant.id)\" kind=\"created\""))
            #expect(first.contains("CEF:0|Rampart|Rampart MSSP|1.0|") && first.contains("|First \\| pipe|8|"))

            // The receiver goes away: the batch fails, the checkpoint stays, the error shows; once it is back the
            // retry delivers exactly what was missed.
            try await receiver.stop()
            try await raise([record("c3", title: "During the outage", severity: "Medium")])
            try await delivery.pass()
            let (_, failing) = try await client.json("/manage/v1/connectors/\(id)", token: admin)
            let health = try #require(failing["health"] as? [String: Any])
            #expect(health["failed"] as? Int == 1 && health["sent"] as? Int == 1)
            #expect((health["lastError"] as? String)?.isEmpty == false)
            try await receiver.start()
            try await delivery.pass()
            #expect(receiver.received.count == 1, "the retry waits for its time")
            clock.advance(seconds: 10)
            try await delivery.pass()
            #expect(try await receiver.received(atLeast: 2).count == 2)
            #expect(receiver.received.last?.contains("During the outage") == true)

            // A receiver that stays away: after three attempts the batch goes to the dead letters and the
            // connector moves on; a replay sends them once it is back.
            try await receiver.stop()
            try await raise([record("c4", title: "Lost for a while", severity: "High")])
            for _ in 0..<3 {
                try await delivery.pass()
                clock.advance(seconds: 400)
            }
            let (_, letters) = try await client.json("/manage/v1/connectors/\(id)/dead-letters", token: admin)
            #expect((letters["value"] as? [[String: Any]])?.count == 1)
            try await receiver.start()
            let (_, replay) = try await client.json(
                "/manage/v1/connectors/\(id)/dead-letters/replay", token: admin, method: .post)
            #expect(replay["replayed"] as? Int == 1)
            #expect(try await receiver.received(atLeast: 3).last?.contains("Lost for a while") == true)
            #expect(
                (try await client.json("/manage/v1/connectors/\(id)/dead-letters", token: admin).1["value"] as? [Any])?.isEmpty
                    == true)

            // Paused: nothing moves; resumed: the backlog goes; rewound: everything since a time goes again.
            #expect(try await client.json("/manage/v1/connectors/\(id)/pause", token: admin, method: .post).0 == .ok)
            try await raise([record("c5", title: "While paused", severity: "High")])
            try await delivery.pass()
            #expect(receiver.received.count == 3)
            _ = try await client.json("/manage/v1/connectors/\(id)/resume", token: admin, method: .post)
            try await delivery.pass()
            #expect(
                try await receiver.received(atLeast: 4).count == 4 && receiver.received.last?.contains("While paused") == true)
            let (rewound, _) = try await client.json(
                "/manage/v1/connectors/\(id)/rewind", token: admin, method: .post,
                body: #"{"time":"\#(Timestamp.now().adding(seconds: -3600))"}"#)
            #expect(rewound == .ok)
            try await delivery.pass()
            let titles = try await receiver.received(atLeast: 9).dropFirst(4).compactMap {
                $0.split(separator: "|").dropFirst(5).first
            }
            // The rewind reaches back before the connector existed: the first alert goes too.
            #expect(titles == ["Suspicious thing", "First \\", "During the outage", "Lost for a while", "While paused"])
            // Health in /metrics, for every process alike.
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(
                metrics.contains(
                    "rampart_connector_dead_letters_total{connector=\"\(id)\",tenant=\"\(world.contoso.tenant.id)\",name=\"SOC syslog\"} 1"
                ))
            #expect(metrics.contains("rampart_connector_active{connector=\"\(id)\""))
            #expect(metrics.contains("rampart_email_outbox{status=\"queued\"} 0"))
            // Another tenant's admin neither sees nor changes the connector.
            let theirs = try await AccessManagementTests().adminToken(
                client, world, upn: "admin@fabrikam.example", password: world.fabrikam.adminPassword)
            #expect(try await client.json("/manage/v1/connectors/\(id)", token: theirs).0 != .ok)
        }
        try await receiver.stop()
    }
}

@Suite struct DelegatedConnectorTests {
    /// An MSSP's connector pushes exactly the customers that authorize its app, each under that authorization's
    /// device-group limit, and stops for a customer the moment the authorization is withdrawn.
    @Test func anMSSPConnectorFollowsEachCustomersAuthorization() async throws {
        let world = try await TestWorld()
        let services = world.services
        let receiver = try await SyslogReceiver()
        let mssp = try await services.admin.createTenant(name: "MSSP", domain: "mssp.example", kind: .mssp)
        let msspScope = DirectoryService.hostScope(mssp.tenant.id)
        let app = try await services.admin.createApp(in: msspScope, displayName: "SIEM pusher")
        let contosoScope = DirectoryService.hostScope(world.contoso.tenant.id)
        _ = try await services.access.saveDeviceGroup(
            in: contosoScope,
            DeviceGroupInput(
                name: "Servers", rank: 1, description: nil, remediationLevel: nil, rules: DeviceGroupRules(tags: ["server"]),
                userGroups: nil))
        _ = try await services.appAuthorizations.authorize(
            in: contosoScope, clientID: app.clientID, permissions: ["Alert.Read.All"], deviceGroups: ["Servers"])
        let (made, _) = try await services.connectorManagement.create(
            in: msspScope,
            ConnectorInput(
                name: "All customers", host: "127.0.0.1", port: receiver.port, tls: false, format: "json",
                delegatedApp: app.clientID.description))
        try await world.application().test(.router) { client in
            var server = record("s1", title: "Contoso server")
            server["device"] = ["hostname": "srv-1", "tags": ["server"]]
            var laptop = record("l1", title: "Contoso laptop")
            laptop["device"] = ["hostname": "lap-1"]
            _ = try await client.json(
                "/ingest/v1/alerts", token: try await client.token(world.contoso), method: .post,
                body: ingestBody([server, laptop]))
            _ = try await client.json(
                "/ingest/v1/alerts", token: try await client.token(world.fabrikam), method: .post,
                body: ingestBody([record("f1", title: "Fabrikam alert")]))
        }
        try await services.connectorDelivery.pass()
        let received = try await receiver.received(atLeast: 1)
        #expect(received.count == 1)
        #expect(received.first?.contains("Contoso server") == true, "outside the authorized device group: not pushed")
        #expect(received.first?.contains("tenant=\"\(world.contoso.tenant.id)\"") == true)
        #expect(try await services.connectorManagement.connectors(in: msspScope).first?.connector.id == made.connector.id)
        #expect(try await services.connectorManagement.connectors(in: contosoScope).isEmpty, "the MSSP's connector is its own")

        // Withdrawn: the next batch reads nothing of Contoso any more.
        try await services.appAuthorizations.remove(in: contosoScope, clientID: app.clientID)
        var later = AlertSubmission(
            sourceID: "s2", device: DeviceIdentity(hostname: "srv-2", tags: ["server"]), title: "After the withdrawal",
            description: "", severity: .high, category: "Execution", detectionSource: "ThirdPartySensors", detectorID: nil,
            firstEventTime: nil, lastEventTime: nil, mitreTechniques: [], evidence: [])
        later.description = "x"
        _ = try await services.alerts.ingest(
            [later],
            scope: AccessScope(
                tenantID: world.contoso.tenant.id, principal: .app(clientID: .random(), tenantID: world.contoso.tenant.id),
                capabilities: [.ingestAlerts], deviceGroups: .all), now: .now())
        try await services.connectorDelivery.pass()
        try await Task.sleep(for: .milliseconds(200))
        #expect(receiver.received.count == 1)
        try await receiver.stop()
    }
}

@Suite struct PortalConnectorTests {
    @Test func connectorsAreManagedInThePortal() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            var jar = CookieJar()
            _ = try await PortalTests().signIn(
                client, &jar, upn: "admin@contoso.example", password: world.contoso.adminPassword)
            let empty = try await client.execute(uri: "/settings/connectors", method: .get, headers: jar.header)
            let emptyHTML = String(buffer: empty.body)
            #expect(empty.status == .ok && emptyHTML.contains("id=\"no-connectors\""))
            let csrf = hiddenCSRF(emptyHTML) ?? ""
            let bad = try await client.form(
                "/settings/connectors",
                ["csrf": csrf, "name": "x", "transport": "syslog", "host": "h", "port": "0", "format": "cef"],
                headers: jar.header)
            #expect(bad.status == .badRequest && String(buffer: bad.body).contains("id=\"connectors-error\""))
            let hook = try await client.form(
                "/settings/connectors",
                ["csrf": csrf, "name": "Hook", "transport": "webhook", "url": "https://siem.example/hook", "format": "ocsf"],
                headers: jar.header)
            let hookHTML = String(buffer: hook.body)
            #expect(hook.status == .ok && hookHTML.contains("id=\"connector-secret\""))
            #expect(hookHTML.contains("https://siem.example/hook"))
            let scope = DirectoryService.hostScope(world.contoso.tenant.id)
            let id = try #require(try await world.services.connectorManagement.connectors(in: scope).first?.connector.id)
            let paused = try await client.form("/settings/connectors/\(id)/pause", ["csrf": csrf], headers: jar.header)
            #expect(paused.status == .seeOther)
            #expect(try await world.services.connectorManagement.connector(in: scope, id: id).connector.state == .paused)
            let listed = String(
                buffer: try await client.execute(uri: "/settings/connectors", method: .get, headers: jar.header).body)
            #expect(listed.contains("class=\"resume\"") && !listed.contains("id=\"connector-secret\""), "the key is shown once")
            let rewound = try await client.form(
                "/settings/connectors/\(id)/rewind", ["csrf": csrf, "time": "2026-11-01T00:00"], headers: jar.header)
            #expect(rewound.status == .seeOther)
            _ = try await client.form("/settings/connectors/\(id)/delete", ["csrf": csrf], headers: jar.header)
            #expect(try await world.services.connectorManagement.connectors(in: scope).isEmpty)
            let forged = try await client.form("/settings/connectors/\(id)/pause", ["csrf": "nope"], headers: jar.header)
            #expect(forged.status == .badRequest)

            // The legacy syslog choices are in the form too: UDP with the BSD header and a datagram limit.
            let legacy = try await client.form(
                "/settings/connectors",
                [
                    "csrf": csrf, "name": "Old SIEM", "transport": "syslog", "host": "10.0.0.5", "port": "514",
                    "tls": "on", "header": "rfc3164", "udp": "on", "maximumDatagramBytes": "1500", "format": "leef",
                ], headers: jar.header)
            #expect(
                legacy.status == .ok,
                "\(String(buffer: legacy.body).components(separatedBy: "connectors-error").last?.prefix(200) ?? "")")
            let stored = try #require(try await world.services.connectorManagement.connectors(in: scope).first)
            #expect(
                stored.connector.transport
                    == .syslog(
                        .init(host: "10.0.0.5", port: 514, tls: false, header: "rfc3164", udp: true, maximumDatagramBytes: 1500)),
                "UDP never carries TLS")
        }
    }
}

@Suite struct LegacySyslogTests {
    /// UDP as the explicit legacy choice, with the BSD header: an alert too large for a datagram arrives as a shorter
    /// record that still parses, never as a cut one.
    @Test func udpDatagramsStayWithinTheLimitAndValid() async throws {
        let world = try await TestWorld()
        let received = NIOLockedValueBox<[String]>([])
        let receiver = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramCollector(received: received))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let scope = DirectoryService.hostScope(world.contoso.tenant.id)
        let json =
            #"{"name":"udp","host":"127.0.0.1","port":\#(receiver.localAddress?.port ?? 0),"udp":true,"header":"rfc3164","maximumDatagramBytes":1200,"format":"json"}"#
        let input = try JSONDecoder().decode(ConnectorInput.self, from: Data(json.utf8))
        _ = try await world.services.connectorManagement.create(in: scope, input)
        try await world.application().test(.router) { client in
            var big = record("u1", title: "A long one")
            big["description"] = String(repeating: "exfiltration ", count: 400)
            _ = try await client.json(
                "/ingest/v1/alerts", token: try await client.token(world.contoso), method: .post,
                body: ingestBody([big, record("u2", title: "A short one")]))
        }
        try await world.services.connectorDelivery.pass()
        var messages: [String] = []
        for _ in 0..<200 where messages.count < 2 {
            messages = received.withLockedValue { $0 }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(messages.count == 2)
        for message in messages {
            #expect(message.utf8.count <= 1200)
            #expect(message.hasPrefix("<"))
            #expect(message.contains(" rampart: {"), "RFC 3164: <PRI>Mmm dd hh:mm:ss HOST TAG: MSG")
            let body = try #require(message.range(of: "rampart: ").map { String(message[$0.upperBound...]) })
            let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            #expect(object?["id"] as? String != nil, "valid JSON, never cut")
        }
        #expect(messages.contains { $0.contains("A short one") && $0.contains("\"evidence\"") })
        #expect(messages.contains { $0.contains("A long one") && !$0.contains("exfiltration") }, "shortened, not cut")
        try await receiver.close()
    }
}

final class DatagramCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let received: NIOLockedValueBox<[String]>

    init(received: NIOLockedValueBox<[String]>) { self.received = received }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        received.withLockedValue { $0.append(String(buffer: envelope.data)) }
    }
}
