import Foundation
import GRDB
import GRDBSQLite

/// SQLite through GRDB's `DatabasePool`: WAL, concurrent readers, one writer.
///
/// Transactions span several async calls, so the writer connection is held by an async lock for the whole
/// transaction and GRDB is told that a transaction may stay open between two accesses. Whoever holds that lock runs
/// its statements on the writer connection synchronously (`onWriter`).
public final class SQLiteExecutor: SQLExecutor {
    public let dialect = SQLDialect.sqlite
    let pool: DatabasePool
    let writerLock = AsyncLock()
    /// Copies the write-ahead log into the database file beside the writer (see `checkpoints`).
    let checkpointer: DatabaseQueue
    let checkpointTask: Task<Void, Never>
    /// Told after each commit; the checkpoint task waits on it, so an idle database costs nothing.
    let committed: AsyncStream<Void>.Continuation

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        configuration.busyMode = .timeout(10)
        configuration.maximumReaderCount = 8
        configuration.prepareDatabase { db in
            // Taken when the file is created (an existing database keeps its page size): a batch of alerts writes
            // fewer, fuller pages to the log than with 4 KB pages (a tenth more ingest; 16 KB pages were slower).
            try db.execute(sql: "PRAGMA page_size = 8192")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // Reads through a shared memory map instead of a `pread` and a copy per page into each connection's
            // own 2 MB cache: a push connector or a SIEM page reads tens of megabytes.
            try db.execute(sql: "PRAGMA mmap_size = 1073741824")
            try db.execute(sql: "PRAGMA cache_size = -16384")
            // Checkpoints run on their own connection (`checkpoints`); this is only the backstop.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384")
            // Under sustained ingest the log runs to ~150 MB between resets. Cut back to 64 MB at each reset, it grew
            // the file again block by block while the writer waited (Suricata ingest 16,100–16,500 → 18,900–19,000
            // records/s with the file kept); it is still cut back beyond 256 MB.
            try db.execute(sql: "PRAGMA journal_size_limit = 268435456")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        var checkpointing = Configuration()
        checkpointing.busyMode = .timeout(1)
        checkpointer = try DatabaseQueue(path: path, configuration: checkpointing)
        let (commits, committed) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.committed = committed
        checkpointTask = Self.checkpoints(checkpointer, after: commits)
    }

    /// A large batch writes hundreds of pages to the log; with SQLite's automatic checkpoint, nearly every such commit
    /// also copied the log into the database file and waited for the disk, a third of the time the single writer
    /// was held. A passive checkpoint on another connection does that work beside the writer instead.
    static func checkpoints(_ connection: DatabaseQueue, after commits: AsyncStream<Void>) -> Task<Void, Never> {
        Task.detached(priority: .utility) {
            for await _ in commits {
                _ = try? await connection.writeWithoutTransaction { db in
                    try db.checkpoint(.passive)
                }
                // Commits that came meanwhile are one more pass at most; pace the passes.
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    public func query(_ sql: SQL) async throws -> [SQLRow] {
        let (text, binds) = sql.render(.sqlite)
        guard Self.isRead(text) else {
            return try await writerLock.withLock { try self.writerQuery(sql) }
        }
        do {
            return try await pool.read { db in try Self.fetch(db, text, binds) }
        } catch {
            throw Self.translated(error)
        }
    }

    public func execute(_ sql: SQL) async throws {
        try await writerLock.withLock { try self.writerExecute(sql) }
        committed.yield()
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLQuerying) async throws -> T) async throws -> T {
        try await writerLock.withLock {
            try self.onWriter { db in try db.execute(sql: "BEGIN IMMEDIATE") }
            do {
                let result = try await body(SQLiteTransaction(executor: self))
                try self.onWriter { db in try db.execute(sql: "COMMIT") }
                self.committed.yield()
                return result
            } catch {
                try? self.onWriter { db in
                    if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") }
                }
                throw error
            }
        }
    }

    public func ping() async throws {
        _ = try await query("SELECT 1 AS one")
    }

    public func close() async throws {
        committed.finish()
        checkpointTask.cancel()
        try checkpointer.close()
        try pool.close()
    }

    /// Runs `body` on the writer connection on the caller's thread; the caller holds the writer lock.
    ///
    /// GRDB's async access hops to the writer's queue and back for every statement: an ingest transaction of ~20
    /// statements spent more time in those hand-offs than in SQLite. The lock already keeps every other writer out,
    /// so the writer's queue is idle and a synchronous access runs at once on this thread.
    func onWriter<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.writeWithoutTransaction(body)
        } catch {
            throw Self.translated(error)
        }
    }

