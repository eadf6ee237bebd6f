/// Application permissions, spelled as Defender's (`roles` claim values).
public enum AppPermission: String, Sendable, Codable, CaseIterable, Comparable {
    case alertReadAll = "Alert.Read.All"
    case alertReadWriteAll = "Alert.ReadWrite.All"
    case machineReadAll = "Machine.Read.All"
    /// Reading machines and tagging them (`POST /api/machines/{id}/tags`).
    case machineReadWriteAll = "Machine.ReadWrite.All"
    case alertIngest = "Alert.Ingest"
    /// The profiles of entities related to an alert (`/api/alerts/{id}/files|ips|domains|user`).
    case fileReadAll = "File.Read.All"
    case ipReadAll = "Ip.Read.All"
    case urlReadAll = "URL.Read.All"
    case userReadAll = "User.Read.All"
    /// Microsoft Graph's security alert permissions (`/v1.0/security/alerts_v2`).
    case securityAlertReadAll = "SecurityAlert.Read.All"
    case securityAlertReadWriteAll = "SecurityAlert.ReadWrite.All"
    /// Defender XDR's incidents (`/api/incidents`).
    case incidentReadAll = "Incident.Read.All"
    case incidentReadWriteAll = "Incident.ReadWrite.All"

    /// Graph permissions go into Graph tokens only, the others into Defender tokens only, as Entra issues roles per API.
    public var isGraph: Bool { self == .securityAlertReadAll || self == .securityAlertReadWriteAll }

    public static func < (lhs: AppPermission, rhs: AppPermission) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Accepts Defender's documented misspelling `Alerts.ReadWrite.All` (update-alert page).
    public init?(lenient text: String) {
        if let exact = AppPermission(rawValue: text) {
            self = exact
        } else if text == "Alerts.ReadWrite.All" {
            self = .alertReadWriteAll
        } else {
            return nil
        }
    }
}

extension AppPermission {
    /// Parses a non-empty list of permission names, as the API and the CLI take them.
    public static func parseList(_ names: [String]) throws(RampartError) -> Set<AppPermission> {
        var parsed: Set<AppPermission> = []
        for name in names {
            guard let permission = AppPermission(lenient: name) else {
                throw .invalidInput(
                    code: "InvalidInput",
                    message: "Unknown permission \(name); known: \(allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            parsed.insert(permission)
        }
        guard !parsed.isEmpty else {
            throw .invalidInput(code: "MissingRequiredParameter", message: "Parameter permissions is missing.")
        }
        return parsed
    }
}

/// What a request may do in a tenant; derived from the principal's grants at each request.
public enum Capability: Sendable, Hashable {
    case readAlerts
    case writeAlerts
    case readMachines
    case ingestAlerts
    case readFileProfiles
    case readIPProfiles
    case readURLProfiles
    case readUserProfiles
    case manageDirectory
    /// Roles, device groups, SIEM and API settings (Defender's "Manage portal system settings").
    case managePortalSettings
    /// Email notifications and other security settings (Defender's "Manage security settings").
    case manageSecuritySettings
    /// Access packages, and deciding requests of packages whose approvers are the administrators.
    case manageEntitlements
    case readIncidents
    case writeIncidents
    /// Tags assigned to devices in the portal or the API; they place devices in device groups.
    case tagDevices

    /// Tenant administrators: every capability a user can hold.
    public static let administrator: Set<Capability> = [
        .readAlerts, .writeAlerts, .readMachines, .readFileProfiles, .readIPProfiles, .readURLProfiles, .readUserProfiles,
        .readIncidents, .writeIncidents, .tagDevices, .manageDirectory, .managePortalSettings, .manageSecuritySettings,
        .manageEntitlements,
    ]
}

extension AppPermission {
    var capabilities: Set<Capability> {
        switch self {
        case .alertReadAll: [.readAlerts]
        case .alertReadWriteAll: [.readAlerts, .writeAlerts]
        case .machineReadAll: [.readMachines]
        case .machineReadWriteAll: [.readMachines, .tagDevices]
        case .alertIngest: [.ingestAlerts]
        case .fileReadAll: [.readFileProfiles]
        case .ipReadAll: [.readIPProfiles]
        case .urlReadAll: [.readURLProfiles]
        case .userReadAll: [.readUserProfiles]
        case .securityAlertReadAll: [.readAlerts]
        case .securityAlertReadWriteAll: [.readAlerts, .writeAlerts]
        case .incidentReadAll: [.readIncidents]
        case .incidentReadWriteAll: [.readIncidents, .writeIncidents]
        }
    }
}
