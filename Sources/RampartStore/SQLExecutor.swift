/// Runs statements; everything that needs several statements to hold together runs in `transaction`.
public protocol SQLQuerying: Sendable {
    var dialect: SQLDialect { get }
    func query(_ sql: SQL) async throws -> [SQLRow]
    func execute(_ sql: SQL) async throws
    /// Inserts many rows: the dialect picks the fastest way (one prepared statement per row on SQLite,
    /// multi-row `VALUES` on PostgreSQL). `table` and `columns` are trusted names chosen by code.
    func insert(into table: String, columns: [String], rows: [[SQLValue]]) async throws
    /// Runs the statements in order, in one visit to the connection where the dialect allows (SQLite's writer):
    /// a batch's hundreds of small updates otherwise wait for a thread hand-off each.
    func executeAll(_ statements: [SQL]) async throws
}

extension SQLQuerying {
    public func executeAll(_ statements: [SQL]) async throws {
        for statement in statements { try await execute(statement) }
    }

    /// Holds PostgreSQL's advisory lock on `name` until the transaction ends: one transaction per name at a time,
    /// across processes. Nothing on SQLite, whose single writer runs one transaction at a time already.
    public func lockUntilCommit(_ name: String) async throws {
        guard dialect == .postgres else { return }
        try await execute("SELECT pg_advisory_xact_lock(hashtext(\(bind: name)))")
    }

    /// Multi-row `VALUES` in chunks that stay under every database's limit on parameters.
    public func insert(into table: String, columns: [String], rows: [[SQLValue]]) async throws {
        guard !rows.isEmpty, !columns.isEmpty else { return }
        let perChunk = max(1, 30_000 / columns.count)
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + perChunk, rows.count)]
            let values = SQL.joined(
                chunk.map { row in "(" + SQL.joined(row.map { "\(bind: $0)" }, separator: ", ") + ")" }, separator: ", ")
            try await execute("INSERT INTO \(raw: table) (\(raw: columns.joined(separator: ", "))) VALUES \(values)")
            start += perChunk
        }
    }
}

/// The one storage seam: GRDB (SQLite) and PostgresNIO implement it; repositories are written once above it.
public protocol SQLExecutor: SQLQuerying {
    /// Runs `body` in one transaction: all its writes commit together or not at all.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLQuerying) async throws -> T) async throws -> T
    /// Checks that the database answers.
    func ping() async throws
    func close() async throws
}

extension SQLQuerying {
    public func queryOne(_ sql: SQL) async throws -> SQLRow? { try await query(sql).first }
}
