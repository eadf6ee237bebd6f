import Crypto
import Foundation
import RampartCore

/// A stored audit entry with its place in the tenant's chain.
public struct AuditRecord: Sendable, Equatable {
    public let position: Int64
    public let entry: AuditEntry
    public let previousHash: String
    public let hash: String
}

/// The per-tenant, append-only, hash-chained audit log. Each entry's hash covers the previous hash, so a changed,
/// removed or reordered entry breaks every hash after it.
public struct AuditRepository: Sendable {
    public static let genesis = String(repeating: "0", count: 64)
    let db: any SQLExecutor

    public init(db: any SQLExecutor) { self.db = db }

    /// Appends inside the caller's transaction, so the entry commits with the change it records.
    public static func append(_ entry: AuditEntry, in db: any SQLQuerying) async throws {
        // One appender per tenant at a time keeps the chain linear across processes.
        try await db.lockUntilCommit("audit:" + entry.tenantID.description)
        let last = try await db.queryOne(
            "SELECT position, hash FROM audit_log WHERE tenant_id = \(bind: entry.tenantID) ORDER BY position DESC LIMIT 1")
        let position = (last?.optionalInt("position") ?? 0) + 1
        let previous = last?.optionalString("hash") ?? genesis
        try await db.execute(
            """
            INSERT INTO audit_log (tenant_id, position, actor, actor_tenant_id, action, target, details, request_id, at,
                previous_hash, hash)
            VALUES (\(bind: entry.tenantID), \(bind: position), \(bind: entry.actor), \(bind: entry.actorTenantID),
                \(bind: entry.action), \(bind: entry.target), \(bind: entry.details), \(bind: entry.requestID),
                \(bind: entry.time), \(bind: previous), \(bind: hash(previous: previous, entry)))
            """)
    }

    public func append(_ entry: AuditEntry) async throws {
        try await db.transaction { db in try await Self.append(entry, in: db) }
    }

    static func hash(previous: String, _ entry: AuditEntry) -> String {
        SHA256.hash(data: Data((previous + "\n" + entry.canonicalText).utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Entries of the tenant, newest first, optionally narrowed by actor and action.
    /// `since` and `until` bound the entries' time (from inclusive, to exclusive).
    public func entries(
        _ scope: AccessScope, actor: String? = nil, action: String? = nil, since: Timestamp? = nil, until: Timestamp? = nil,
        before: Int64? = nil, limit: Int
    ) async throws -> [AuditRecord] {
        var sql: SQL = "SELECT * FROM audit_log WHERE tenant_id = \(bind: scope.tenantID)"
        if let actor { sql = sql + " AND actor = \(bind: actor)" }
        if let action { sql = sql + " AND action = \(bind: action)" }
        if let since { sql = sql + " AND at >= \(bind: since)" }
        if let until { sql = sql + " AND at < \(bind: until)" }
        if let before { sql = sql + " AND position < \(bind: before)" }
        sql = sql + " ORDER BY position DESC LIMIT \(bind: limit)"
        return try await db.query(sql).map(Self.record)
    }

    /// Recomputes every tenant's chain; returns the tenants and positions where it breaks (empty when intact).
    public func verify() async throws -> [(tenant: TenantID, position: Int64)] {
        var broken: [(TenantID, Int64)] = []
        var expected: [TenantID: (position: Int64, hash: String)] = [:]
        var reported: Set<TenantID> = []
        for row in try await db.query("SELECT * FROM audit_log ORDER BY tenant_id, position") {
            let record = try Self.record(row)
            let tenant = record.entry.tenantID
            let (lastPosition, lastHash) = expected[tenant] ?? (0, Self.genesis)
            let intact =
                record.position == lastPosition + 1 && record.previousHash == lastHash
                && record.hash == Self.hash(previous: record.previousHash, record.entry)
            if !intact, !reported.contains(tenant) {
                broken.append((tenant, record.position))
                reported.insert(tenant)
            }
            expected[tenant] = (record.position, record.hash)
        }
        return broken
    }

    static func record(_ row: SQLRow) throws -> AuditRecord {
        AuditRecord(
            position: try row.int("position"),
            entry: AuditEntry(
                tenantID: try row.tenantID("tenant_id"), actor: try row.string("actor"),
                actorTenantID: try row.tenantID("actor_tenant_id"), action: try row.string("action"),
                target: try row.string("target"), details: try row.string("details"), requestID: row.optionalString("request_id"),
                time: try row.timestamp("at")),
            previousHash: try row.string("previous_hash"), hash: try row.string("hash"))
    }
}
