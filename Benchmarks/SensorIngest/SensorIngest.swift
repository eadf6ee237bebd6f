import Benchmark
import Foundation
import RampartCore
import RampartFormats
import RampartStore

/// The two halves of `POST /ingest/v1/suricata` in process, without HTTP and without a load generator sharing the
/// two cores: reading and mapping a body of 1,000 EVE alert lines (done beside the writer, on mapping threads), and
/// the one transaction that stores them (done by the single SQLite writer, which bounds the rate). The records are
/// those `scripts/bench/ingest.lua` sends: without merging, a new signature on one of 250 hosts per record.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal], maxDuration: .seconds(15), maxIterations: 400)

    Benchmark("Suricata: read and map 1,000 EVE lines") { benchmark in
        let body = EVEBatch.lines(batch: 1, hot: false)
        for _ in benchmark.scaledIterations {
            blackHole(try SensorBatch(body, gzip: false, limit: 1 << 26, format: .suricata, options: .init()))
        }
    }

    let stores = [
        ("Suricata: store 1,000 new alerts (SQLite, 100,000 stored)", false),
        ("Suricata: store 1,000 repeats of open alerts (merging hot)", true),
    ]
    for (name, hot) in stores {
        Benchmark(name) { benchmark in
            let world = try await IngestWorld.shared()
            let submissions = try await world.nextBatch(hot: hot)
            benchmark.startMeasurement()
            blackHole(try await world.alerts.ingest(submissions.batch, scope: submissions.scope, now: .now()))
            benchmark.stopMeasurement()
        }
    }
}

/// EVE alert lines as the wrk script writes them.
enum EVEBatch {
    static let size = 1_000

    /// Batch `batch` of the run: without `hot`, every record has its own signature (no merging); with it, five
    /// signatures on four hosts, so nearly every record repeats an open alert.
    static func lines(batch: Int, hot: Bool) -> [UInt8] {
        var text = ""
        text.reserveCapacity(size * 420)
        for i in 0..<size {
            let sid = hot ? 2_010_781 + i % 5 : 3_000_000 + (batch * size + i) % 90_000_000
            let host = hot ? i % 4 : i % 250
            let flow = batch * 10_000 + i
            text += """
                {"timestamp":"2026-11-29T10:\(pad(batch % 60)):\(pad(i % 60)).\(String(format: "%06d", (batch * 104_729 + i) % 1_000_000))+0000",\
                "flow_id":\(flow),"event_type":"alert","src_ip":"203.0.113.\(i % 250 + 1)","src_port":\(40_000 + i % 20_000),\
                "dest_ip":"10.20.\(host % 250).\(host % 250 + 1)","dest_port":445,"proto":"TCP","alert":{"action":"allowed",\
                "gid":1,"signature_id":\(sid),"rev":3,"signature":"ET POLICY bench \(sid)","category":"Potentially Bad Traffic",\
                "severity":2},"app_proto":"smb"}

                """
        }
        return Array(text.utf8)
    }

    static func pad(_ number: Int) -> String { number < 10 ? "0\(number)" : "\(number)" }
}

/// One SQLite database for the process with ten tenants and 100,000 alerts stored, as `scripts/bench/run.sh` seeds.
actor IngestWorld {
    let alerts: AlertRepository
    let scopes: [AccessScope]
    private var batch = 0

    private static let instance = IngestOnce()
    static func shared() async throws -> IngestWorld { try await instance.get() }

    init(alerts: AlertRepository, scopes: [AccessScope]) {
        self.alerts = alerts
        self.scopes = scopes
    }

    /// The next batch's submissions (mapped outside the measurement) and the tenant it goes to, in turn.
    func nextBatch(hot: Bool) throws -> (batch: [AlertSubmission], scope: AccessScope) {
        batch += 1
        let mapped = try SensorBatch(
            EVEBatch.lines(batch: batch, hot: hot), gzip: false, limit: 1 << 26, format: .suricata, options: .init())
        return (mapped.accepted.map(\.submission), scopes[batch % scopes.count])
    }

    static func build() async throws -> IngestWorld {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let db = try SQLiteExecutor(path: directory.appendingPathComponent("bench.sqlite").path)
        try await Migrator(executor: db).migrate()
        let tenants = DirectoryRepository(db: db)
        let now = Timestamp.now()
        var scopes: [AccessScope] = []
        for number in 0..<10 {
            let tenant = Tenant(
                id: .random(), name: "Customer \(number)", domain: "c\(number)-\(UUID().uuidString.prefix(8)).example",
                kind: .customer, createdAt: now)
            try await tenants.createTenant(tenant)
            scopes.append(
                AccessScope(
                    tenantID: tenant.id, principal: .app(clientID: .random(), tenantID: tenant.id),
                    capabilities: [.ingestAlerts], deviceGroups: .all))
        }
        let world = IngestWorld(alerts: AlertRepository(db: db), scopes: scopes)
        // Batches far beyond the measured ones' numbers, so that measured records never repeat a stored one.
        for seed in 0..<100 {
            let mapped = try SensorBatch(
                EVEBatch.lines(batch: 1_000_000 + seed, hot: false), gzip: false, limit: 1 << 26, format: .suricata,
                options: .init())
            _ = try await world.alerts.ingest(mapped.accepted.map(\.submission), scope: scopes[seed % 10], now: .now())
        }
        return world
    }
}

actor IngestOnce {
    private var task: Task<IngestWorld, any Error>?

    func get() async throws -> IngestWorld {
        if let task { return try await task.value }
        let created = Task { try await IngestWorld.build() }
        task = created
        return try await created.value
    }
}
