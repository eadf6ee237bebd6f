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

/// `PATCH /api/alerts/{id}` and `POST /api/alerts/batchUpdate` with Defender's semantics.
@Suite struct AlertUpdateAPITests {
    func writer(_ world: TestWorld) async throws {
        _ = try await world.services.admin.grant(
            in: DirectoryService.hostScope(world.contoso.tenant.id), clientID: world.contoso.clientID,
            permissions: ["Alert.ReadWrite.All"])
    }

    func ids(_ client: some TestClientProtocol, _ token: String, count: Int) async throws -> [String] {
        let (_, body) = try await client.json(
            "/ingest/v1/alerts", token: token, method: .post, body: ingestBody((0..<count).map { record("u\($0)") }))
        return (body["results"] as? [[String: Any]] ?? []).compactMap { $0["alertId"] as? String }
    }

    @Test func patchUpdatesResolvesAndComments() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let reader = try await client.token(world.contoso)
            let alert = try #require(try await ids(client, reader, count: 1).first)
            let body =
                #"{"status":"Resolved","assignedTo":"secop2@contoso.example","classification":"FalsePositive","determination":"NotMalicious","comment":"Resolve my alert"}"#
            #expect(try await client.json("/api/alerts/\(alert)", token: reader, method: .patch, body: body).0 == .forbidden)

            try await writer(world)
            let token = try await client.token(world.contoso)
            let (status, updated) = try await client.json("/api/alerts/\(alert)", token: token, method: .patch, body: body)
            #expect(status == .ok)
            #expect(updated["status"] as? String == "Resolved")
            #expect(updated["assignedTo"] as? String == "secop2@contoso.example")
            #expect(updated["classification"] as? String == "FalsePositive")
            #expect(updated["determination"] as? String == "Clean")
            #expect(updated["resolvedTime"] is String)
            let comments = updated["comments"] as? [[String: Any]] ?? []
            #expect(comments.map { $0["comment"] as? String } == ["Resolve my alert"])
            #expect(comments.first?["createdBy"] as? String == "app:\(world.contoso.clientID)")

            // A comment alone; then reopening clears the resolved time; unassigning with null.
            _ = try await client.json("/api/alerts/\(alert)", token: token, method: .patch, body: #"{"comment":"second"}"#)
            let (_, reopened) = try await client.json(
                "/api/alerts/\(alert)", token: token, method: .patch, body: #"{"status":"InProgress","assignedTo":null}"#)
            #expect(reopened["resolvedTime"] is NSNull)
            #expect(reopened["assignedTo"] is NSNull)
            #expect((reopened["comments"] as? [[String: Any]])?.count == 2)
            #expect(reopened["classification"] as? String == "FalsePositive", "what is not given keeps its value")

            let scope = DirectoryService.hostScope(world.contoso.tenant.id)
            let kinds = try await world.services.alerts.events(scope, after: 0, limit: 100).map(\.kind)
            #expect(kinds.filter { $0 == "resolved" }.count == 1)
            #expect(kinds.filter { $0 == "updated" }.count == 2)
        }
    }

