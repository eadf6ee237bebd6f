import Foundation
import RampartCore

/// Alerts exported from a Defender for Endpoint tenant, so an MSSP can bring a customer's history over: the Alert
/// resource (`GET /api/alerts`, with `$expand=evidence`), or the SIEM API's flat detection. Analyst state (status,
/// assignment, classification, comments) is not imported: it belongs to the tenant the alert came from. See
/// docs/SENSORS.md.
enum DefenderExport {
    static func native(_ record: SensorRecord) throws -> [String: Any] {
        record.string("AlertId") != nil ? try flat(record) : try resource(record)
    }

    static func resource(_ record: SensorRecord) throws -> [String: Any] {
        let id = try record.required("id", "Defender")
        let dnsName = try record.required("computerDnsName", "Defender")
        var device = SensorMapping.device(dnsName: dnsName)
        device["agentId"] = record.string("machineId")
        device["tags"] = ["defender"]
        var native: [String: Any] = [
            "sourceId": "defender:\(id)",
            "title": try record.required("title", "Defender"),
            "description": record.string("description") ?? "",
            "severity": try record.required("severity", "Defender"),
            "category": category(record.string("category")),
            "detectionSource": record.string("detectionSource") ?? DetectionSource.thirdPartySensors.rawValue,
            "mitreTechniques": SensorMapping.techniques(record.strings("mitreTechniques")),
            "device": device,
            "evidence": record.value("evidence") as? [Any] ?? [],
        ]
        for key in ["detectorId", "threatFamilyName", "threatName", "firstEventTime", "lastEventTime"] {
            native[key] = record.string(key)
        }
        native["investigationState"] = record.string("investigationState").flatMap {
            InvestigationState(caseInsensitive: $0)?.rawValue
        }
        if let user = record.string("relatedUser.userName") {
            native["relatedUser"] = ["userName": user, "domainName": record.string("relatedUser.domainName") as Any]
                .compactMapValues { $0 as? String }
        }
        return native
    }

    /// The SIEM API's PascalCase detection (Defender §4.3).
    static func flat(_ record: SensorRecord) throws -> [String: Any] {
        let id = try record.required("AlertId", "Defender SIEM")
        var device: [String: Any]
        if let name = record.string("MachineName") {
            device = ["hostname": name]
            device["domain"] = record.string("MachineDomain")
        } else {
            device = SensorMapping.device(dnsName: try record.required("ComputerDnsName", "Defender SIEM"))
        }
        device["agentId"] = record.string("DeviceID")
        device["tags"] = ["defender"]
        var evidence: [[String: Any]] = []
        if record.string("Sha1") != nil || record.string("FileName") != nil || record.string("Sha256") != nil {
            var file: [String: Any] = ["entityType": "File"]
            file["sha1"] = record.string("Sha1")
            file["sha256"] = record.string("Sha256")
            file["fileName"] = record.string("FileName")
            file["filePath"] = record.string("FilePath")
            file["processCommandLine"] = record.string("CommandLine")
            evidence.append(file)
        }
        if let ip = record.string("IpAddress") { evidence.append(SensorMapping.ip(ip)) }
        if let url = record.string("Url") { evidence.append(SensorMapping.url(url)) }
        var native: [String: Any] = [
            "sourceId": "defender:\(id)",
            "title": try record.required("AlertTitle", "Defender SIEM"),
            "description": record.string("Description") ?? "",
            "severity": try record.required("Severity", "Defender SIEM"),
            "category": category(record.string("Category")),
            "detectionSource": record.string("Source") ?? DetectionSource.thirdPartySensors.rawValue,
            "device": device, "evidence": evidence,
        ]
        native["detectorId"] = record.string("IoaDefinitionId")
        native["threatFamilyName"] = record.string("ThreatFamily")
        native["threatName"] = record.string("ThreatName")
        native["firstEventTime"] = record.string("AlertTime")
        native["lastEventTime"] = record.string("LastProcessedTimeUtc")
        if let user = record.string("UserName") {
            native["relatedUser"] = ["userName": user, "domainName": record.string("UserDomain") as Any]
                .compactMapValues { $0 as? String }
        }
        return native
    }

    /// Defender's categories as they are; one this Rampart does not know yet becomes SuspiciousActivity rather than
    /// costing the whole record.
    static func category(_ text: String?) -> String {
        text.flatMap { AlertCategory(caseInsensitive: $0)?.rawValue } ?? AlertCategory.suspiciousActivity.rawValue
    }
}
