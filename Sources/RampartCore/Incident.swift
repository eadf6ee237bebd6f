/// Defender XDR's incident (reference §4.6.2): alerts correlated by device, user or indicator, managed as one case.
///
/// What is stored is the incident's own state; its name and severity are read from the alerts the reader may see,
/// so a reader limited to some device groups learns nothing from alerts outside them.
public struct Incident: Sendable, Equatable {
    public var id: Int64
    public var tenantID: TenantID
    public var status: IncidentStatus
    public var assignedTo: String?
    public var classification: IncidentClassification
    public var determination: IncidentDetermination
    public var createdTime: Timestamp
    public var lastUpdateTime: Timestamp
    /// The incident's alerts that the reader may see, oldest first.
    public var alerts: [Alert]

    public init(
        id: Int64, tenantID: TenantID, status: IncidentStatus = .active, assignedTo: String? = nil,
        classification: IncidentClassification = .unknown, determination: IncidentDetermination = .notAvailable,
        createdTime: Timestamp, lastUpdateTime: Timestamp, alerts: [Alert] = []
    ) {
        self.id = id
        self.tenantID = tenantID
        self.status = status
        self.assignedTo = assignedTo
        self.classification = classification
        self.determination = determination
        self.createdTime = createdTime
        self.lastUpdateTime = lastUpdateTime
        self.alerts = alerts
    }

    /// The highest severity of its alerts.
    public var severity: AlertSeverity { alerts.map(\.severity).max() ?? .unspecified }

    /// Named as Defender names incidents: after the one alert, or the stages (categories) of several, and where.
    public var name: String {
        let devices = Set(alerts.compactMap(\.machineID))
        let place =
            switch devices.count {
            case 0: ""
            case 1: " on one endpoint"
            default: " on multiple endpoints"
            }
        var categories: [String] = []
        // Stages in the order they happened; at the same time, alphabetically, so that the name is stable.
        let byTime = alerts.sorted { a, b in
            let (x, y) = (a.firstEventTime ?? a.alertCreationTime, b.firstEventTime ?? b.alertCreationTime)
            return x != y ? x < y : a.category < b.category
        }
        for alert in byTime where !categories.contains(alert.category) {
            categories.append(alert.category)
        }
        if alerts.count == 1, let only = alerts.first { return only.title + place }
        if categories.count > 1 {
            return "Multi-stage incident involving \(categories.prefix(3).joined(separator: " & "))" + place
        }
        return "\(categories.first ?? "Alert") incident" + place
    }

    /// The detection sources of its alerts, in first-seen order, comma-separated (Defender joins them so).
    public var detectionSource: String {
        var sources: [String] = []
        for alert in alerts where !sources.contains(alert.detectionSource) { sources.append(alert.detectionSource) }
        return sources.joined(separator: ", ")
    }
}

public enum IncidentStatus: String, DefenderEnum {
    case active = "Active"
    case resolved = "Resolved"
    /// Merged into another incident (`redirectIncidentId`); Rampart does not merge incidents, so none is.
    case redirected = "Redirected"
}

public enum IncidentClassification: String, DefenderEnum {
    case unknown = "Unknown"
    case falsePositive = "FalsePositive"
    case truePositive = "TruePositive"
}

public enum IncidentDetermination: String, DefenderEnum {
    case notAvailable = "NotAvailable"
    case apt = "Apt"
    case malware = "Malware"
    case securityPersonnel = "SecurityPersonnel"
    case securityTesting = "SecurityTesting"
    case unwantedSoftware = "UnwantedSoftware"
    case other = "Other"
}
