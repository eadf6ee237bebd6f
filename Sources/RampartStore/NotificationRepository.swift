import Foundation
import RampartCore

/// Email notification rules of each tenant, and what the rules produce: items (an alert a recipient must hear of,
/// once per severity) and the outbox of emails with their delivery log.
public struct NotificationRepository: Sendable {
    let db: any SQLExecutor

    public init(db: any SQLExecutor) { self.db = db }

    // MARK: Rules

    public func rules(tenantID: TenantID) async throws -> [NotificationRule] {
        try await db.query("SELECT * FROM notification_rules WHERE tenant_id = \(bind: tenantID) ORDER BY name").map(Self.rule)
    }

    public func rule(id: ObjectID, tenantID: TenantID) async throws -> NotificationRule? {
        try await db.queryOne(
            "SELECT * FROM notification_rules WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)"
        ).map(Self.rule)
    }

    /// Inserts or replaces a rule; a name already used in the tenant is a conflict.
    public func save(_ rule: NotificationRule, audit: AuditEntry) async throws {
        do {
            try await db.transaction { db in
                try await AuditRepository.append(audit, in: db)
                try await db.execute(
                    "DELETE FROM notification_rules WHERE id = \(bind: rule.id) AND tenant_id = \(bind: rule.tenantID)")
                try await db.insert(into: "notification_rules", columns: Self.columns, rows: [Self.values(rule)])
            }
        } catch StoreError.uniqueViolation {
            throw RampartError.conflict("A notification rule named \(rule.name) already exists.")
        }
    }

    public func delete(id: ObjectID, tenantID: TenantID, audit: AuditEntry) async throws -> Bool {
        try await db.transaction { db in
            guard
                try await db.queryOne(
                    "SELECT id FROM notification_rules WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)") != nil
            else { return false }
            try await AuditRepository.append(audit, in: db)
            try await Self.deleteRule(db, id: id)
            return true
        }
    }

    static func deleteRule(_ db: any SQLQuerying, id: ObjectID) async throws {
        try await db.execute("DELETE FROM notification_items WHERE rule_id = \(bind: id) AND email_id IS NULL")
        try await db.execute("DELETE FROM notification_rules WHERE id = \(bind: id)")
    }

    /// A deleted device group leaves every rule that chose it; a rule left with none is deleted, and the audit log
    /// says which and why (Defender §6.5). Runs inside the device group's deletion.
    static func removeDeviceGroup(
        _ db: any SQLQuerying, groupID: ObjectID, groupName: String, tenantID: TenantID, audit: AuditEntry
    ) async throws {
        for row in try await db.query(
            "SELECT * FROM notification_rules WHERE tenant_id = \(bind: tenantID) AND all_device_groups = \(bind: false)")
        {
            var rule = try rule(row)
            guard case .only(var groups) = rule.deviceGroups, groups.remove(groupID) != nil else { continue }
            var entry = audit
            if groups.isEmpty {
                entry.action = "notificationRule.delete"
                entry.target = rule.name
                entry.details = "its last device group \(groupName) was deleted"
                try await AuditRepository.append(entry, in: db)
                try await deleteRule(db, id: rule.id)
            } else {
                rule.deviceGroups = .only(groups)
                entry.action = "notificationRule.update"
                entry.target = rule.name
                entry.details = "device group \(groupName) was deleted"
                try await AuditRepository.append(entry, in: db)
                try await db.execute(
                    """
                    UPDATE notification_rules SET device_group_ids = \(bind: AlertRepository.json(groups.map(\.description).sorted()))
                    WHERE id = \(bind: rule.id)
                    """)
            }
        }
    }

    static let columns = [
        "id", "tenant_id", "name", "description", "enabled", "include_organization", "include_link", "include_device",
        "all_device_groups", "device_group_ids", "severities", "recipients", "delivery_mode", "delivery_number", "language",
        "created_at", "updated_at",
    ]

    static func values(_ rule: NotificationRule) -> [SQLValue] {
        let groups: [String] =
            switch rule.deviceGroups {
            case .all: []
            case .only(let ids): ids.map(\.description).sorted()
            }
        let number: Int? =
            switch rule.delivery {
            case .immediate: nil
            case .digest(let minutes): minutes
            case .throttled(let perHour): perHour
            }
        return [
            rule.id.sqlValue, rule.tenantID.sqlValue, .text(rule.name), .text(rule.description), rule.enabled.sqlValue,
            rule.includeOrganizationName.sqlValue, rule.includeTenantLink.sqlValue, rule.includeDeviceInformation.sqlValue,
            (rule.deviceGroups == .all).sqlValue, .text(AlertRepository.json(groups)),
            .text(AlertRepository.json(rule.severities.map(\.rawValue).sorted())),
            .text(AlertRepository.json(rule.recipients.map(\.value))), .text(rule.delivery.mode), .optional(number),
            .text(rule.language),
            rule.createdAt.sqlValue, rule.updatedAt.sqlValue,
        ]
    }

    static func rule(_ row: SQLRow) throws -> NotificationRule {
        let number = row.optionalInt("delivery_number").map(Int.init)
        let delivery: NotificationDelivery =
            switch try row.string("delivery_mode") {
            case "digest": .digest(minutes: number ?? 60)
            case "throttled": .throttled(perHour: number ?? 10)
            default: .immediate
            }
        let groups = Set(try AlertRepository.stringArray(try row.string("device_group_ids")).compactMap(ObjectID.init))
        return NotificationRule(
            id: try row.objectID("id"), tenantID: try row.tenantID("tenant_id"), name: try row.string("name"),
            description: try row.string("description"), enabled: try row.bool("enabled"),
            includeOrganizationName: try row.bool("include_organization"), includeTenantLink: try row.bool("include_link"),
            includeDeviceInformation: try row.bool("include_device"),
            deviceGroups: try row.bool("all_device_groups") ? .all : .only(groups),
            severities: Set(
                try AlertRepository.stringArray(try row.string("severities")).compactMap(AlertSeverity.init(rawValue:))),
            recipients: try AlertRepository.stringArray(try row.string("recipients")).compactMap(EmailAddress.init),
            delivery: delivery,
            language: try row.string("language"), createdAt: try row.timestamp("created_at"),
            updatedAt: try row.timestamp("updated_at"))
    }
}
