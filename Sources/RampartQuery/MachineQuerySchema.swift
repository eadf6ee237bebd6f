import RampartCore
import RampartStore

/// The Defender Machine resource's OData properties over `MachineRepository`'s derived table.
public enum MachineQuerySchema {
    static func enumeration(_ values: [String]) -> QueryField<Machine>.Kind {
        .enumeration(Dictionary(uniqueKeysWithValues: values.map { ($0.lowercased(), $0) }))
    }

    public static let defender = QuerySchema<Machine>(
        fields: [
            QueryField("id", column: "id", kind: .text, sortKey: "id", sortValue: { .text($0.device.id) }),
            QueryField(
                "computerDnsName", column: "computer_dns_name", kind: .text, sortKey: "computer_dns_name",
                sortValue: { .text($0.device.computerDnsName) }),
            QueryField(
                "osPlatform", column: "os_platform", kind: .text, sortKey: "COALESCE(os_platform, '')",
                sortValue: { .text($0.device.osPlatform ?? "") }),
            QueryField(
                "healthStatus", column: "health_status", kind: enumeration(Machine.healthStatuses), sortKey: "health_status",
                sortValue: { .text($0.healthStatus) }),
            QueryField(
                "riskScore", column: "risk_score", kind: enumeration(Machine.riskScores),
                sortKey:
                    "CASE risk_score WHEN 'High' THEN 4 WHEN 'Medium' THEN 3 WHEN 'Low' THEN 2 WHEN 'Informational' THEN 1 ELSE 0 END",
                sortValue: { .integer(Int64(Machine.riskScores.firstIndex(of: $0.riskScore) ?? 0)) }),
            QueryField(
                "lastSeen", column: "last_seen", kind: .time, sortKey: "last_seen",
                sortValue: { .integer($0.device.lastSeen.ticks) }),
            QueryField(
                "firstSeen", column: "first_seen", kind: .time, sortKey: "first_seen",
                sortValue: { .integer($0.device.firstSeen.ticks) }),
            QueryField(
                "rbacGroupId", column: "rbac_group_id", kind: .integer, sortKey: "COALESCE(rbac_group_id, 0)",
                sortValue: { .integer($0.rbacGroupID ?? 0) }),
            QueryField(
                "rbacGroupName", column: "rbac_group_name", kind: .text, sortKey: "COALESCE(rbac_group_name, '')",
                sortValue: { .text($0.device.rbacGroupName ?? "") }),
            QueryField(
                "lastIpAddress", column: "last_ip_address", kind: .text, sortKey: "COALESCE(last_ip_address, '')",
                sortValue: { .text($0.device.lastIpAddress ?? "") }),
            QueryField("machineTags", column: "machine_tags", kind: .textList),
        ],
        defaultOrder: [("computerDnsName", false)], uniqueKey: "id", uniqueValue: { .text($0.device.id) })
}
