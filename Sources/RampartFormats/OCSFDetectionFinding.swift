import RampartCore

/// OCSF 1.3 Detection Finding (class 2004) for an alert event: Create for a new alert, Update for a change, Close
/// when it is resolved, always with the alert id as `finding_info.uid`, so a SIEM folds them into one finding.
public enum OCSFDetectionFinding {
    public static let classUID: Int64 = 2004
    public static let schemaVersion = "1.3.0"

    public static func activity(kind: String) -> (id: Int64, name: String) {
        switch kind {
        case "created": (1, "Create")
        case "resolved": (3, "Close")
        default: (2, "Update")
        }
    }

    public static func event(_ alert: Alert, kind: String, portalURL: String) -> JSONValue {
        let activity = activity(kind: kind)
        let (severityID, severityName): (Int64, String) =
            switch alert.severity {
            case .unspecified: (0, "Unknown")
            case .informational: (1, "Informational")
            case .low: (2, "Low")
            case .medium: (3, "Medium")
            case .high: (4, "High")
            }
        let (statusID, statusName): (Int64, String) =
            switch alert.status {
            case .new, .unknown: (1, "New")
            case .inProgress: (2, "In Progress")
            case .resolved: (4, "Resolved")
            }
        let millis = { (time: Timestamp) -> JSONValue in
            .int(time.unixSeconds * 1000 + (time.ticks % Timestamp.ticksPerSecond) / 10_000)
        }
        var findingInfo: [(String, JSONValue)] = [
            ("uid", .string(alert.id)), ("title", .string(alert.title)), ("desc", .string(alert.description)),
            ("types", .array([.string(alert.category)])), ("created_time", millis(alert.alertCreationTime)),
            ("modified_time", millis(alert.lastUpdateTime)),
            ("src_url", .string("\(portalURL)/alerts/\(alert.id)?tid=\(alert.tenantID)")),
            ("analytic", .object([("uid", .string(alert.detectorID)), ("type_id", .int(1)), ("type", .string("Rule"))])),
        ]
        if let first = alert.firstEventTime { findingInfo.append(("first_seen_time", millis(first))) }
        if let last = alert.lastEventTime { findingInfo.append(("last_seen_time", millis(last))) }
        if !alert.mitreTechniques.isEmpty {
            findingInfo.append(
                ("attacks", .array(alert.mitreTechniques.map { .object([("technique", .object([("uid", .string($0))]))]) })))
        }
        var members: [(String, JSONValue)] = [
            ("class_uid", .int(classUID)), ("class_name", .string("Detection Finding")), ("category_uid", .int(2)),
            ("category_name", .string("Findings")), ("activity_id", .int(activity.id)),
            ("activity_name", .string(activity.name)), ("type_uid", .int(classUID * 100 + activity.id)),
            ("time", millis(alert.lastUpdateTime)), ("severity_id", .int(severityID)), ("severity", .string(severityName)),
            ("status_id", .int(statusID)), ("status", .string(statusName)), ("is_alert", .bool(kind == "created")),
            ("message", .string(alert.title)), ("finding_info", .object(findingInfo)),
            (
                "metadata",
                .object([
                    ("version", .string(schemaVersion)),
                    (
                        "product",
                        .object([
                            ("name", .string(CEFFormat.product)), ("vendor_name", .string(CEFFormat.vendor)),
                            ("version", .string(CEFFormat.version)),
                        ])
                    ),
                    ("uid", .string("\(alert.id):\(kind):\(alert.lastUpdateTime.ticks)")),
                    ("tenant_uid", .string(alert.tenantID.description)),
                ])
            ),
        ]
        if let host = alert.computerDnsName {
            members.append(
                ("device", .object([("hostname", .string(host)), ("uid", .string(alert.machineID)), ("type_id", .int(0))])))
        }
        let evidences: [JSONValue] = alert.evidence.compactMap { item in
            if let ip = item.ipAddress { return .object([("src_endpoint", .object([("ip", .string(ip))]))]) }
            if let url = item.url { return .object([("url", .object([("url_string", .string(url))]))]) }
            if item.fileName != nil || item.sha256 != nil || item.sha1 != nil {
                var hashes: [JSONValue] = []
                if let sha256 = item.sha256 { hashes.append(.object([("algorithm_id", .int(3)), ("value", .string(sha256))])) }
                if let sha1 = item.sha1 { hashes.append(.object([("algorithm_id", .int(2)), ("value", .string(sha1))])) }
                return .object([
                    (
                        "file",
                        .object([
                            ("name", .string(item.fileName ?? "")), ("path", .string(item.filePath)), ("hashes", .array(hashes)),
                        ])
                    )
                ])
            }
            if let account = item.accountName {
                return .object([("user", .object([("name", .string(account)), ("domain", .string(item.domainName))]))])
            }
            return nil
        }
        if !evidences.isEmpty { members.append(("evidences", .array(evidences))) }
        return .object(members)
    }
}
