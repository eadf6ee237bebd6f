import Foundation
import RampartCore

/// One email of the outbox: rendered once when it is written, so every attempt sends the same bytes with the same
/// Message-ID, and kept afterwards as the delivery log.
public struct OutboxEmail: Sendable, Equatable {
    public enum Status: String, Sendable {
        case queued
        case sent
        case failed
    }

    public var id: ObjectID
    public var tenantID: TenantID
    public var ruleID: ObjectID?
    public var ruleName: String
    public var kind: String
    public var recipient: String
    public var messageID: String
    public var subject: String
    /// The complete message text (RFC 5322).
    public var body: String
    public var alertIDs: [String]
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Timestamp
    public var lastError: String?
    /// The server's reply to the accepted message.
    public var reply: String?
    public var createdAt: Timestamp
    public var sentAt: Timestamp?

    public init(
        id: ObjectID, tenantID: TenantID, ruleID: ObjectID?, ruleName: String, kind: String, recipient: String,
        messageID: String, subject: String, body: String, alertIDs: [String], status: Status = .queued, attempts: Int = 0,
        nextAttemptAt: Timestamp, lastError: String? = nil, reply: String? = nil, createdAt: Timestamp, sentAt: Timestamp? = nil
    ) {
        self.id = id
        self.tenantID = tenantID
        self.ruleID = ruleID
        self.ruleName = ruleName
        self.kind = kind
        self.recipient = recipient
        self.messageID = messageID
        self.subject = subject
        self.body = body
        self.alertIDs = alertIDs
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.reply = reply
        self.createdAt = createdAt
        self.sentAt = sentAt
    }
}

/// An alert a recipient of a rule must hear of, waiting for an email.
public struct NotificationItem: Sendable, Equatable {
    public var id: Int64
    public var tenantID: TenantID
    public var ruleID: ObjectID
    public var alertID: String
    public var recipient: EmailAddress
    public var createdAt: Timestamp
}

/// Everything the composer needs about the waiting items of one rule and recipient.
public struct PendingNotifications: Sendable {
    public var rule: NotificationRule
    public var organizationName: String
    public var recipient: EmailAddress
    public var items: [NotificationItem]
    public var alerts: [String: Alert]
    public var history: NotificationPlan.History
    /// The language the recipient chose, when the address is a person's sign-in name.
    public var recipientLanguage: String?

    /// The recipient's own language, else the rule's.
    public var language: String { recipientLanguage ?? rule.language }
}

extension NotificationRepository {
    // MARK: Event log → items

    static let consumer = "notifications"

    /// Reads the event log from the dispatcher's checkpoint: each new alert, or alert whose severity rose, that an
    /// enabled rule matches becomes one item per recipient (at most one per severity, whatever happens twice).
    /// Items and the checkpoint commit together. Returns how many events were read.
    public func dispatch(limit: Int, now: Timestamp) async throws -> Int {
        // Without any enabled rule there is nothing to match: jump to the end of the log in one step instead of
        // reading every event (after a large ingest that reading would compete with the requests).
        if try await db.queryOne("SELECT id FROM notification_rules WHERE enabled = \(bind: true) LIMIT 1") == nil {
            guard let latest = try await AlertEventLog.latest(db),
                latest > (try await EventLogCheckpoint.current(db, consumer: Self.consumer))
            else { return 0 }
            try await db.transaction { db in
                if try await EventLogCheckpoint.lock(db, consumer: Self.consumer) < latest {
                    try await EventLogCheckpoint.save(db, consumer: Self.consumer, position: latest)
                }
            }
            return 0
        }
        return try await db.transaction { db in
            let position = try await EventLogCheckpoint.lock(db, consumer: Self.consumer)
            let events = try await AlertEventLog.read(db, after: position, limit: limit)
            guard let last = events.last else { return 0 }
            let relevant = events.filter {
                NotificationRule.notifies(kind: $0.kind, severity: $0.severity ?? .unspecified, previous: $0.previousSeverity)
            }
            for (tenantID, tenantEvents) in Dictionary(grouping: relevant, by: \.tenantID) {
                let rules = try await db.query(
                    "SELECT * FROM notification_rules WHERE tenant_id = \(bind: tenantID) AND enabled = \(bind: true)"
                ).map(Self.rule)
                guard !rules.isEmpty else { continue }
                let groupIDs = Dictionary(
                    try await RBACRepository.deviceGroups(db, tenantID: tenantID).map { ($0.name, $0.id) },
                    uniquingKeysWith: { first, _ in first })
                let alerts = try await AlertRepository.rows(
                    db, table: "alerts", tenantID: tenantID, column: "id", values: Set(tenantEvents.map(\.alertID)),
                    map: AlertRepository.alert, key: \.id)
                var rows: [[SQLValue]] = []
                for event in tenantEvents {
                    guard let alert = alerts[event.alertID] else { continue }
                    let severity = event.severity ?? alert.severity
                    let group = alert.rbacGroupName.flatMap { groupIDs[$0] }
                    for rule in rules where rule.matches(severity: severity, deviceGroup: group) {
                        for recipient in rule.recipients {
                            rows.append([
                                tenantID.sqlValue, rule.id.sqlValue, .text(alert.id), .text(recipient.value),
                                .text(severity.rawValue), now.sqlValue,
                            ])
                        }
                    }
                }
                for row in rows {
                    try await db.execute(
                        """
                        INSERT INTO notification_items (tenant_id, rule_id, alert_id, recipient, severity, created_at)
                        VALUES (\(bind: row[0]), \(bind: row[1]), \(bind: row[2]), \(bind: row[3]), \(bind: row[4]), \(bind: row[5]))
                        ON CONFLICT (rule_id, alert_id, recipient, severity) DO NOTHING
                        """)
                }
            }
            try await EventLogCheckpoint.save(db, consumer: Self.consumer, position: last.position)
            return events.count
        }
    }

