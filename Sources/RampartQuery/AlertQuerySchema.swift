import RampartCore
import RampartStore

/// The Defender Alert resource's OData properties over the `alerts` table.
public enum AlertQuerySchema {
    public static let defender = QuerySchema<Alert>(
        fields: [
            QueryField(
                "id", column: "id", kind: .text, sortKey: "id", sortValue: { .text($0.id) }),
            QueryField(
                "alertCreationTime", column: "alert_creation_time", kind: .time, sortKey: "alert_creation_time",
                sortValue: { .integer($0.alertCreationTime.ticks) }),
            QueryField(
                "lastUpdateTime", column: "last_update_time", kind: .time, sortKey: "last_update_time",
                sortValue: { .integer($0.lastUpdateTime.ticks) }),
            QueryField(
                "lastEventTime", column: "last_event_time", kind: .time, sortKey: "COALESCE(last_event_time, 0)",
                sortValue: { .integer($0.lastEventTime?.ticks ?? 0) }),
            QueryField(
                "firstEventTime", column: "first_event_time", kind: .time, sortKey: "COALESCE(first_event_time, 0)",
                sortValue: { .integer($0.firstEventTime?.ticks ?? 0) }),
            QueryField(
                "resolvedTime", column: "resolved_time", kind: .time, sortKey: "COALESCE(resolved_time, 0)",
                sortValue: { .integer($0.resolvedTime?.ticks ?? 0) }),
            QueryField(
                "incidentId", column: "incident_id", kind: .integer, sortKey: "COALESCE(incident_id, -1)",
                sortValue: { .integer($0.incidentID ?? -1) }),
            QueryField(
                "investigationId", column: "investigation_id", kind: .integer, sortKey: "COALESCE(investigation_id, -1)",
                sortValue: { .integer($0.investigationID ?? -1) }),
            QueryField(
                "assignedTo", column: "assigned_to", kind: .text, sortKey: "COALESCE(assigned_to, '')",
                sortValue: { .text($0.assignedTo ?? "") }),
            QueryField(
                "detectionSource", column: "detection_source", kind: .enumeration(DetectionSource.self),
                sortKey: "detection_source", sortValue: { .text($0.detectionSource) }),
            QueryField(
                "status", column: "status", kind: .enumeration(AlertStatus.self), sortKey: "status",
                sortValue: { .text($0.status.rawValue) }),
            QueryField(
                "severity", column: "severity", kind: .enumeration(AlertSeverity.self),
                sortKey:
                    "CASE severity WHEN 'Informational' THEN 1 WHEN 'Low' THEN 2 WHEN 'Medium' THEN 3 WHEN 'High' THEN 4 ELSE 0 END",
                sortValue: { .integer(Int64($0.severity.rank)) }),
            QueryField(
                "category", column: "category", kind: .text, sortKey: "category", sortValue: { .text($0.category) }),
            QueryField("title", column: "title", kind: .text, sortKey: "title", sortValue: { .text($0.title) }),
            QueryField(
                "machineId", column: "machine_id", kind: .text, sortKey: "COALESCE(machine_id, '')",
                sortValue: { .text($0.machineID ?? "") }, equality: machineEquality),
            QueryField(
                "computerDnsName", column: "computer_dns_name", kind: .text, sortKey: "COALESCE(computer_dns_name, '')",
                sortValue: { .text($0.computerDnsName ?? "") }),
            QueryField(
                "classification", column: "classification",
                kind: .enumeration(AlertClassification.self, aliases: ["TruePositive": .truePositive]),
                sortKey: "COALESCE(classification, '')", sortValue: { .text($0.classification?.rawValue ?? "") }),
            QueryField(
                "determination", column: "determination", kind: determinations,
                sortKey: "COALESCE(determination, '')", sortValue: { .text($0.determination?.rawValue ?? "") }),
            QueryField(
                "rbacGroupName", column: "rbac_group_name", kind: .text, sortKey: "COALESCE(rbac_group_name, '')",
                sortValue: { .text($0.rbacGroupName ?? "") }),
            QueryField("aadTenantId", column: "tenant_id", kind: .text, sortKey: nil),
        ],
        defaultOrder: [("alertCreationTime", true)], uniqueKey: "id", uniqueValue: { .text($0.id) })

    /// Graph's `alerts_v2` properties over the same table: Graph's names, its enum members (camelCase, matched without
    /// regard to case, so Defender's spellings work too).
    public static let graph = QuerySchema<Alert>(
        fields: [
            QueryField("id", column: "id", kind: .text, sortKey: "id", sortValue: { .text($0.id) }),
            QueryField(
                "createdDateTime", column: "alert_creation_time", kind: .time, sortKey: "alert_creation_time",
                sortValue: { .integer($0.alertCreationTime.ticks) }),
            QueryField(
                "lastUpdateDateTime", column: "last_update_time", kind: .time, sortKey: "last_update_time",
                sortValue: { .integer($0.lastUpdateTime.ticks) }),
            QueryField(
                "assignedTo", column: "assigned_to", kind: .text, sortKey: "COALESCE(assigned_to, '')",
                sortValue: { .text($0.assignedTo ?? "") }),
            QueryField(
                "classification", column: "classification", kind: .enumeration(AlertClassification.self),
                sortKey: "COALESCE(classification, '')", sortValue: { .text($0.classification?.rawValue ?? "") }),
            QueryField(
                "determination", column: "determination", kind: determinations, sortKey: "COALESCE(determination, '')",
                sortValue: { .text($0.determination?.rawValue ?? "") }),
            QueryField(
                "severity", column: "severity", kind: .enumeration(AlertSeverity.self, aliases: ["unknown": .unspecified]),
                sortKey:
                    "CASE severity WHEN 'Informational' THEN 1 WHEN 'Low' THEN 2 WHEN 'Medium' THEN 3 WHEN 'High' THEN 4 ELSE 0 END",
                sortValue: { .integer(Int64($0.severity.rank)) }),
            QueryField(
                "status", column: "status", kind: .enumeration(AlertStatus.self), sortKey: "status",
                sortValue: { .text($0.status.rawValue) }),
            // Every alert Rampart serves comes from its endpoint service.
            QueryField(
                "serviceSource", column: "'microsoftDefenderForEndpoint'",
                kind: .enumeration(["microsoftdefenderforendpoint": "microsoftDefenderForEndpoint"])),
            QueryField("title", column: "title", kind: .text, sortKey: "title", sortValue: { .text($0.title) }),
            QueryField("category", column: "category", kind: .text, sortKey: "category", sortValue: { .text($0.category) }),
            QueryField("tenantId", column: "tenant_id", kind: .text),
        ],
        defaultOrder: [("createdDateTime", true)], uniqueKey: "id", uniqueValue: { .text($0.id) })

    /// A device's alerts are found through the store's merge-key index; the column alone has no index.
    @Sendable static func machineEquality(_ value: SQLValue) -> SQL {
        guard case .text(let id) = value else { return "machine_id = \(bind: value)" }
        return AlertRepository.onMachine(id)
    }

    /// Determination accepts every documented spelling (the API's and the portal's disagree, reference §9).
    static var determinations: QueryField<Alert>.Kind {
        .enumeration(
            AlertDetermination.self,
            aliases: [
                "ConfirmedActivity": .confirmedUserActivity, "NotMalicious": .clean,
                "NotEnoughDataToValidate": .insufficientData, "NoEnoughDataToValidate": .insufficientData,
                "CompromisedAccount": .compromisedUser,
            ])
    }
}
