import RampartCore
import RampartStore

/// Defender XDR's incident properties (reference §4.6.2): `$filter` on lastUpdateTime, createdTime, status and
/// assignedTo as documented; incidentId as well, to read one incident through the list.
public enum IncidentQuerySchema {
    public static let defender = QuerySchema<Incident>(
        fields: [
            QueryField(
                "incidentId", column: "incident_id", kind: .integer, sortKey: "incident_id", sortValue: { .integer($0.id) }),
            QueryField(
                "lastUpdateTime", column: "last_update_time", kind: .time, sortKey: "last_update_time",
                sortValue: { .integer($0.lastUpdateTime.ticks) }),
            QueryField(
                "createdTime", column: "created_time", kind: .time, sortKey: "created_time",
                sortValue: { .integer($0.createdTime.ticks) }),
            QueryField(
                "status", column: "status", kind: .enumeration(IncidentStatus.self), sortKey: "status",
                sortValue: { .text($0.status.rawValue) }),
            QueryField(
                "assignedTo", column: "assigned_to", kind: .text, sortKey: "COALESCE(assigned_to, '')",
                sortValue: { .text($0.assignedTo ?? "") }),
        ],
        defaultOrder: [("lastUpdateTime", true)], uniqueKey: "incident_id", uniqueValue: { .integer($0.id) })
}
