import RampartCore

/// One row of the alert event log: what happened to an alert, and its severity then and before.
public struct AlertEvent: Sendable, Equatable {
    public var position: EventLogPosition
    public var tenantID: TenantID
    public var alertID: String
    public var kind: String
    public var severity: AlertSeverity?
    /// The severity before an update (nil for a created alert, and for events written before severities were kept).
    public var previousSeverity: AlertSeverity?
    public var occurredAt: Timestamp

    public init(
        position: EventLogPosition, tenantID: TenantID, alertID: String, kind: String, severity: AlertSeverity?,
        previousSeverity: AlertSeverity?, occurredAt: Timestamp
    ) {
        self.position = position
        self.tenantID = tenantID
        self.alertID = alertID
        self.kind = kind
        self.severity = severity
        self.previousSeverity = previousSeverity
        self.occurredAt = occurredAt
    }
}

/// Where a consumer stands in the event log: the writing transaction and the sequence number of the last event
/// it has read (the transaction is always 0 on SQLite).
public struct EventLogPosition: Sendable, Equatable, Comparable {
    public var tx: Int64
    public var seq: Int64

    public init(tx: Int64, seq: Int64) {
        self.tx = tx
        self.seq = seq
    }

    public static let start = EventLogPosition(tx: 0, seq: 0)
    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.tx, lhs.seq) < (rhs.tx, rhs.seq) }
}

/// Reading the event log in order for a consumer with a checkpoint, never passing an event that may still appear.
///
/// On PostgreSQL numbers are taken at insert but rows show at commit, so reading by number alone could pass an
/// event whose transaction is still running and skip it for good. Events are therefore read in the order of their
/// writing transaction's id, then number, and only from transactions older than every transaction still running:
/// no event can appear below that line any more, and a rolled-back transaction's events never appear and hold
/// nothing up. SQLite has one writer at a time, so its numbers are already in commit order (every `tx` is 0).
enum AlertEventLog {
    /// Events after `position`; only those of `tenants` when given.
    static func read(_ db: any SQLQuerying, after position: EventLogPosition, limit: Int, tenants: [TenantID]? = nil)
        async throws -> [AlertEvent]
    {
        var filter: SQL =
            db.dialect == .postgres ? " AND tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint" : ""
        if let tenants {
            guard !tenants.isEmpty else { return [] }
            // SQLite would pick the tenant index and sort all of a tenant's events for every page; `+` keeps it on
            // the (tx, seq) index, which the row-value comparison below reads as one range.
            let column: SQL = db.dialect == .sqlite ? "+tenant_id" : "tenant_id"
            filter = filter + " AND \(column) IN (\(SQL.joined(tenants.map { "\(bind: $0)" }, separator: ", ")))"
        }
        return try await db.query(
            """
            SELECT tx, seq, tenant_id, alert_id, kind, severity, previous_severity, occurred_at FROM alert_events
            WHERE (tx, seq) > (\(bind: position.tx), \(bind: position.seq))\(filter)
            ORDER BY tx, seq LIMIT \(bind: limit)
            """
        ).map { row in
            AlertEvent(
                position: EventLogPosition(tx: try row.int("tx"), seq: try row.int("seq")),
                tenantID: try row.tenantID("tenant_id"), alertID: try row.string("alert_id"), kind: try row.string("kind"),
                severity: row.optionalString("severity").flatMap(AlertSeverity.init(rawValue:)),
                previousSeverity: row.optionalString("previous_severity").flatMap(AlertSeverity.init(rawValue:)),
                occurredAt: try row.timestamp("occurred_at"))
        }
    }
}

extension AlertEventLog {
    /// The newest settled event's position, nil for an empty log.
    static func latest(_ db: any SQLQuerying) async throws -> EventLogPosition? {
        let settled: SQL =
            db.dialect == .postgres ? " WHERE tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint" : ""
        guard let row = try await db.queryOne("SELECT tx, seq FROM alert_events\(settled) ORDER BY tx DESC, seq DESC LIMIT 1")
        else { return nil }
        return EventLogPosition(tx: try row.int("tx"), seq: try row.int("seq"))
    }
}

/// A consumer's position in the event log, advanced in the same transaction as the consumer's own writes.
enum EventLogCheckpoint {
    /// The position, locked against other processes until the transaction ends (PostgreSQL; SQLite has one writer).
    static func lock(_ db: any SQLQuerying, consumer: String) async throws -> EventLogPosition {
        try await db.execute(
            """
            INSERT INTO consumer_checkpoints (name, tx, position) VALUES (\(bind: consumer), 0, 0)
            ON CONFLICT (name) DO NOTHING
            """)
        let forUpdate = db.dialect == .postgres ? " FOR UPDATE" : ""
        guard
            let row = try await db.queryOne(
                "SELECT tx, position FROM consumer_checkpoints WHERE name = \(bind: consumer)\(raw: forUpdate)")
        else { return .start }
        return EventLogPosition(tx: try row.int("tx"), seq: try row.int("position"))
    }

    /// The position without locking it (`start` for a consumer that never ran).
    static func current(_ db: any SQLQuerying, consumer: String) async throws -> EventLogPosition {
        guard let row = try await db.queryOne("SELECT tx, position FROM consumer_checkpoints WHERE name = \(bind: consumer)")
        else { return .start }
        return EventLogPosition(tx: try row.int("tx"), seq: try row.int("position"))
    }

    static func save(_ db: any SQLQuerying, consumer: String, position: EventLogPosition) async throws {
        try await db.execute(
            """
            UPDATE consumer_checkpoints SET tx = \(bind: position.tx), position = \(bind: position.seq)
            WHERE name = \(bind: consumer)
            """)
    }
}

/// Keeping the event log to its retention window. Events are deleted only once they are older than the window and
/// every internal consumer has read them; the highest deleted position is kept, so a cursor from before it is
/// known to have expired rather than silently skipping what was deleted.
public struct EventLogRetention: Sendable {
    let db: any SQLExecutor
    static let prunedMarker = "pruned"
    static let consumers = [NotificationRepository.consumer]

    public init(db: any SQLExecutor) { self.db = db }

    /// Deletes up to `batch` events older than `before`; returns how many went.
    @discardableResult
    public func prune(before: Timestamp, batch: Int = 10_000) async throws -> Int {
        try await db.transaction { db in
            let marker = try await EventLogCheckpoint.lock(db, consumer: Self.prunedMarker)
            var bound: EventLogPosition?
            for consumer in Self.consumers {
                let position = try await EventLogCheckpoint.lock(db, consumer: consumer)
                bound = min(bound ?? position, position)
            }
            // Connectors, paused ones too, keep what they have not pushed yet.
            if let lowest = try await ConnectorRepository.lowestPosition(db) { bound = min(bound ?? lowest, lowest) }
            let old = try await AlertEventLog.read(db, after: marker, limit: batch).prefix {
                $0.occurredAt < before && $0.position <= (bound ?? .start)
            }
            guard let last = old.last else { return 0 }
            try await db.execute(
                """
                DELETE FROM alert_events WHERE (tx, seq) <= (\(bind: last.position.tx), \(bind: last.position.seq))
                """)
            try await EventLogCheckpoint.save(db, consumer: Self.prunedMarker, position: last.position)
            return old.count
        }
    }

    /// The highest position deleted so far (`start` when nothing was).
    public func pruned() async throws -> EventLogPosition {
        guard
            let row = try await db.queryOne(
                "SELECT tx, position FROM consumer_checkpoints WHERE name = \(bind: Self.prunedMarker)")
        else { return .start }
        return EventLogPosition(tx: try row.int("tx"), seq: try row.int("position"))
    }
}
