import Foundation
import PropertyBased
import RampartCore
import Testing

@testable import RampartStore

/// The integer key that finds a device's alerts and the open alert a repeat merges into: fixed hashes, a device's
/// detections inside its range, and collisions that never mix two devices' alerts.
@Suite struct MergeKeyTests {
    /// Published FNV-1a 32-bit vectors: stored keys must not change from one build to the next.
    @Test func fnv1aMatchesTheReferenceVectors() {
        #expect(MergeKey.fnv1a("") == 0x811C_9DC5)
        #expect(MergeKey.fnv1a("a") == 0xE40C_292C)
        #expect(MergeKey.fnv1a("foobar") == 0xBF9C_F968)
    }

    @Test func everyDetectionLiesInItsDevicesRange() async {
        await propertyCheck(input: Gen.letterOrNumber.string(of: 1...40), Gen.letterOrNumber.string(of: 0...60)) {
            machine, detector in
            let tenant = "c26db40a-9e03-4ab4-8648-ef19fe4f2872"
            let base = MergeKey.device(tenantID: tenant, machineID: machine)
            let key = MergeKey.detection(tenantID: tenant, machineID: machine, detectorID: detector)
            #expect(base & MergeKey.deviceSpan == 0)
            #expect(key >= base && key <= base + MergeKey.deviceSpan)
            #expect(key - base == Int64(MergeKey.fnv1a(detector)))
        }
    }

    /// Two devices whose keys share a range, and the same detector on both: the device page, the risk score and
    /// merging each see only their own device's alerts. Without the comparison of the columns themselves, the
    /// repeat on the second device could merge into the first device's alert.
    @Test(arguments: TestDatabase.available) func devicesSharingARangeStayApart(database: TestDatabase) async throws {
        let db = try await database.open()
        let alerts = AlertRepository(db: db)
        let tenant = try await makeTenant(DirectoryRepository(db: db))
        let scope = AccessScope(
            tenantID: tenant.id, principal: .app(clientID: .random(), tenantID: tenant.id),
            capabilities: [.ingestAlerts, .readAlerts, .readMachines], deviceGroups: .all)
        let t0 = Timestamp(iso8601: "2024-05-01T10:05:00Z")!
        _ = try await alerts.ingest(
            [
                submission("a1", host: "web-1", severity: .high, detector: "sig-7"),
                submission("b1", host: "web-2", severity: .low, detector: "sig-7"),
            ], scope: scope, now: t0)
        let machines = try await db.query(
            "SELECT id, merge_base FROM devices WHERE tenant_id = \(bind: tenant.id) ORDER BY computer_dns_name")
        let (first, second) = (try machines[0].string("id"), try machines[1].string("id"))
        let base = try machines[1].int("merge_base")
        #expect(base == MergeKey.device(tenantID: tenant.id.description, machineID: second))
        // The first device moved into the second's range, its alert given the second's key for the same detector:
        // what a hash collision gives.
        try await db.execute("UPDATE devices SET merge_base = \(bind: base) WHERE id = \(bind: first)")
        try await db.execute(
            "UPDATE alerts SET merge_key = \(bind: base | Int64(MergeKey.fnv1a("sig-7"))) WHERE machine_id = \(bind: first)")
        #expect(
            try await db.query("SELECT DISTINCT merge_key FROM alerts WHERE tenant_id = \(bind: tenant.id)").count == 1)

        func sources(on machine: String) async throws -> [String] {
            try await alerts.list(scope, AlertListQuery(filter: AlertRepository.onMachine(machine), top: 10)).map(\.sourceID)
        }
        #expect(try await sources(on: first) == ["a1"])
        #expect(try await sources(on: second) == ["b1"])
        let machinesRepository = MachineRepository(db: db)
        #expect(try await machinesRepository.get(scope, id: first, now: t0)?.riskScore == "High")
        #expect(try await machinesRepository.get(scope, id: second, now: t0)?.riskScore == "Low")
        let repeated = try await alerts.ingest([submission("b2", host: "web-2", detector: "sig-7")], scope: scope, now: t0)
        let merged = try await alerts.list(scope, AlertListQuery(filter: AlertRepository.onMachine(second), top: 10))
        #expect(merged.map(\.sourceID) == ["b1"] && merged.first?.detectionCount == 2)
        #expect(repeated == [.updated(alertID: try #require(merged.first?.id))])
        let untouched = try await alerts.list(scope, AlertListQuery(filter: AlertRepository.onMachine(first), top: 10))
        #expect(untouched.first?.detectionCount == 1)
        try await db.close()
    }

    /// Alerts stored before keys existed get them from the migration's backfill, and merge as before.
    @Test(arguments: TestDatabase.available) func backfillKeysOlderAlerts(database: TestDatabase) async throws {
        // A database of its own: the backfill rewrites every row, other tests' too on the shared one.
        let db = try await database.openPrivate()
        let alerts = AlertRepository(db: db)
        let tenant = try await makeTenant(DirectoryRepository(db: db))
        let scope = ingestScope(tenant.id)
        let t0 = Timestamp(iso8601: "2024-05-01T10:05:00Z")!
        let created = try await alerts.ingest(
            (1...12).map { submission("s\($0)", host: "host-\($0 % 3)", detector: "sig-\($0 % 4)") }, scope: scope, now: t0)
        let expected = try await db.query("SELECT id, merge_key FROM alerts ORDER BY id").map {
            try [$0.string("id"): $0.int("merge_key")]
        }
        try await db.execute("UPDATE alerts SET merge_key = NULL")
        try await db.execute("UPDATE devices SET merge_base = NULL")
        try await db.transaction { db in try await MergeKey.backfill(db) }
        let restored = try await db.query("SELECT id, merge_key FROM alerts ORDER BY id").map {
            try [$0.string("id"): $0.int("merge_key")]
        }
        #expect(restored == expected && restored.count == created.count)
        #expect(try await db.query("SELECT id FROM devices WHERE merge_base IS NULL").isEmpty)
        let again = try await alerts.ingest([submission("s13", host: "host-1", detector: "sig-1")], scope: scope, now: t0)
        guard case .updated = again.first else {
            Issue.record("a repeat after the backfill should merge, got \(again)")
            return
        }
        try await db.close()
    }
}
