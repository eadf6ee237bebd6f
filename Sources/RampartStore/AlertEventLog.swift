import RampartCore

/// One row of the alert event log: what happened to an alert, and its severity then and before.
public struct AlertEvent: Sendable, Equatable {
    public var seq: Int64
    public var tenantID: TenantID
    public var alertID: String
    public var kind: String
    public var severity: AlertSeverity?
    /// The severity before an update (nil for a created alert, and for events written before severities were kept).
    public var previousSeverity: AlertSeverity?
    public var occurredAt: Timestamp
}

/// Reading the event log in sequence order for a consumer with a checkpoint.
enum AlertEventLog {
    /// How long a hole in the sequence may belong to a transaction still in flight. On PostgreSQL numbers are taken
    /// when rows are inserted but become visible at commit, so a later number can be seen before an earlier one;
    /// reading past the hole at once would skip the earlier event for good. Holes left by rollbacks are passed
    /// once they are this old.
    static let holeGraceSeconds: Int64 = 30

    static func read(_ db: any SQLQuerying, after position: Int64, limit: Int, now: Timestamp) async throws -> [AlertEvent] {
        let rows = try await db.query(
            """
            SELECT seq, tenant_id, alert_id, kind, severity, previous_severity, occurred_at FROM alert_events
            WHERE seq > \(bind: position) ORDER BY seq LIMIT \(bind: limit)
            """)
        var events: [AlertEvent] = []
        var expected = position + 1
        for row in rows {
            let event = AlertEvent(
                seq: try row.int("seq"), tenantID: try row.tenantID("tenant_id"), alertID: try row.string("alert_id"),
                kind: try row.string("kind"), severity: row.optionalString("severity").flatMap(AlertSeverity.init(rawValue:)),
                previousSeverity: row.optionalString("previous_severity").flatMap(AlertSeverity.init(rawValue:)),
                occurredAt: try row.timestamp("occurred_at"))
            if event.seq != expected && position > 0 && event.occurredAt > now.adding(seconds: -holeGraceSeconds) {
                break
            }
            events.append(event)
            expected = event.seq + 1
        }
        return events
    }
}

/// A consumer's position in the event log, advanced in the same transaction as the consumer's own writes.
enum EventLogCheckpoint {
    /// The position, locked against other processes until the transaction ends (PostgreSQL; SQLite has one writer).
    static func lock(_ db: any SQLQuerying, consumer: String) async throws -> Int64 {
        try await db.execute(
            "INSERT INTO consumer_checkpoints (name, position) VALUES (\(bind: consumer), 0) ON CONFLICT (name) DO NOTHING")
        let forUpdate = db.dialect == .postgres ? " FOR UPDATE" : ""
        return try await db.queryOne(
            "SELECT position FROM consumer_checkpoints WHERE name = \(bind: consumer)\(raw: forUpdate)")?.int("position") ?? 0
    }

    static func save(_ db: any SQLQuerying, consumer: String, position: Int64) async throws {
        try await db.execute("UPDATE consumer_checkpoints SET position = \(bind: position) WHERE name = \(bind: consumer)")
    }
}
