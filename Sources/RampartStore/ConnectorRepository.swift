import Foundation
import RampartCore

/// A connector with where it stands and what it has done.
public struct ConnectorRecord: Sendable {
    public var connector: Connector
    /// The sealed secret (webhook signing key, HEC token); open it with the installation's `SecretBox`.
    public var sealedSecret: String?
    public var position: EventLogPosition
    public var health: ConnectorHealth
    public var nextAttemptAt: Timestamp
}

/// One event a connector gave up on after its attempts, kept for a replay.
public struct DeadLetter: Sendable, Equatable {
    public var id: Int64
    public var alertID: String
    public var tenantID: TenantID
    public var kind: String
    public var position: EventLogPosition
    public var error: String
    public var createdAt: Timestamp
}

/// Push connectors: configuration, checkpoints advanced only after a receiver took a batch, leases so that one
/// process pushes each connector at a time, and dead letters.
public struct ConnectorRepository: Sendable {
    let db: any SQLExecutor

    public init(db: any SQLExecutor) { self.db = db }

    public func create(
        _ connector: Connector, sealedSecret: String?, startingAt position: EventLogPosition, audit: AuditEntry
    ) async throws {
        do {
            try await db.transaction { db in
                try await AuditRepository.append(audit, in: db)
                try await db.insert(
                    into: "connectors",
                    columns: [
                        "id", "tenant_id", "name", "delegated_app", "target", "format", "severities", "device_groups", "kinds",
                        "state", "tx", "position", "attempts", "next_attempt_at", "sent_count", "failed_count", "dead_count",
                        "created_at", "secret",
                    ],
                    rows: [
                        [
                            connector.id.sqlValue, connector.tenantID.sqlValue, .text(connector.name),
                            .optional(connector.delegatedApp), .text(try Self.encode(connector.transport)),
                            .text(connector.format.rawValue),
                            .text(AlertRepository.json(connector.severities.map(\.rawValue).sorted())),
                            .text(AlertRepository.json(connector.deviceGroups.sorted())),
                            .text(AlertRepository.json(connector.kinds.sorted())), .text(connector.state.rawValue),
                            .integer(position.tx), .integer(position.seq), .integer(0), .integer(0), .integer(0), .integer(0),
                            .integer(0), connector.createdAt.sqlValue, .optional(sealedSecret),
                        ]
                    ])
            }
        } catch StoreError.uniqueViolation {
            throw RampartError.conflict("A connector named \(connector.name) already exists.")
        }
    }

    /// The oldest position still in the event log: where a connector that starts from the beginning starts.
    public func retainedStart() async throws -> EventLogPosition { try await EventLogRetention(db: db).pruned() }

    /// Every connector of the installation, for `/metrics`.
    public func all() async throws -> [ConnectorRecord] {
        try await measured("SELECT * FROM connectors ORDER BY tenant_id, name")
    }

    public func connectors(tenantID: TenantID) async throws -> [ConnectorRecord] {
        try await measured("SELECT * FROM connectors WHERE tenant_id = \(bind: tenantID) ORDER BY name")
    }

    public func connector(id: ObjectID, tenantID: TenantID) async throws -> ConnectorRecord? {
        try await measured("SELECT * FROM connectors WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)").first
    }

    /// Connectors as the portal, the API and `/metrics` show them: with their lag behind the newest settled event.
    func measured(_ sql: SQL) async throws -> [ConnectorRecord] {
        let records = try await db.query(sql).map(Self.record)
        guard !records.isEmpty else { return [] }
        let latest = try await AlertEventLog.latest(db) ?? .start
        return records.map { record in
            var record = record
            record.health.lag = max(0, latest.seq - record.position.seq)
            return record
        }
    }

    public func delete(id: ObjectID, tenantID: TenantID, audit: AuditEntry) async throws -> Bool {
        try await db.transaction { db in
            guard try await Self.owned(db, id: id, tenantID: tenantID) else { return false }
            try await AuditRepository.append(audit, in: db)
            try await db.execute("DELETE FROM connector_dead_letters WHERE connector_id = \(bind: id)")
            try await db.execute("DELETE FROM connectors WHERE id = \(bind: id)")
            return true
        }
    }

