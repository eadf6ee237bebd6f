import Foundation
import RampartCore

/// The SIEM API's flat detection (Defender §4.3): the 50 PascalCase fields in the documented order, `""` where a
/// value is absent and `null` for the two nullable booleans. Links point at this Rampart's portal, inside the
/// alert's tenant (`?tid=`). Rampart keeps one detection per alert, so `AlertPart` is 0.
public enum SIEMDetectionJSON {
    public static let fieldNames = [
        "AlertTime", "ComputerDnsName", "AlertTitle", "Category", "Severity", "AlertId", "Actor", "LinkToWDATP", "IocName",
        "IocValue", "CreatorIocName", "CreatorIocValue", "Sha1", "FileName", "FilePath", "IpAddress", "Url",
        "IoaDefinitionId", "UserName", "AlertPart", "FullId", "LastProcessedTimeUtc", "ThreatCategory", "ThreatFamily",
        "ThreatName", "RemediationAction", "RemediationIsSuccess", "Source", "Md5", "Sha256", "WasExecutingWhileDetected",
        "UserDomain", "LogOnUsers", "MachineDomain", "MachineName", "InternalIPv4List", "InternalIPv6List", "FileHash",
        "DeviceID", "MachineGroup", "Description", "DeviceCreatedMachineTags", "CloudCreatedMachineTags", "CommandLine",
        "IncidentLinkToWDATP", "ReportID", "LinkToMTP", "IncidentLinkToMTP", "ExternalId", "IocUniqueId",
    ]

    /// `portalURL` is this Rampart's public URL without a trailing slash; `device` gives tags and addresses.
    public static func detection(_ alert: Alert, device: Device?, portalURL: String) -> JSONValue {
        let file = alert.evidence.first { $0.sha1 != nil || $0.sha256 != nil || $0.fileName != nil }
        let ip = alert.evidence.first { $0.ipAddress != nil }?.ipAddress
        let url = alert.evidence.first { $0.url != nil }?.url
        let process = alert.evidence.first { $0.processCommandLine != nil }
        let dnsName = alert.computerDnsName ?? device?.computerDnsName ?? ""
        let (machineName, machineDomain) = split(dnsName)
        let link = "\(portalURL)/alerts/\(alert.id)?tid=\(alert.tenantID)"
        let incidentLink = "\(link)&source=SIEM"
        let iocUniqueID = Self.iocUniqueID(alert)
        let addresses = device?.lastIpAddress.map { [$0] } ?? []
        let tags = (device?.machineTags ?? []).joined(separator: ", ")
        let values: [JSONValue] = [
            time(alert.firstEventTime ?? alert.alertCreationTime), .string(dnsName), .string(alert.title),
            .string(alert.category), .string(alert.severity.rawValue), .string(alert.id), .string(""), .string(link),
            .string(""), .string(""), .string(""), .string(""), .string(file?.sha1 ?? ""), .string(file?.fileName ?? ""),
            .string(file?.filePath ?? ""), .string(ip ?? ""), .string(url ?? ""), .string(alert.detectorID ?? ""),
            .string(alert.relatedUser?.userName ?? ""), .int(0), .string("\(alert.id):\(iocUniqueID)"),
            time(alert.lastUpdateTime), .string(alert.mitreTechniques.joined(separator: ", ")),
            .string(alert.threatFamilyName ?? ""), .string(alert.threatName ?? ""), .string(""), .null,
            .string(alert.detectionSource), .string(""), .string(file?.sha256 ?? ""), .null,
            .string(alert.relatedUser?.domainName ?? ""), .string(""), .string(machineDomain), .string(machineName),
            .string(addresses.filter { !$0.contains(":") }.joined(separator: ", ")),
            .string(addresses.filter { $0.contains(":") }.joined(separator: ", ")),
            .string(file?.sha1 ?? file?.sha256 ?? ""), .string(alert.machineID ?? ""), .string(alert.rbacGroupName ?? ""),
            .string(alert.description), .string(tags), .string(tags), .string(process?.processCommandLine ?? ""),
            .string(incidentLink), .int(reportID(alert)), .string(link), .string(incidentLink), .string(externalID(alert)),
            .string(iocUniqueID),
        ]
        return .object(Array(zip(fieldNames, values)))
    }

    static func time(_ value: Timestamp) -> JSONValue { .string(value.description) }

    /// `host.corp.example` → (`host`, `corp.example`).
    static func split(_ dnsName: String) -> (String, String) {
        guard let dot = dnsName.firstIndex(of: ".") else { return (dnsName, "") }
        return (String(dnsName[..<dot]), String(dnsName[dnsName.index(after: dot)...]))
    }

    /// FNV-1a over the alert id with a salt: stable across calls and processes, so SIEMs can deduplicate on it.
    static func stableHash(_ text: String, salt: UInt8) -> UInt64 {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in [salt] + Array(text.utf8) {
            hash ^= UInt64(byte)
            hash = hash &* 1_099_511_628_211
        }
        return hash
    }

    static func iocUniqueID(_ alert: Alert) -> String {
        var bytes: [UInt8] = []
        for salt in UInt8(1)...4 {
            let value = stableHash(alert.id + "|" + alert.sourceID, salt: salt)
            bytes += (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        }
        return Data(bytes).base64EncodedString()
    }

    static func externalID(_ alert: Alert) -> String {
        let parts = (UInt8(5)...7).map { stableHash(alert.id, salt: $0) }
        let hex = parts.map { String($0, radix: 16, uppercase: true) }.map { String(repeating: "0", count: 16 - $0.count) + $0 }
        return String(hex.joined().prefix(40))
    }

    static func reportID(_ alert: Alert) -> Int64 { Int64(stableHash(alert.id, salt: 9) & 0x7FFF_FFFF) }
}
