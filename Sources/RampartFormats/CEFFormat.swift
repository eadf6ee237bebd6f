import Foundation
import RampartCore

/// ArcSight Common Event Format (CEF:0) lines for alerts, with the mapping of Defender's SIEM API (§4.3) where it
/// names ArcSight fields. Header fields escape `\` and `|`; extension values escape `\`, `=`, CR and LF.
public enum CEFFormat {
    public static let vendor = "Rampart"
    public static let product = "Rampart MSSP"
    public static let version = "1.0"

    /// One CEF line (no syslog header) for an event of `kind` (created, updated, resolved) on `alert`.
    public static func event(_ alert: Alert, kind: String, portalURL: String) -> String {
        let file = alert.evidence.first { $0.sha1 != nil || $0.sha256 != nil || $0.fileName != nil }
        var extensions: [(String, String?)] = [
            (
                "rt",
                String(alert.lastUpdateTime.unixSeconds * 1000 + (alert.lastUpdateTime.ticks % Timestamp.ticksPerSecond) / 10_000)
            ),
            ("externalId", alert.id), ("cat", alert.category), ("act", kind), ("msg", alert.description),
            ("shost", alert.computerDnsName), ("src", alert.evidence.first { $0.ipAddress != nil }?.ipAddress),
            ("request", alert.evidence.first { $0.url != nil }?.url), ("suser", alert.relatedUser?.userName),
            ("sntdom", alert.relatedUser?.domainName), ("fileHash", file?.sha1), ("fname", file?.fileName),
            ("filePath", file?.filePath), ("sourceServiceName", alert.detectionSource),
            ("flexString1Label", "link"), ("flexString1", "\(portalURL)/alerts/\(alert.id)?tid=\(alert.tenantID)"),
            ("cs1Label", "threatName"), ("cs1", alert.threatName), ("cs2Label", "tenant"), ("cs2", alert.tenantID.description),
            ("cs3Label", "status"), ("cs3", alert.status.rawValue), ("cs4Label", "machineGroup"), ("cs4", alert.rbacGroupName),
            ("cs6Label", "sha256"), ("cs6", file?.sha256),
        ]
        if !alert.mitreTechniques.isEmpty { extensions.append(("cs5Label", "mitreTechniques")) }
        if !alert.mitreTechniques.isEmpty { extensions.append(("cs5", alert.mitreTechniques.joined(separator: ","))) }
        let header = [
            vendor, product, version, alert.detectorID ?? alert.category, alert.title, String(severity(alert.severity)),
        ].map(escapeHeader)
        let body = extensions.compactMap { key, value in value.map { "\(key)=\(escapeExtension($0))" } }
        return "CEF:0|" + header.joined(separator: "|") + "|" + body.joined(separator: " ")
    }

    /// CEF's 0–10 scale: 0–3 low, 4–6 medium, 7–8 high.
    public static func severity(_ severity: AlertSeverity) -> Int {
        switch severity {
        case .unspecified: 0
        case .informational: 1
        case .low: 3
        case .medium: 5
        case .high: 8
        }
    }

    public static func escapeHeader(_ value: String) -> String {
        var result = ""
        for character in value {
            switch character {
            case "\\": result += "\\\\"
            case "|": result += "\\|"
            case "\r\n", "\n", "\r": result += " "
            default: result.append(character)
            }
        }
        return result
    }

    public static func escapeExtension(_ value: String) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "=": result += "\\="
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// IBM QRadar LEEF 2.0 with a chosen delimiter; LEEF has no escaping, so the delimiter (and line breaks) are
/// removed from values rather than risk a broken record.
public enum LEEFFormat {
    public static let defaultDelimiter: Character = "^"

    public static func event(_ alert: Alert, kind: String, portalURL: String, delimiter: Character = defaultDelimiter)
        -> String
    {
        let file = alert.evidence.first { $0.sha1 != nil || $0.sha256 != nil || $0.fileName != nil }
        let attributes: [(String, String?)] = [
            ("devTime", alert.lastUpdateTime.description), ("devTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSX"),
            ("cat", alert.category), ("sev", String(max(1, CEFFormat.severity(alert.severity)))), ("action", kind),
            ("alertId", alert.id), ("title", alert.title), ("description", alert.description),
            ("src", alert.evidence.first { $0.ipAddress != nil }?.ipAddress),
            ("url", alert.evidence.first { $0.url != nil }?.url),
            ("usrName", alert.relatedUser?.userName), ("domain", alert.relatedUser?.domainName),
            ("identHostName", alert.computerDnsName), ("fileHash", file?.sha1 ?? file?.sha256), ("fileName", file?.fileName),
            ("detectionSource", alert.detectionSource), ("status", alert.status.rawValue),
            ("machineGroup", alert.rbacGroupName), ("tenant", alert.tenantID.description),
            ("link", "\(portalURL)/alerts/\(alert.id)?tid=\(alert.tenantID)"),
        ]
        let header = [
            "LEEF:2.0", CEFFormat.vendor, CEFFormat.product, CEFFormat.version, alert.detectorID ?? alert.category,
        ].map { clean($0, removing: "|") }
        let body = attributes.compactMap { key, value in value.map { "\(key)=\(clean($0, removing: delimiter))" } }
        return header.joined(separator: "|") + "|" + String(delimiter) + "|" + body.joined(separator: String(delimiter))
    }

    /// The value without `removing` and without line breaks (a LEEF record is one line).
    public static func clean(_ value: String, removing: Character) -> String {
        String(value.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 }.filter { $0 != removing })
    }
}