    /// Pause, resume, or move the checkpoint (rewind); each audited.
    public func update(
        id: ObjectID, tenantID: TenantID, state: Connector.State? = nil, position: EventLogPosition? = nil, audit: AuditEntry
    ) async throws -> Bool {
        try await db.transaction { db in
            guard try await Self.owned(db, id: id, tenantID: tenantID) else { return false }
            try await AuditRepository.append(audit, in: db)
            if let state {
                try await db.execute("UPDATE connectors SET state = \(bind: state.rawValue), attempts = 0 WHERE id = \(bind: id)")
            }
            if let position {
                try await db.execute(
                    """
                    UPDATE connectors SET tx = \(bind: position.tx), position = \(bind: position.seq), attempts = 0,
                        next_attempt_at = 0 WHERE id = \(bind: id)
                    """)
            }
            return true
        }
    }

    /// The position just before the first settled event at or after `time`: rewinding there replays from `time`.
    public func position(before time: Timestamp) async throws -> EventLogPosition {
        let settled: SQL =
            db.dialect == .postgres ? " AND tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint" : ""
        guard
            let first = try await db.queryOne(
                "SELECT tx, seq FROM alert_events WHERE occurred_at >= \(bind: time)\(settled) ORDER BY tx, seq LIMIT 1")
        else { return try await AlertEventLog.latest(db) ?? .start }
        return EventLogPosition(tx: try first.int("tx"), seq: try first.int("seq") - 1)
    }

    // MARK: Work

    /// Takes up to `limit` active connectors that are due and not leased by another process, for `leaseSeconds`.
    public func lease(owner: String, now: Timestamp, limit: Int, leaseSeconds: Int64) async throws -> [ConnectorRecord] {
        // The common case, no connector at all, costs one read instead of a write transaction.
        guard try await db.queryOne("SELECT id FROM connectors WHERE state = 'active' LIMIT 1") != nil else { return [] }
        return try await db.transaction { db in
            let skipLocked = db.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            let records = try await db.query(
                """
                SELECT * FROM connectors WHERE state = 'active' AND next_attempt_at <= \(bind: now)
                AND (lease_until IS NULL OR lease_until < \(bind: now) OR lease_owner = \(bind: owner))
                ORDER BY next_attempt_at, id LIMIT \(bind: limit)\(raw: skipLocked)
                """
            ).map(Self.record)
            for record in records {
                try await db.execute(
                    """
                    UPDATE connectors SET lease_owner = \(bind: owner), lease_until = \(bind: now.adding(seconds: leaseSeconds))
                    WHERE id = \(bind: record.connector.id)
                    """)
            }
            return records
        }
    }

    /// The receiver took everything up to `position`: the checkpoint moves there and the counters grow.
    public func advance(id: ObjectID, owner: String, to position: EventLogPosition, sent: Int, now: Timestamp) async throws {
        try await db.execute(
            """
            UPDATE connectors SET tx = \(bind: position.tx), position = \(bind: position.seq), attempts = 0,
                sent_count = sent_count + \(bind: sent), last_sent_at = \(sent > 0 ? SQL("\(bind: now)") : "last_sent_at"),
                next_attempt_at = 0, last_error = \(sent > 0 ? "NULL" : "last_error")
            WHERE id = \(bind: id) AND lease_owner = \(bind: owner)
            """)
    }

    /// A failed attempt: tried again at `retryAt`.
    public func fail(id: ObjectID, owner: String, error: String, retryAt: Timestamp) async throws {
        try await db.execute(
            """
            UPDATE connectors SET attempts = attempts + 1, failed_count = failed_count + 1, last_error = \(bind: error),
                next_attempt_at = \(bind: retryAt)
            WHERE id = \(bind: id) AND lease_owner = \(bind: owner)
            """)
    }

