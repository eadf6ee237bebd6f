import RampartCore

/// Microsoft Graph's security `alert` resource (`/v1.0/security/alerts_v2`): camelCase enum members, typed evidence
/// with `@odata.type`, ISO date-times. The same canonical alert as Defender's shape, spelled Graph's way.
public enum GraphAlertJSON {
    public static let listContext = "https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2"
    public static let commentsContext =
        "https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.security.alertComment)"

    /// `portalURL` is the base the alert's `alertWebUrl` points into (the alert opens inside its tenant).
    public static func alert(_ alert: Alert, portalURL: String) -> JSONValue {
        .object([
            ("@odata.type", .string("#microsoft.graph.security.alert")),
            ("id", .string(alert.id)),
            ("providerAlertId", .string(alert.sourceID)),
            ("incidentId", .string(alert.incidentID.map(String.init))),
            ("status", .string(status(alert.status))),
            ("severity", .string(severity(alert.severity))),
            ("classification", .string(alert.classification.map { lowerFirst($0.rawValue) })),
            ("determination", .string(alert.determination.map(determination))),
            ("serviceSource", .string("microsoftDefenderForEndpoint")),
            ("detectionSource", .string(detectionSource(alert.detectionSource))),
            ("detectorId", .string(alert.detectorID)),
            ("tenantId", .string(alert.tenantID.description)),
            ("title", .string(alert.title)),
            ("description", .string(alert.description)),
            ("recommendedActions", .string("")),
            ("category", .string(alert.category)),
            ("assignedTo", .string(alert.assignedTo)),
            ("alertWebUrl", .string("\(portalURL)/alerts/\(alert.id)?tid=\(alert.tenantID)")),
            ("incidentWebUrl", .string(alert.incidentID.map { "\(portalURL)/incidents/\($0)?tid=\(alert.tenantID)" })),
            ("actorDisplayName", .null),
            ("threatDisplayName", .string(alert.threatName)),
            ("threatFamilyName", .string(alert.threatFamilyName)),
            ("mitreTechniques", .array(alert.mitreTechniques.map(JSONValue.string))),
            ("createdDateTime", .string(alert.alertCreationTime.description)),
            ("lastUpdateDateTime", .string(alert.lastUpdateTime.description)),
            ("resolvedDateTime", time(alert.resolvedTime)),
            ("firstActivityDateTime", time(alert.firstEventTime)),
            ("lastActivityDateTime", time(alert.lastEventTime)),
            ("comments", .array(alert.comments.map(comment))),
            ("evidence", .array(evidence(of: alert))),
            ("systemTags", .array([])),
        ])
    }

    public static func list(_ alerts: [Alert], portalURL: String, nextLink: String?, count: Int?) -> JSONValue {
        var members: [(String, JSONValue)] = [("@odata.context", .string(listContext))]
        if let count { members.append(("@odata.count", .int(Int64(count)))) }
        members.append(("value", .array(alerts.map { alert($0, portalURL: portalURL) })))
        if let nextLink { members.append(("@odata.nextLink", .string(nextLink))) }
        return .object(members)
    }

    public static func comments(_ comments: [AlertComment]) -> JSONValue {
        .object([("@odata.context", .string(commentsContext)), ("value", .array(comments.map(comment)))])
    }

    static func comment(_ comment: AlertComment) -> JSONValue {
        .object([
            ("@odata.type", .string("#microsoft.graph.security.alertComment")),
            ("comment", .string(comment.comment)),
            ("createdByDisplayName", .string(comment.createdBy)),
            ("createdDateTime", .string(comment.createdTime.description)),
        ])
    }

    static func time(_ value: Timestamp?) -> JSONValue { value.map { .string($0.description) } ?? .null }

    static func lowerFirst(_ text: String) -> String { text.prefix(1).lowercased() + text.dropFirst() }

    public static func status(_ status: AlertStatus) -> String { lowerFirst(status.rawValue) }

    public static func severity(_ severity: AlertSeverity) -> String {
        severity == .unspecified ? "unknown" : severity.rawValue.lowercased()
    }

    static func determination(_ value: AlertDetermination) -> String {
        value == .notAvailable ? "unknown" : lowerFirst(value.rawValue)
    }