    // MARK: Items → emails

    /// The language the address chose, when it is the sign-in name of a person the rule's tenant knows.
    public func recipientLanguage(_ recipient: EmailAddress, tenantID: TenantID) async throws -> String? {
        try await DirectoryRepository.preferredLanguages(db, tenantID: tenantID, of: [recipient.value])[
            recipient.value.lowercased()]
    }

    /// Runs `compose` over the waiting items, grouped by rule and recipient, and stores the emails it writes with
    /// the items they carry, all in one transaction (one composer at a time across processes).
    public func compose(
        now: Timestamp, limit: Int = 5000,
        _ compose: @Sendable (PendingNotifications) -> [(OutboxEmail, [Int64])]
    ) async throws -> Int {
        try await db.transaction { db in
            if db.dialect == .postgres { try await db.execute("SELECT pg_advisory_xact_lock(727280)") }
            let items = try await db.query(
                "SELECT * FROM notification_items WHERE email_id IS NULL ORDER BY id LIMIT \(bind: limit)"
            ).map { row in
                NotificationItem(
                    id: try row.int("id"), tenantID: try row.tenantID("tenant_id"), ruleID: try row.objectID("rule_id"),
                    alertID: try row.string("alert_id"), recipient: EmailAddress(try row.string("recipient"))!,
                    createdAt: try row.timestamp("created_at"))
            }
            var written = 0
            let byTenant = Dictionary(grouping: items, by: \.tenantID)
            for (tenantID, tenantItems) in byTenant {
                let languages = try await DirectoryRepository.preferredLanguages(
                    db, tenantID: tenantID, of: Set(tenantItems.map(\.recipient.value)))
                let tenantName =
                    try await db.queryOne("SELECT name FROM tenants WHERE id = \(bind: tenantID)")?.string("name") ?? ""
                let alerts = try await AlertRepository.rows(
                    db, table: "alerts", tenantID: tenantID, column: "id", values: Set(tenantItems.map(\.alertID)),
                    map: AlertRepository.alert, key: \.id)
                for (ruleID, ruleItems) in Dictionary(grouping: tenantItems, by: \.ruleID) {
                    guard
                        let rule = try await db.queryOne("SELECT * FROM notification_rules WHERE id = \(bind: ruleID)").map(
                            Self.rule)
                    else { continue }
                    for (recipient, waiting) in Dictionary(grouping: ruleItems, by: \.recipient) {
                        let history = try await Self.history(db, ruleID: ruleID, recipient: recipient, now: now)
                        let pending = PendingNotifications(
                            rule: rule, organizationName: tenantName, recipient: recipient,
                            items: waiting.sorted { $0.id < $1.id }, alerts: alerts, history: history,
                            recipientLanguage: languages[recipient.value.lowercased()])
                        for (email, itemIDs) in compose(pending) {
                            try await Self.insert(db, email)
                            for chunk in itemIDs.chunked(AlertRepository.chunkSize) {
                                let list = SQL.joined(chunk.map { "\(bind: $0)" }, separator: ", ")
                                try await db.execute(
                                    "UPDATE notification_items SET email_id = \(bind: email.id) WHERE id IN (\(list))")
                            }
                            written += 1
                        }
                    }
                }
            }
            return written
        }
    }

    static func history(_ db: any SQLQuerying, ruleID: ObjectID, recipient: EmailAddress, now: Timestamp) async throws
        -> NotificationPlan.History
    {
        let hourAgo = now.adding(seconds: -3600)
        let recent = try await db.query(
            """
            SELECT created_at FROM email_outbox WHERE rule_id = \(bind: ruleID) AND recipient = \(bind: recipient.value)
            AND kind IN ('alert', 'summary') AND created_at > \(bind: hourAgo)
            """
        ).map { try $0.timestamp("created_at") }
        let digest = try await db.queryOne(
            """
            SELECT MAX(created_at) AS at FROM email_outbox WHERE rule_id = \(bind: ruleID)
            AND recipient = \(bind: recipient.value) AND kind = 'digest'
            """
        )?.optionalTimestamp("at")
        return NotificationPlan.History(lastHour: recent, lastDigest: digest)
    }