    /// Gives up on a batch after its attempts: its events go to the dead letters and the checkpoint moves past them,
    /// in one transaction.
    public func deadLetter(
        id: ObjectID, owner: String, events: [(AlertEvent, String)], through position: EventLogPosition, now: Timestamp
    ) async throws {
        try await db.transaction { db in
            try await db.insert(
                into: "connector_dead_letters",
                columns: ["connector_id", "tenant_id", "alert_id", "kind", "tx", "seq", "error", "created_at"],
                rows: events.map { event, error in
                    [
                        id.sqlValue, event.tenantID.sqlValue, .text(event.alertID), .text(event.kind),
                        .integer(event.position.tx), .integer(event.position.seq), .text(error), now.sqlValue,
                    ]
                })
            try await db.execute(
                """
                UPDATE connectors SET tx = \(bind: position.tx), position = \(bind: position.seq), attempts = 0,
                    next_attempt_at = 0, dead_count = dead_count + \(bind: events.count)
                WHERE id = \(bind: id) AND lease_owner = \(bind: owner)
                """)
        }
    }

    public func deadLetters(connectorID: ObjectID, limit: Int = 1000) async throws -> [DeadLetter] {
        try await db.query(
            "SELECT * FROM connector_dead_letters WHERE connector_id = \(bind: connectorID) ORDER BY id LIMIT \(bind: limit)"
        ).map { row in
            DeadLetter(
                id: try row.int("id"), alertID: try row.string("alert_id"), tenantID: try row.tenantID("tenant_id"),
                kind: try row.string("kind"), position: EventLogPosition(tx: try row.int("tx"), seq: try row.int("seq")),
                error: try row.string("error"), createdAt: try row.timestamp("created_at"))
        }
    }

    public func removeDeadLetters(ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await db.execute(
            "DELETE FROM connector_dead_letters WHERE id IN (\(SQL.joined(ids.map { "\(bind: $0)" }, separator: ", ")))")
    }

    static func owned(_ db: any SQLQuerying, id: ObjectID, tenantID: TenantID) async throws -> Bool {
        try await db.queryOne("SELECT id FROM connectors WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)") != nil
    }

    /// The lowest checkpoint of any connector: retention keeps every event after it.
    static func lowestPosition(_ db: any SQLQuerying) async throws -> EventLogPosition? {
        guard let row = try await db.queryOne("SELECT tx, position FROM connectors ORDER BY tx, position LIMIT 1") else {
            return nil
        }
        return EventLogPosition(tx: try row.int("tx"), seq: try row.int("position"))
    }

    static func record(_ row: SQLRow) throws -> ConnectorRecord {
        let connector = Connector(
            id: try row.objectID("id"), tenantID: try row.tenantID("tenant_id"), name: try row.string("name"),
            delegatedApp: row.optionalString("delegated_app").flatMap(ObjectID.init),
            transport: try Self.decodeTransport(try row.string("target")),
            format: Connector.Format(rawValue: try row.string("format")) ?? .json,
            severities: Set(
                try AlertRepository.stringArray(try row.string("severities")).compactMap(AlertSeverity.init(rawValue:))),
            deviceGroups: Set(try AlertRepository.stringArray(try row.string("device_groups"))),
            kinds: Set(try AlertRepository.stringArray(try row.string("kinds"))),
            state: Connector.State(rawValue: try row.string("state")) ?? .paused, createdAt: try row.timestamp("created_at"))
        return ConnectorRecord(
            connector: connector, sealedSecret: row.optionalString("secret"),
            position: EventLogPosition(tx: try row.int("tx"), seq: try row.int("position")),
            health: ConnectorHealth(
                sent: try row.int("sent_count"), failed: try row.int("failed_count"), deadLettered: try row.int("dead_count"),
                attempts: Int(try row.int("attempts")), lastError: row.optionalString("last_error"),
                lastSentAt: row.optionalTimestamp("last_sent_at"), lag: 0),
            nextAttemptAt: try row.timestamp("next_attempt_at"))
    }

    static func decodeTransport(_ text: String) throws -> Connector.Transport {
        try JSONDecoder().decode(Connector.Transport.self, from: Data(text.utf8))
    }

    static func encode(_ target: Connector.Transport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(target), as: UTF8.self)
    }
}