    func writerQuery(_ sql: SQL) throws -> [SQLRow] {
        let (text, binds) = sql.render(.sqlite)
        return try onWriter { db in try Self.fetch(db, text, binds) }
    }

    func writerExecute(_ sql: SQL) throws {
        let (text, binds) = sql.render(.sqlite)
        try onWriter { db in try Self.step(db, try db.cachedStatement(sql: text), binds) { _ in } }
    }

    /// Plain reads go to the reader pool; anything else (`UPDATE … RETURNING`) to the writer.
    static func isRead(_ text: String) -> Bool {
        let head = text.drop(while: { $0.isWhitespace }).prefix(6).uppercased()
        return head == "SELECT"
    }

    /// All rows in one visit to the writer connection. Narrow rows (evidence, event log) go several to a statement
    /// (two cached statements at most: the full chunks' and the last one's): each execution of a statement has a
    /// fixed cost, and on a table with AUTOINCREMENT writes its counter, paid once per chunk instead of per row (the
    /// event log's thousand rows of a batch: 3.2 → 2.3 ms). Wide rows go one to an execution: fifty alerts of thirty
    /// columns to a statement took half as long again as one at a time.
    func writerInsert(into table: String, columns: [String], rows: [[SQLValue]]) throws {
        guard !rows.isEmpty else { return }
        let perStatement = min(rows.count, columns.count <= Self.narrowColumns ? Self.rowsPerStatement : 1)
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        func text(_ count: Int) -> String {
            "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                + Array(repeating: tuple, count: count).joined(separator: ", ")
        }
        let last = rows.count % perStatement
        try onWriter { db in
            let full = try db.cachedStatement(sql: text(perStatement))
            for start in stride(from: 0, to: rows.count - last, by: perStatement) {
                let chunk = perStatement == 1 ? rows[start] : rows[start..<start + perStatement].flatMap { $0 }
                try Self.step(db, full, chunk) { _ in }
            }
            if last > 0 {
                try Self.step(db, try db.cachedStatement(sql: text(last)), rows[(rows.count - last)...].flatMap { $0 }) { _ in }
            }
        }
    }

    static let rowsPerStatement = 50
    static let narrowColumns = 8

    public func insert(into table: String, columns: [String], rows: [[SQLValue]]) async throws {
        try await transaction { db in try await db.insert(into: table, columns: columns, rows: rows) }
    }

    public func executeAll(_ statements: [SQL]) async throws {
        try await writerLock.withLock { try self.writerExecuteAll(statements) }
        committed.yield()
    }

    func writerExecuteAll(_ statements: [SQL]) throws {
        guard !statements.isEmpty else { return }
        let rendered = statements.map { $0.render(.sqlite) }
        try onWriter { db in
            for (text, binds) in rendered {
                try Self.step(db, try db.cachedStatement(sql: text), binds) { _ in }
            }
        }
    }

