/// Runs statements; everything that needs several statements to hold together runs in `transaction`.
public protocol SQLQuerying: Sendable {
    var dialect: SQLDialect { get }
    func query(_ sql: SQL) async throws -> [SQLRow]
    func execute(_ sql: SQL) async throws
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
