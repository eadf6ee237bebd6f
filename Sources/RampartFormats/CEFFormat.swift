import Foundation
import RampartCore

/// ArcSight Common Event Format (CEF:0) lines for alerts, with the mapping of Defender's SIEM API (§4.3) where it
/// names ArcSight fields. Header fields escape `\` and `|`; extension values escape `\`, `=`, CR and LF.
public enum CEFFormat {
    public static let vendor = "Rampart"
    public static let product = "Rampart MSSP"
    public static let version = "1.0"

    /// One CEF line (no syslog header) for an event of `kind` (created, updated, resolved) on `alert`. Written into
    /// one string: this runs for every event a connector pushes.
    public static func event(_ alert: Alert, kind: String, portalURL: String) -> String {
        let evidence = alert.evidence
        let file = evidence.firstIndex { $0.sha1 != nil || $0.sha256 != nil || $0.fileName != nil }.map { evidence[$0] }
        let ip = evidence.firstIndex { $0.ipAddress != nil }.flatMap { evidence[$0].ipAddress }
        let url = evidence.firstIndex { $0.url != nil }.flatMap { evidence[$0].url }
        let tenant = alert.tenantID.description
        var line = "CEF:0|"
        line.reserveCapacity(768)
        for field in [vendor, product, version, alert.detectorID ?? alert.category, alert.title] {
            line += escapeHeader(field)
            line += "|"
        }
        line += String(severity(alert.severity))
        line += "|"
        var first = true
        func add(_ key: String, _ value: String?) {
            guard let value else { return }
            if !first { line += " " }
            first = false
            line += key
            line += "="
            line += escapeExtension(value)
        }
        let time = alert.lastUpdateTime
        add("rt", String(time.unixSeconds * 1000 + (time.ticks % Timestamp.ticksPerSecond) / 10_000))
        add("externalId", alert.id)
        add("cat", alert.category)
        add("act", kind)
        add("msg", alert.description)
        add("shost", alert.computerDnsName)
        add("src", ip)
        add("request", url)
        add("suser", alert.relatedUser?.userName)
        add("sntdom", alert.relatedUser?.domainName)
        add("fileHash", file?.sha1)
        add("fname", file?.fileName)
        add("filePath", file?.filePath)
        add("sourceServiceName", alert.detectionSource)
        add("flexString1Label", "link")
        add("flexString1", portalURL + "/alerts/" + alert.id + "?tid=" + tenant)
        add("cs1Label", "threatName")
        add("cs1", alert.threatName)
        add("cs2Label", "tenant")
        add("cs2", tenant)
        add("cs3Label", "status")
        add("cs3", alert.status.rawValue)
        add("cs4Label", "machineGroup")
        add("cs4", alert.rbacGroupName)
        add("cs6Label", "sha256")
        add("cs6", file?.sha256)
        if !alert.mitreTechniques.isEmpty {
            add("cs5Label", "mitreTechniques")
            add("cs5", alert.mitreTechniques.joined(separator: ","))
        }
        return line
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

    /// Byte by byte: every character CEF escapes is ASCII, and UTF-8 never uses ASCII bytes inside a longer
    /// character, so the rest passes through untouched (and fast: this runs for every event pushed).
    public static func escapeHeader(_ value: String) -> String {
        escaping(value) { byte, next in
            switch byte {
            case 0x5C: return ([0x5C, 0x5C], 1)
            case 0x7C: return ([0x5C, 0x7C], 1)
            case 0x0D: return ([0x20], next == 0x0A ? 2 : 1)  // CR LF is one line break
            case 0x0A: return ([0x20], 1)
            default: return nil
            }
        }
    }

    public static func escapeExtension(_ value: String) -> String {
        escaping(value) { byte, _ in
            switch byte {
            case 0x5C: return ([0x5C, 0x5C], 1)
            case 0x3D: return ([0x5C, 0x3D], 1)
            case 0x0A: return ([0x5C, 0x6E], 1)
            case 0x0D: return ([0x5C, 0x72], 1)
            default: return nil
            }
        }
    }

    /// `value` with each ASCII byte that `replacement` answers for (given the byte after it) replaced; the answer
    /// says how many input bytes the replacement consumes. Unchanged text is returned as it is.
    static func escaping(_ value: String, _ replacement: (UInt8, UInt8?) -> ([UInt8], Int)?) -> String {
        let utf8 = value.utf8
        guard utf8.contains(where: { replacement($0, nil) != nil }) else { return value }
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count + 8)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            let after = utf8.index(after: index)
            if let (bytes, consumed) = replacement(byte, after == utf8.endIndex ? nil : utf8[after]) {
                output.append(contentsOf: bytes)
                index = consumed == 2 ? utf8.index(after: after) : after
            } else {
                output.append(byte)
                index = after
            }
        }
        return String(decoding: output, as: UTF8.self)
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
        // Most values hold neither: skip the per-character pass (it runs for every attribute of every event).
        if let ascii = removing.asciiValue, !value.utf8.contains(where: { $0 == ascii || $0 == 0x0A || $0 == 0x0D }) {
            return value
        }
        return String(value.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 }.filter { $0 != removing })
    }
}