    static func fetch(_ db: Database, _ text: String, _ binds: [SQLValue]) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: text)
        let names = statement.columnNames
        var columns: [String: Int] = [:]
        for (index, name) in names.enumerated() where columns[name] == nil { columns[name] = index }
        var rows: [SQLRow] = []
        // Columns are read from SQLite directly: going through GRDB's `DatabaseValue` for every column of every row
        // was a tenth of a large page's cost.
        try step(db, statement, binds) { raw in
            var values: [SQLValue] = []
            values.reserveCapacity(names.count)
            for index in 0..<Int32(names.count) {
                values.append(column(raw, index))
            }
            rows.append(SQLRow(columns: columns, values: values))
        }
        return rows
    }

    /// Binds `binds` to the statement and steps it to the end, handing each row to `row`; the statement is reset
    /// and its bindings cleared afterwards, so that it holds no read snapshot and points to no freed memory. Bound
    /// through SQLite directly: GRDB's `StatementArguments` (dynamic casts per value) was a twentieth of ingest's cost.
    ///
    /// Text and blobs are copied once into one buffer that outlives the execution and bound without SQLite copying
    /// them again (`SQLITE_STATIC`): with a copy and a free per value, storing a batch of 1,000 Suricata alerts took
    /// 13.8–15.3 ms instead of 11.6–12.7 ms, and their evidence 4.1–4.5 ms instead of 3.3–3.9 ms.
    static func step(_ db: Database, _ statement: Statement, _ binds: [SQLValue], row: (OpaquePointer) throws -> Void) throws {
        let raw = statement.sqliteStatement
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
        var size = 0
        for value in binds {
            switch value {
            case .text(let text): size += text.utf8.count
            case .blob(let bytes): size += bytes.count
            case .null, .integer, .real: break
            }
        }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 1)
        defer {
            sqlite3_reset(raw)
            sqlite3_clear_bindings(raw)
            buffer.deallocate()
        }
        var offset = 0
        for (position, value) in binds.enumerated() {
            let index = Int32(position + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(raw, index)
            case .integer(let number): code = sqlite3_bind_int64(raw, index, number)
            case .real(let number): code = sqlite3_bind_double(raw, index, number)
            case .text(var text):
                let count = text.withUTF8 { bytes in
                    if let base = bytes.baseAddress { (buffer + offset).copyMemory(from: base, byteCount: bytes.count) }
                    return bytes.count
                }
                code = sqlite3_bind_text(
                    raw, index, (buffer + offset).assumingMemoryBound(to: CChar.self), Int32(count), Self.static)
                offset += count
            case .blob(let bytes):
                bytes.withUnsafeBytes { source in
                    if let base = source.baseAddress { (buffer + offset).copyMemory(from: base, byteCount: source.count) }
                }
                code = sqlite3_bind_blob(raw, index, buffer + offset, Int32(bytes.count), Self.static)
                offset += bytes.count
            }
            guard code == SQLITE_OK else { throw error(db, code, statement) }
        }
        while true {
            let code = sqlite3_step(raw)
            if code == SQLITE_ROW {
                try row(raw)
            } else if code == SQLITE_DONE {
                return
            } else {
                throw error(db, code, statement)
            }
        }
    }

    static func error(_ db: Database, _ code: Int32, _ statement: Statement) -> DatabaseError {
        let extended = db.sqliteConnection.map { sqlite3_extended_errcode($0) } ?? code
        let message = db.sqliteConnection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: extended), message: message, sql: statement.sql)
    }

    /// SQLite uses the bound value where it lies, without copying it (`SQLITE_STATIC`): it must stay valid until the
    /// bindings are cleared.
    static let `static`: sqlite3_destructor_type? = nil

    static func column(_ statement: OpaquePointer, _ index: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, index))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard count > 0, let start = sqlite3_column_blob(statement, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: start, count: count)))
        default:
            guard let start = sqlite3_column_text(statement, index) else { return .text("") }
            let count = Int(sqlite3_column_bytes(statement, index))
            return .text(String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self))
        }
    }

    /// A unique or primary-key violation is the store's own error, the same on both databases.
    static func translated(_ error: any Error) -> any Error {
        guard let error = error as? DatabaseError, error.resultCode == .SQLITE_CONSTRAINT,
            error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
                || error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
        else { return error }
        return StoreError.uniqueViolation(error.message ?? "unique constraint")
    }
}

/// The statements of one SQLite transaction, all on the writer connection.
struct SQLiteTransaction: SQLQuerying {
    let executor: SQLiteExecutor
    var dialect: SQLDialect { .sqlite }
    func query(_ sql: SQL) async throws -> [SQLRow] { try executor.writerQuery(sql) }
    func execute(_ sql: SQL) async throws { try executor.writerExecute(sql) }
    func insert(into table: String, columns: [String], rows: [[SQLValue]]) async throws {
        try executor.writerInsert(into: table, columns: columns, rows: rows)
    }
    func executeAll(_ statements: [SQL]) async throws { try executor.writerExecuteAll(statements) }
}
