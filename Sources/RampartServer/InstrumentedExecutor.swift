import Logging
import Metrics
import RampartStore

/// Wraps the database so `/metrics` shows statement latency, errors and the statements in flight.
struct InstrumentedExecutor: SQLExecutor {
    let base: any SQLExecutor
    private let duration = Metrics.Timer(label: "rampart_db_statement_duration", preferredDisplayUnit: .seconds)
    private let failures = Counter(label: "rampart_db_statement_errors_total")
    private let inFlight = Meter(label: "rampart_db_statements_in_flight")

    init(base: any SQLExecutor) { self.base = base }

    var dialect: SQLDialect { base.dialect }

    func query(_ sql: SQL) async throws -> [SQLRow] { try await measure { try await base.query(sql) } }
    func execute(_ sql: SQL) async throws { try await measure { try await base.execute(sql) } }
    func insert(into table: String, columns: [String], rows: [[SQLValue]]) async throws {
        try await measure { try await base.insert(into: table, columns: columns, rows: rows) }
    }
    func executeAll(_ statements: [SQL]) async throws { try await measure { try await base.executeAll(statements) } }
    func transaction<T: Sendable>(_ body: @Sendable (any SQLQuerying) async throws -> T) async throws -> T {
        try await measure { try await base.transaction(body) }
    }
    func ping() async throws { try await base.ping() }
    func close() async throws { try await base.close() }

    private func measure<T>(_ body: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        inFlight.increment()
        defer {
            inFlight.decrement()
            duration.recordNanoseconds((ContinuousClock.now - start).nanoseconds)
        }
        do {
            return try await body()
        } catch {
            failures.increment()
            throw error
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
