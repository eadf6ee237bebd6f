import RampartCore

/// Defender for Endpoint's Alert resource JSON: property names, order and enum spellings as its API prints them.
public enum DefenderAlertJSON {
    public static let listContext = "https://api.securitycenter.microsoft.com/api/$metadata#Alerts"

    /// One alert, as `GET /api/alerts/{id}` answers; `evidence` is `[]` unless it was expanded.
    public static func alert(_ alert: Alert, includeEvidence: Bool) -> JSONValue {
        .object([
            ("id", .string(alert.id)),
            ("incidentId", .int(alert.incidentID)),
            ("investigationId", .int(alert.investigationID)),
            ("assignedTo", .string(alert.assignedTo)),
            ("severity", .string(alert.severity.rawValue)),
            ("status", .string(alert.status.rawValue)),
            ("classification", .string(alert.classification?.rawValue)),
            ("determination", .string(alert.determination?.rawValue)),
            ("investigationState", .string(alert.investigationState?.rawValue)),
            ("detectionSource", .string(alert.detectionSource)),
            ("detectorId", .string(alert.detectorID)),
            ("category", .string(alert.category)),
            ("threatFamilyName", .string(alert.threatFamilyName)),
            ("title", .string(alert.title)),
            ("description", .string(alert.description)),
            ("alertCreationTime", time(alert.alertCreationTime)),
            ("firstEventTime", time(alert.firstEventTime)),
            ("lastEventTime", time(alert.lastEventTime)),
            ("lastUpdateTime", time(alert.lastUpdateTime)),
            ("resolvedTime", time(alert.resolvedTime)),
            ("machineId", .string(alert.machineID)),
            ("computerDnsName", .string(alert.computerDnsName)),
            ("rbacGroupName", .string(alert.rbacGroupName)),
            ("aadTenantId", .string(alert.tenantID.description)),
            ("threatName", .string(alert.threatName)),
            ("mitreTechniques", .array(alert.mitreTechniques.map(JSONValue.string))),
            ("relatedUser", relatedUser(alert.relatedUser)),
            ("comments", .array(alert.comments.map(comment))),
            ("evidence", includeEvidence ? .array(alert.evidence.map(evidence)) : .array([])),
        ])
    }

    /// The list wrapper, with `@odata.count` when asked for and `@odata.nextLink` when more results exist;
    /// `select` keeps only the named properties, in the resource's order.
    public static func list(
        _ alerts: [Alert], includeEvidence: Bool, nextLink: String? = nil, count: Int? = nil, select: [String]? = nil
    ) -> JSONValue {
        var members: [(String, JSONValue)] = [("@odata.context", .string(listContext))]
        if let count { members.append(("@odata.count", .int(Int64(count)))) }
        members.append(
            ("value", .array(alerts.map { selected(alert($0, includeEvidence: includeEvidence), select) })))
        if let nextLink { members.append(("@odata.nextLink", .string(nextLink))) }
        return .object(members)
    }

    /// The Alert resource's property names, in the order it prints them.
    public static let propertyNames: [String] = {
        guard case .object(let members) = alert(Alert.placeholder, includeEvidence: false) else { return [] }
        return members.map(\.0)
    }()

    public static func selected(_ value: JSONValue, _ names: [String]?) -> JSONValue {
        guard let names, case .object(let members) = value else { return value }
        let wanted = Set(names)
        return .object(members.filter { wanted.contains($0.0) })
    }

    static func time(_ value: Timestamp?) -> JSONValue { value.map { .string($0.description) } ?? .null }

    static func relatedUser(_ user: RelatedUser?) -> JSONValue {
        guard let user else { return .null }
        return .object([("userName", .string(user.userName)), ("domainName", .string(user.domainName))])
    }

    static func comment(_ comment: AlertComment) -> JSONValue {
        .object([
            ("comment", .string(comment.comment)),
            ("createdBy", .string(comment.createdBy)),
            ("createdTime", time(comment.createdTime)),
        ])
    }

    public static func evidence(_ item: AlertEvidence) -> JSONValue {
        .object([
            ("entityType", .string(item.entityType)),
            ("evidenceCreationTime", time(item.evidenceCreationTime)),
            ("sha1", .string(item.sha1)),
            ("sha256", .string(item.sha256)),
            ("fileName", .string(item.fileName)),
            ("filePath", .string(item.filePath)),
            ("processId", .int(item.processId)),
            ("processCommandLine", .string(item.processCommandLine)),
            ("processCreationTime", time(item.processCreationTime)),
            ("parentProcessId", .int(item.parentProcessId)),
            ("parentProcessCreationTime", time(item.parentProcessCreationTime)),
            ("parentProcessFileName", .string(item.parentProcessFileName)),
            ("parentProcessFilePath", .string(item.parentProcessFilePath)),
            ("ipAddress", .string(item.ipAddress)),
            ("url", .string(item.url)),
            ("registryKey", .string(item.registryKey)),
            ("registryHive", .string(item.registryHive)),
            ("registryValueType", .string(item.registryValueType)),
            ("registryValue", .string(item.registryValue)),
            ("accountName", .string(item.accountName)),
            ("domainName", .string(item.domainName)),
            ("userSid", .string(item.userSid)),
            ("aadUserId", .string(item.aadUserId)),
            ("userPrincipalName", .string(item.userPrincipalName)),
            ("detectionStatus", .string(item.detectionStatus)),
        ])
    }
}