    /// Defender's detection sources under Graph's names; sensors Graph has no name for are `unknown`.
    static func detectionSource(_ source: String) -> String {
        switch DetectionSource(caseInsensitive: source) {
        case .windowsDefenderAtp: "microsoftDefenderForEndpoint"
        case .windowsDefenderAv: "antivirus"
        case .windowsDefenderSmartScreen: "smartScreen"
        case .customerTI: "customTi"
        case .officeATP: "microsoftDefenderForOffice365"
        case .automatedInvestigation: "automatedInvestigation"
        case .threatExperts: "microsoftThreatExperts"
        case .customDetection: "customDetection"
        case .mtp: "microsoft365Defender"
        case .thirdPartySensors, nil: "unknown"
        }
    }

    static func base(_ type: String, _ item: AlertEvidence?) -> [(String, JSONValue)] {
        [
            ("@odata.type", .string("#microsoft.graph.security.\(type)")),
            ("createdDateTime", time(item?.evidenceCreationTime)),
            ("verdict", .string("unknown")),
            ("remediationStatus", .string("none")),
            ("remediationStatusDetails", .null),
            ("roles", .array([])),
            ("detailedRoles", .array([])),
            ("tags", .array([])),
        ]
    }

    static func userAccount(_ item: AlertEvidence) -> JSONValue {
        .object([
            ("accountName", .string(item.accountName)), ("domainName", .string(item.domainName)),
            ("userSid", .string(item.userSid)), ("azureAdUserId", .string(item.aadUserId)),
            ("userPrincipalName", .string(item.userPrincipalName)), ("displayName", .null),
        ])
    }

    static func file(name: String?, path: String?, sha1: String?, sha256: String?) -> JSONValue {
        .object([
            ("sha1", .string(sha1)), ("sha256", .string(sha256)), ("fileName", .string(name)), ("filePath", .string(path)),
            ("fileSize", .null), ("filePublisher", .null), ("signer", .null), ("issuer", .null),
        ])
    }

    /// The device first (when the alert names one), then each evidence item as its Graph type.
    static func evidence(of alert: Alert) -> [JSONValue] {
        var result: [JSONValue] = []
        if let machineID = alert.machineID {
            result.append(
                .object(
                    base("deviceEvidence", nil) + [
                        ("mdeDeviceId", .string(machineID)), ("deviceDnsName", .string(alert.computerDnsName)),
                        ("rbacGroupName", .string(alert.rbacGroupName)), ("azureAdDeviceId", .null),
                        ("osPlatform", .null), ("osBuild", .null), ("version", .null), ("healthStatus", .null),
                        ("riskScore", .null), ("onboardingStatus", .null), ("defenderAvStatus", .null),
                        ("loggedOnUsers", .array([])), ("ipInterfaces", .array([])),
                    ]))
        }
        for item in alert.evidence {
            let status: JSONValue = .string(item.detectionStatus?.lowercased())
            switch EvidenceEntityType(caseInsensitive: item.entityType) {
            case .file:
                result.append(
                    .object(
                        base("fileEvidence", item) + [
                            ("detectionStatus", status), ("mdeDeviceId", .string(alert.machineID)),
                            ("fileDetails", file(name: item.fileName, path: item.filePath, sha1: item.sha1, sha256: item.sha256)),
                        ]))
            case .process:
                result.append(
                    .object(
                        base("processEvidence", item) + [
                            ("processId", .int(item.processId)), ("parentProcessId", .int(item.parentProcessId)),
                            ("processCommandLine", .string(item.processCommandLine)),
                            ("processCreationDateTime", time(item.processCreationTime)),
                            ("parentProcessCreationDateTime", time(item.parentProcessCreationTime)),
                            ("detectionStatus", status), ("mdeDeviceId", .string(alert.machineID)),
                            ("imageFile", file(name: item.fileName, path: item.filePath, sha1: item.sha1, sha256: item.sha256)),
                            (
                                "parentProcessImageFile",
                                file(name: item.parentProcessFileName, path: item.parentProcessFilePath, sha1: nil, sha256: nil)
                            ),
                            ("userAccount", userAccount(item)),
                        ]))
            case .user:
                result.append(.object(base("userEvidence", item) + [("userAccount", userAccount(item))]))
            case .ip:
                result.append(
                    .object(base("ipEvidence", item) + [("ipAddress", .string(item.ipAddress)), ("countryLetterCode", .null)]))
            case .url:
                result.append(.object(base("urlEvidence", item) + [("url", .string(item.url))]))
            case .registry:
                result.append(
                    .object(
                        base("registryKeyEvidence", item) + [
                            ("registryKey", .string(item.registryKey)), ("registryHive", .string(item.registryHive)),
                        ]))
            default:
                continue
            }
        }
        return result
    }
}