    /// Stores an email written outside the rules' flow (the test email), with its outcome.
    public func record(_ email: OutboxEmail) async throws {
        try await db.transaction { db in try await Self.insert(db, email) }
    }

    static func insert(_ db: any SQLQuerying, _ email: OutboxEmail) async throws {
        try await db.insert(
            into: "email_outbox",
            columns: [
                "id", "tenant_id", "rule_id", "rule_name", "kind", "recipient", "message_id", "subject", "body", "alert_ids",
                "status", "attempts", "next_attempt_at", "last_error", "reply", "created_at", "sent_at",
            ],
            rows: [
                [
                    email.id.sqlValue, email.tenantID.sqlValue, .optional(email.ruleID), .text(email.ruleName),
                    .text(email.kind), .text(email.recipient), .text(email.messageID), .text(email.subject), .text(email.body),
                    .text(AlertRepository.json(email.alertIDs)), .text(email.status.rawValue), .integer(Int64(email.attempts)),
                    email.nextAttemptAt.sqlValue, .optional(email.lastError), .optional(email.reply), email.createdAt.sqlValue,
                    .optional(email.sentAt),
                ]
            ])
    }

    // MARK: Sending

    /// Takes up to `limit` due emails for `leaseSeconds`: another process (or this one after a crash) takes them
    /// again only when the lease has run out.
    public func leaseDue(now: Timestamp, limit: Int, leaseSeconds: Int64) async throws -> [OutboxEmail] {
        try await db.transaction { db in
            let skipLocked = db.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            let emails = try await db.query(
                """
                SELECT * FROM email_outbox WHERE status = 'queued' AND next_attempt_at <= \(bind: now)
                AND (lease_until IS NULL OR lease_until < \(bind: now))
                ORDER BY next_attempt_at, created_at LIMIT \(bind: limit)\(raw: skipLocked)
                """
            ).map(Self.email)
            guard !emails.isEmpty else { return [] }
            let list = SQL.joined(emails.map { "\(bind: $0.id)" }, separator: ", ")
            try await db.execute(
                "UPDATE email_outbox SET lease_until = \(bind: now.adding(seconds: leaseSeconds)) WHERE id IN (\(list))")
            return emails
        }
    }

    public func markSent(id: ObjectID, reply: String, now: Timestamp) async throws {
        try await db.execute(
            """
            UPDATE email_outbox SET status = 'sent', sent_at = \(bind: now), reply = \(bind: reply), lease_until = NULL,
                attempts = attempts + 1
            WHERE id = \(bind: id)
            """)
    }

    /// A failed attempt: tried again at `retryAt`, or never again when `retryAt` is nil (a permanent refusal).
    public func markFailed(id: ObjectID, error: String, retryAt: Timestamp?) async throws {
        try await db.execute(
            """
            UPDATE email_outbox SET status = \(bind: retryAt == nil ? "failed" : "queued"), last_error = \(bind: error),
                next_attempt_at = COALESCE(\(bind: retryAt), next_attempt_at), lease_until = NULL, attempts = attempts + 1
            WHERE id = \(bind: id)
            """)
    }

    /// The delivery log of a tenant, newest first; one rule's when `ruleID` is given.
    public func deliveries(tenantID: TenantID, ruleID: ObjectID?, limit: Int) async throws -> [OutboxEmail] {
        var sql: SQL = "SELECT * FROM email_outbox WHERE tenant_id = \(bind: tenantID)"
        if let ruleID { sql = sql + " AND rule_id = \(bind: ruleID)" }
        return try await db.query(sql + " ORDER BY created_at DESC, id LIMIT \(bind: limit)").map(Self.email)
    }

    /// Counts by status, for `/metrics` and tests.
    public func outboxCounts() async throws -> [OutboxEmail.Status: Int] {
        var counts: [OutboxEmail.Status: Int] = [:]
        for row in try await db.query("SELECT status, COUNT(*) AS n FROM email_outbox GROUP BY status") {
            if let status = OutboxEmail.Status(rawValue: try row.string("status")) { counts[status] = Int(try row.int("n")) }
        }
        return counts
    }

    static func email(_ row: SQLRow) throws -> OutboxEmail {
        OutboxEmail(
            id: try row.objectID("id"), tenantID: try row.tenantID("tenant_id"),
            ruleID: row.optionalString("rule_id").flatMap(ObjectID.init), ruleName: try row.string("rule_name"),
            kind: try row.string("kind"), recipient: try row.string("recipient"), messageID: try row.string("message_id"),
            subject: try row.string("subject"), body: try row.string("body"),
            alertIDs: try AlertRepository.stringArray(try row.string("alert_ids")),
            status: OutboxEmail.Status(rawValue: try row.string("status")) ?? .queued, attempts: Int(try row.int("attempts")),
            nextAttemptAt: try row.timestamp("next_attempt_at"), lastError: row.optionalString("last_error"),
            reply: row.optionalString("reply"), createdAt: try row.timestamp("created_at"),
            sentAt: row.optionalTimestamp("sent_at"))
    }
}
