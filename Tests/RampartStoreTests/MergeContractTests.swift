import Foundation
import RampartCore
import RampartStore
import Testing

/// Defender's merging (§5.4) on every database: a detection of the same detector on the same device, while the
/// alert is open, updates that alert instead of creating another.
@Suite struct MergeContractTests {
    @Test(arguments: TestDatabase.available) func repeatsMergeWhileOpenAndNotAfter(database: TestDatabase) async throws {
        let db = try await database.open()
        let alerts = AlertRepository(db: db)
        let tenant = try await makeTenant(DirectoryRepository(db: db))
        let scope = AccessScope(
            tenantID: tenant.id, principal: .app(clientID: .random(), tenantID: tenant.id),
            capabilities: [.ingestAlerts, .readAlerts, .writeAlerts], deviceGroups: .all)
        let t0 = Timestamp(iso8601: "2024-05-01T10:05:00Z")!
        var first = submission("d1", detector: "sig-42")
        first.lastEventTime = Timestamp(iso8601: "2024-05-01T10:01:00Z")
        var second = submission("d2", severity: .high, detector: "sig-42")
        second.firstEventTime = Timestamp(iso8601: "2024-05-01T10:03:00Z")
        second.lastEventTime = Timestamp(iso8601: "2024-05-01T10:04:00Z")
        var url = AlertEvidence(entityType: "Url")
        url.url = "http://bad.example/x"
        second.evidence.append(url)
        let created = try await alerts.ingest([first], scope: scope, now: t0)
        guard case .created(let id) = created.first else {
            Issue.record("expected a creation, got \(created)")
            return
        }

        // Same detector, same device, another detection: the same alert, wider times, new evidence, higher severity.
        #expect(try await alerts.ingest([second], scope: scope, now: t0.adding(seconds: 60)) == [.updated(alertID: id)])
        var alert = try #require(try await alerts.get(scope, id: id))
        #expect(alert.detectionCount == 2 && alert.title == "Test alert" && alert.severity == .high)
        #expect(alert.firstEventTime == Timestamp(iso8601: "2024-05-01T10:00:00Z"))
        #expect(alert.lastEventTime == Timestamp(iso8601: "2024-05-01T10:04:00Z"))
        #expect(alert.evidence.map(\.entityType) == ["Ip", "Url"], "the repeated Ip evidence is not added twice")

        // Sending either detection again changes nothing about the count, and keeps the merged evidence.
        _ = try await alerts.ingest([second, first], scope: scope, now: t0.adding(seconds: 120))
        alert = try #require(try await alerts.get(scope, id: id))
        #expect(alert.detectionCount == 2 && alert.evidence.map(\.entityType) == ["Ip", "Url"])
        #expect(try await alerts.count(scope) == 1)

        // Another device, or a batch that repeats the detector twice, keeps one alert per device.
        let other = try await alerts.ingest(
            [submission("d3", host: "web-2", detector: "sig-42"), submission("d4", host: "web-2", detector: "sig-42")],
            scope: scope, now: t0.adding(seconds: 180))
        guard case .created(let otherID) = other.first else {
            Issue.record("expected a creation, got \(other)")
            return
        }
        #expect(other.last == .created(alertID: otherID))
        #expect(try await alerts.get(scope, id: otherID)?.detectionCount == 2)

        // Once resolved, the next detection opens a new alert.
        _ = try await alerts.update(
            scope, ids: [id], AlertUpdate(status: .resolved), now: t0.adding(seconds: 240), audit: nil)
        let after = try await alerts.ingest([submission("d5", detector: "sig-42")], scope: scope, now: t0.adding(seconds: 300))
        guard case .created(let newID) = after.first else {
            Issue.record("expected a creation, got \(after)")
            return
        }
        #expect(newID != id)
        #expect(try await alerts.count(scope) == 3)
        let kinds = try await alerts.events(scope, after: 0, limit: 20).map(\.kind)
        #expect(kinds.filter { $0 == "created" }.count == 3 && kinds.contains("updated"))
        try await db.close()
    }
}

/// Batches of one tenant stored at once (several requests, or several processes on PostgreSQL): new devices are made
/// once, and every detection is counted in the alert it merges into.
@Suite struct ConcurrentIngestContractTests {
    @Test(arguments: TestDatabase.available) func concurrentBatchesOfOneTenantAllLand(database: TestDatabase) async throws {
        let db = try await database.open()
        let alerts = AlertRepository(db: db)
        let tenant = try await makeTenant(DirectoryRepository(db: db))
        let scope = ingestScope(tenant.id)
        let t0 = Timestamp(iso8601: "2024-05-01T10:05:00Z")!
        try await withThrowingTaskGroup(of: Void.self) { group in
            for batch in 0..<8 {
                group.addTask {
                    let submissions = (0..<200).map { index in
                        submission("c\(batch)-\(index)", host: "node-\(index % 40)", detector: "sig-\(index % 20)")
                    }
                    _ = try await alerts.ingest(submissions, scope: scope, now: t0)
                }
            }
            try await group.waitForAll()
        }
        let stored = try await db.query(
            "SELECT machine_id, detector_id, detection_count FROM alerts WHERE tenant_id = \(bind: tenant.id)")
        #expect(stored.count == 40, "one alert per device and detector")
        #expect(try stored.map { try $0.int("detection_count") }.reduce(0, +) == 1_600, "every detection counted once")
        #expect(try await db.query("SELECT id FROM devices WHERE tenant_id = \(bind: tenant.id)").count == 40)
        try await db.close()
    }
}
