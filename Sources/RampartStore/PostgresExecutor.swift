import Foundation
import Logging
import NIOCore
import PostgresNIO

/// PostgreSQL through PostgresNIO's pooled `PostgresClient`.
public final class PostgresExecutor: SQLExecutor {
    public let dialect = SQLDialect.postgres
    let client: PostgresClient
    let logger: Logger
    private let runTask: Task<Void, Never>

    /// Connects lazily; `url` is `postgres://user:password@host:port/database[?sslmode=disable|prefer|require]`.
    public init(url: String, logger: Logger, maximumConnections: Int = 20) throws {
        guard let components = URLComponents(string: url),
            components.scheme == "postgres" || components.scheme == "postgresql",
            let host = components.host, !host.isEmpty
        else { throw StoreError.unsupportedDatabaseURL("expected postgres://user:password@host:port/database") }
        let mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "require", "verify-full": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: database.isEmpty ? nil : database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        runTask = Task { await client.run() }
    }

    public func query(_ sql: SQL) async throws -> [SQLRow] {
        try await Self.query(sql, on: { try await self.client.query($0, logger: self.logger) })
    }

    public func execute(_ sql: SQL) async throws {
        _ = try await query(sql)
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLQuerying) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(PostgresTransaction(connection: connection, logger: self.logger))
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error
        }
    }

    public func ping() async throws {
        _ = try await query("SELECT 1 AS one")
    }

    public func close() async throws {
        runTask.cancel()
        await runTask.value
    }

    static func query(_ sql: SQL, on run: (PostgresQuery) async throws -> PostgresRowSequence) async throws -> [SQLRow] {
        let (text, binds) = sql.render(.postgres)
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let number): bindings.append(number)
            case .real(let number): bindings.append(number)
            case .text(let string): bindings.append(string)
            case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            }
        }
        do {
            let sequence = try await run(PostgresQuery(unsafeSQL: text, binds: bindings))
            var rows: [SQLRow] = []
            var columns: [String: Int]?
            for try await row in sequence {
                var values: [SQLValue] = []
                var names: [String: Int] = [:]
                for (index, cell) in row.enumerated() {
                    if columns == nil, names[cell.columnName] == nil { names[cell.columnName] = index }
                    values.append(try convert(cell))
                }
                if columns == nil { columns = names }
                rows.append(SQLRow(columns: columns ?? names, values: values))
            }
            return rows
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw StoreError.uniqueViolation(error.serverInfo?[.message] ?? "unique constraint")
        }
    }

    static func convert(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .bytea:
            var buffer = try cell.decode(ByteBuffer.self)
            return .blob(buffer.readBytes(length: buffer.readableBytes) ?? [])
        default: return (try? cell.decode(String.self)).map(SQLValue.text) ?? .null
        }
    }
}

struct PostgresTransaction: SQLQuerying {
    let connection: PostgresConnection
    let logger: Logger
    var dialect: SQLDialect { .postgres }
    func query(_ sql: SQL) async throws -> [SQLRow] {
        try await PostgresExecutor.query(sql, on: { try await connection.query($0, logger: logger) })
    }
    func execute(_ sql: SQL) async throws { _ = try await query(sql) }
}