    @Test(arguments: [
        (#"{"status":"Closed"}"#, "InvalidInput"),
        (#"{"classification":"TruePositive","determination":"Clean"}"#, "InvalidInput"),
        (#"{"Status":"Resolved"}"#, "InvalidRequestBody"),
        (#"{}"#, "MissingRequiredParameter"),
        (#"[1]"#, "InvalidRequestBody"),
        (#"{"status":"Unknown"}"#, "InvalidInput"),
    ])
    func badBodiesAreRefusedWithDefendersCodes(body: String, code: String) async throws {
        let world = try await TestWorld()
        try await writer(world)
        try await world.application().test(.router) { client in
            let token = try await client.token(world.contoso)
            let alert = try #require(try await ids(client, token, count: 1).first)
            let (status, answer) = try await client.json("/api/alerts/\(alert)", token: token, method: .patch, body: body)
            #expect(status == .badRequest)
            #expect((answer["error"] as? [String: Any])?["code"] as? String == code)
        }
    }

    @Test func batchUpdateIsAllOrNothing() async throws {
        let world = try await TestWorld()
        try await writer(world)
        try await world.application().test(.router) { client in
            let token = try await client.token(world.contoso)
            let mine = try await ids(client, token, count: 3)
            let theirs = try await ids(client, try await client.token(world.fabrikam), count: 1)
            let refused = try await client.execute(
                uri: "/api/alerts/batchUpdate", method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"alertIds":["\#(mine[0])","\#(theirs[0])"],"status":"Resolved"}"#))
            #expect(refused.status == .notFound)
            let (_, unchanged) = try await client.json("/api/alerts/\(mine[0])", token: token)
            #expect(unchanged["status"] as? String == "New")

            let ok = try await client.execute(
                uri: "/api/alerts/batchUpdate", method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                body: ByteBuffer(
                    string:
                        #"{"alertIds":["\#(mine[0])","\#(mine[1])"],"status":"InProgress","assignedTo":"tier2@contoso.example"}"#)
            )
            #expect(ok.status == .ok)
            #expect(ok.body.readableBytes == 0)
            for id in mine.prefix(2) {
                let (_, alert) = try await client.json("/api/alerts/\(id)", token: token)
                #expect(alert["status"] as? String == "InProgress")
                #expect(alert["assignedTo"] as? String == "tier2@contoso.example")
            }
            let (_, third) = try await client.json("/api/alerts/\(mine[2])", token: token)
            #expect(third["status"] as? String == "New")

            let many = (0...DefenderAlertUpdateLimit.size).map { "\"x\($0)\"" }.joined(separator: ",")
            let (tooMany, body) = try await client.json(
                "/api/alerts/batchUpdate", token: token, method: .post, body: #"{"alertIds":[\#(many)],"status":"New"}"#)
            #expect(tooMany == .badRequest)
            #expect((body["error"] as? [String: Any])?["code"] as? String == "MaximumBatchSizeExceeded")
        }
    }
}

enum DefenderAlertUpdateLimit {
    static let size = 500
}

/// Defender's throttling: 429 `TooManyRequests` with `Retry-After`, per app and tenant, batchUpdate apart.
@Suite struct RateLimitAPITests {
    @Test func callsBeyondTheAllowanceGet429WithRetryAfter() async throws {
        // Windows are fixed minutes: the clock stands still a few seconds into one, so a slow run cannot cross into
        // the next minute between the calls.
        let now = Timestamp.now().unixSeconds
        let clock = TestClock(Timestamp(ticks: (now - now % 3_600 + 5) * Timestamp.ticksPerSecond))
        let world = try await TestWorld(clock: clock.wall) { configuration in
            configuration.apiRateLimit = RateLimit(perMinute: 3, perHour: 100)
            configuration.batchRateLimit = RateLimit(perMinute: 1, perHour: 10)
            configuration.graphRateLimit = RateLimit(perMinute: 1, perHour: 0)
        }
        _ = try await world.services.admin.grant(
            in: DirectoryService.hostScope(world.contoso.tenant.id), clientID: world.contoso.clientID,
            permissions: ["Alert.ReadWrite.All"])
        try await world.application().test(.router) { client in
            let token = try await client.token(world.contoso)
            for _ in 0..<3 { #expect(try await client.json("/api/alerts", token: token).0 == .ok) }
            let refused = try await client.execute(
                uri: "/api/alerts", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(refused.status == .tooManyRequests)
            let retry = Int(refused.headers[.retryAfter] ?? "") ?? 0
            #expect((1...60).contains(retry))
            let body = try JSONSerialization.jsonObject(with: Data(refused.body.readableBytesView)) as? [String: Any]
            #expect((body?["error"] as? [String: Any])?["code"] as? String == "TooManyRequests")
            // Another tenant's app has its own allowance, and batchUpdate counts apart.
            #expect(try await client.json("/api/alerts", token: try await client.token(world.fabrikam)).0 == .ok)
            let batch = #"{"alertIds":["none"],"status":"New"}"#
            #expect(try await client.json("/api/alerts/batchUpdate", token: token, method: .post, body: batch).0 == .notFound)
            #expect(
                try await client.json("/api/alerts/batchUpdate", token: token, method: .post, body: batch).0
                    == .tooManyRequests)
            // Graph has its own allowance.
            let graph = try await client.token(world.contoso, scope: "https://graph.microsoft.com/.default")
            #expect(try await client.json("/v1.0/security/alerts_v2", token: graph).0 == .forbidden)
            #expect(try await client.json("/v1.0/security/alerts_v2", token: graph).0 == .tooManyRequests)
        }
    }
}
