import RampartCore

/// Defender XDR's incident JSON (`/api/incidents`, reference §4.6.2): the incident, its alerts, each alert's devices
/// and entities. Entities carry only the keys that have a value, as Defender XDR prints them.
public enum DefenderIncidentJSON {
    public static let listContext = "https://api.security.microsoft.com/api/$metadata#Incidents"

    /// `portalURL` is where the incident page is (`incidentUri`); `now` judges a device's health.
    public static func incident(_ incident: Incident, devices: [String: Device], portalURL: String, now: Timestamp)
        -> JSONValue
    {
        .object([
            ("incidentId", .int(incident.id)),
            ("incidentUri", .string("\(portalURL)/incidents/\(incident.id)?tid=\(incident.tenantID)")),
            ("redirectIncidentId", .null),
            ("incidentName", .string(incident.name)),
            ("createdTime", .string(incident.createdTime.description)),
            ("lastUpdateTime", .string(incident.lastUpdateTime.description)),
            ("assignedTo", .string(incident.assignedTo)),
            ("classification", .string(incident.classification.rawValue)),
            ("determination", .string(incident.determination.rawValue)),
            ("status", .string(incident.status.rawValue)),
            ("severity", .string(severity(incident.severity))),
            ("tags", .array([])),
            ("comments", .array([])),
            ("alerts", .array(incident.alerts.map { alert($0, devices: devices, now: now) })),
        ])
    }

    public static func list(
        _ incidents: [Incident], devices: [String: Device], portalURL: String, now: Timestamp, nextLink: String?,
        count: Int?
    ) -> JSONValue {
        var members: [(String, JSONValue)] = [("@odata.context", .string(listContext))]
        if let count { members.append(("@odata.count", .int(Int64(count)))) }
        members.append(
            ("value", .array(incidents.map { incident($0, devices: devices, portalURL: portalURL, now: now) })))
        if let nextLink { members.append(("@odata.nextLink", .string(nextLink))) }
        return .object(members)
    }

    /// XDR's four severities: an incident of unspecified alerts is Informational.
    static func severity(_ value: AlertSeverity) -> String {
        value == .unspecified ? AlertSeverity.informational.rawValue : value.rawValue
    }

    /// XDR prints an alert in progress as `Active`.
    static func status(_ value: AlertStatus) -> String {
        switch value {
        case .inProgress: "Active"
        case .resolved: "Resolved"
        case .new, .unknown: "New"
        }
    }

    static func alert(_ alert: Alert, devices: [String: Device], now: Timestamp) -> JSONValue {
        let device = alert.machineID.flatMap { devices[$0] }
        return .object([
            ("alertId", .string(alert.id)),
            ("providerAlertId", .string(alert.sourceID)),
            ("incidentId", .int(alert.incidentID)),
            ("serviceSource", .string("MicrosoftDefenderForEndpoint")),
            ("creationTime", .string(alert.alertCreationTime.description)),
            ("lastUpdatedTime", .string(alert.lastUpdateTime.description)),
            ("resolvedTime", DefenderAlertJSON.time(alert.resolvedTime)),
            ("firstActivity", DefenderAlertJSON.time(alert.firstEventTime)),
            ("lastActivity", DefenderAlertJSON.time(alert.lastEventTime)),
            ("title", .string(alert.title)),
            ("description", .string(alert.description)),
            ("category", .string(alert.category)),
            ("status", .string(status(alert.status))),
            ("severity", .string(severity(alert.severity))),
            ("investigationId", .int(alert.investigationID)),
            ("investigationState", .string(alert.investigationState?.rawValue)),
            ("classification", .string(alert.classification?.rawValue)),
            ("determination", .string(alert.determination?.rawValue)),
            ("detectionSource", .string(alert.detectionSource)),
            ("detectorId", .string(alert.detectorID)),
            ("assignedTo", .string(alert.assignedTo)),
            ("actorName", .null),
            ("threatFamilyName", .string(alert.threatFamilyName)),
            ("mitreTechniques", .array(alert.mitreTechniques.map(JSONValue.string))),
            ("devices", .array(device.map { [self.device($0, alert: alert, now: now)] } ?? [])),
            ("entities", .array(alert.evidence.map { entity($0, deviceID: alert.machineID) })),
        ])
    }

    static func device(_ device: Device, alert: Alert, now: Timestamp) -> JSONValue {
        let active = device.lastSeen >= now.adding(seconds: -Machine.activeWindowSeconds)
        return .object([
            ("mdatpDeviceId", .string(device.id)),
            ("aadDeviceId", .null),
            ("deviceDnsName", .string(device.computerDnsName)),
            ("osPlatform", .string(device.osPlatform)),
            ("version", .string(device.osVersion)),
            ("osProcessor", .null),
            ("osBuild", .int(device.osVersion.flatMap { Int64($0) })),
            ("rbacGroupName", .string(device.rbacGroupName)),
            ("firstSeen", .string(device.firstSeen.description)),
            ("healthStatus", .string(active ? "Active" : "Inactive")),
            ("riskScore", .string(alert.status == .resolved ? "None" : severity(alert.severity))),
            ("tags", .array(device.allTags.map(JSONValue.string))),
        ])
    }

    static func entity(_ item: AlertEvidence, deviceID: String?) -> JSONValue {
        let members: [(String, JSONValue)] = [
            ("entityType", .string(item.entityType)),
            ("sha1", .string(item.sha1)),
            ("sha256", .string(item.sha256)),
            ("fileName", .string(item.fileName)),
            ("filePath", .string(item.filePath)),
            ("processId", .int(item.processId)),
            ("processCommandLine", .string(item.processCommandLine)),
            ("processCreationTime", DefenderAlertJSON.time(item.processCreationTime)),
            ("parentProcessId", .int(item.parentProcessId)),
            ("parentProcessCreationTime", DefenderAlertJSON.time(item.parentProcessCreationTime)),
            ("ipAddress", .string(item.ipAddress)),
            ("url", .string(item.url)),
            ("accountName", .string(item.accountName)),
            ("domainName", .string(item.domainName)),
            ("userSid", .string(item.userSid)),
            ("aadUserId", .string(item.aadUserId)),
            ("userPrincipalName", .string(item.userPrincipalName)),
            ("registryHive", .string(item.registryHive)),
            ("registryKey", .string(item.registryKey)),
            ("registryValueType", .string(item.registryValueType)),
            ("registryValue", .string(item.registryValue)),
            ("deviceId", .string(deviceID)),
        ]
        return .object(members.filter { $0.1 != .null })
    }
}
