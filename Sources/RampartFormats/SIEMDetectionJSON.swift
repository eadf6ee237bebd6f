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

    /// Detections as comma-separated JSON objects: one part of the API's response, a bare array of detections
    /// written straight into bytes (a full page is 10,000 detections of 50 fields, so no intermediate JSON values).
    /// `devices` holds the alerts' devices by id.
    public static func members(_ alerts: [Alert], devices: [String: Device], portalURL: String) -> [UInt8] {
        var sink = ByteSink()
        sink.output.reserveCapacity(alerts.count * 2048)
        for index in alerts.indices {
            if index > 0 { sink.output.append(0x2C) }
            sink.field = 0
            write(alerts[index], device: alerts[index].machineID.flatMap { devices[$0] }, portalURL: portalURL, to: &sink)
            sink.output.append(0x7D)
        }
        return sink.output
    }

    /// Writes `"Name":value` pairs; the `{"Name":` / `,"Name":` prefixes are rendered once.
    struct ByteSink {
        static let prefixes: [[UInt8]] = fieldNames.enumerated().map { index, name in
            var bytes: [UInt8] = [index == 0 ? 0x7B : 0x2C]
            JSONText.appendString(name, to: &bytes)
            bytes.append(0x3A)
            return bytes
        }
        var output: [UInt8] = []
        var field = 0

        mutating func prefix() {
            output.append(contentsOf: Self.prefixes[field])
            field += 1
        }
        mutating func text(_ value: String) {
            prefix()
            JSONText.appendString(value, to: &output)
        }
        mutating func int(_ value: Int64) {
            prefix()
            output.append(contentsOf: String(value).utf8)
        }
        mutating func null() {
            prefix()
            output.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        }
    }

    /// `portalURL` is this Rampart's public URL without a trailing slash; `device` gives tags and addresses.
    static func write(_ alert: Alert, device: Device?, portalURL: String, to sink: inout ByteSink) {
        let evidence = alert.evidence
        let file = evidence.firstIndex { $0.sha1 != nil || $0.sha256 != nil || $0.fileName != nil }.map { evidence[$0] }
        let ip = evidence.firstIndex { $0.ipAddress != nil }.flatMap { evidence[$0].ipAddress }
        let url = evidence.firstIndex { $0.url != nil }.flatMap { evidence[$0].url }
        let commandLine = evidence.firstIndex { $0.processCommandLine != nil }.flatMap { evidence[$0].processCommandLine }
        let dnsName = alert.computerDnsName ?? device?.computerDnsName ?? ""
        let (machineName, machineDomain) = split(dnsName)
        let link = "\(portalURL)/alerts/\(alert.id)?tid=\(alert.tenantID)"
        let incidentLink = "\(link)&source=SIEM"
        let iocUniqueID = Self.iocUniqueID(alert)
        let address = device?.lastIpAddress ?? ""
        let deviceTags = (device?.machineTags ?? []).joined(separator: ", ")
        let cloudTags = (device?.cloudTags ?? []).joined(separator: ", ")
        sink.text((alert.firstEventTime ?? alert.alertCreationTime).description)  // AlertTime
        sink.text(dnsName)  // ComputerDnsName
        sink.text(alert.title)  // AlertTitle
        sink.text(alert.category)  // Category
        sink.text(alert.severity.rawValue)  // Severity
        sink.text(alert.id)  // AlertId
        sink.text("")  // Actor
        sink.text(link)  // LinkToWDATP
        for _ in 0..<4 { sink.text("") }  // IocName, IocValue, CreatorIocName, CreatorIocValue
        sink.text(file?.sha1 ?? "")  // Sha1
        sink.text(file?.fileName ?? "")  // FileName
        sink.text(file?.filePath ?? "")  // FilePath
        sink.text(ip ?? "")  // IpAddress
        sink.text(url ?? "")  // Url
        sink.text(alert.detectorID ?? "")  // IoaDefinitionId
        sink.text(alert.relatedUser?.userName ?? "")  // UserName
        sink.int(0)  // AlertPart
        sink.text("\(alert.id):\(iocUniqueID)")  // FullId
        sink.text(alert.lastUpdateTime.description)  // LastProcessedTimeUtc
        sink.text(alert.mitreTechniques.joined(separator: ", "))  // ThreatCategory
        sink.text(alert.threatFamilyName ?? "")  // ThreatFamily
        sink.text(alert.threatName ?? "")  // ThreatName
        sink.text("")  // RemediationAction
        sink.null()  // RemediationIsSuccess
        sink.text(alert.detectionSource)  // Source
        sink.text("")  // Md5
        sink.text(file?.sha256 ?? "")  // Sha256
        sink.null()  // WasExecutingWhileDetected
        sink.text(alert.relatedUser?.domainName ?? "")  // UserDomain
        sink.text("")  // LogOnUsers
        sink.text(machineDomain)  // MachineDomain
        sink.text(machineName)  // MachineName
        let isIPv6 = address.utf8.contains(0x3A)
        sink.text(isIPv6 ? "" : address)  // InternalIPv4List
        sink.text(isIPv6 ? address : "")  // InternalIPv6List
        sink.text(file?.sha1 ?? file?.sha256 ?? "")  // FileHash
        sink.text(alert.machineID ?? "")  // DeviceID
        sink.text(alert.rbacGroupName ?? "")  // MachineGroup
        sink.text(alert.description)  // Description
        sink.text(deviceTags)  // DeviceCreatedMachineTags
        sink.text(cloudTags)  // CloudCreatedMachineTags
        sink.text(commandLine ?? "")  // CommandLine
        sink.text(incidentLink)  // IncidentLinkToWDATP
        sink.int(reportID(alert))  // ReportID
        sink.text(link)  // LinkToMTP
        sink.text(incidentLink)  // IncidentLinkToMTP
        sink.text(externalID(alert))  // ExternalId
        sink.text(iocUniqueID)  // IocUniqueId
    }

    /// `host.corp.example` → (`host`, `corp.example`).
    static func split(_ dnsName: String) -> (String, String) {
        guard let dot = dnsName.firstIndex(of: ".") else { return (dnsName, "") }
        return (String(dnsName[..<dot]), String(dnsName[dnsName.index(after: dot)...]))
    }

    /// FNV-1a over the alert id with a salt: stable across calls and processes, so SIEMs can deduplicate on it.
    static func stableHash(_ text: String, salt: UInt8) -> UInt64 {
        var hash: UInt64 = 14_695_981_039_346_656_037
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 1_099_511_628_211
        }
        mix(salt)
        for byte in text.utf8 { mix(byte) }
        return hash
    }

    static func iocUniqueID(_ alert: Alert) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        let key = alert.id + "|" + alert.sourceID
        for salt in UInt8(1)...4 {
            let value = stableHash(key, salt: salt)
            bytes += (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        }
        return Data(bytes).base64EncodedString()
    }

    static func externalID(_ alert: Alert) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(48)
        for salt in UInt8(5)...7 {
            let value = stableHash(alert.id, salt: salt)
            for shift in stride(from: 60, through: 0, by: -4) { hex.append(digits[Int((value >> UInt64(shift)) & 0xF)]) }
        }
        return String(decoding: hex.prefix(40), as: UTF8.self)
    }

    static func reportID(_ alert: Alert) -> Int64 { Int64(stableHash(alert.id, salt: 9) & 0x7FFF_FFFF) }
}
