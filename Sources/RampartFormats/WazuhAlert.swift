import Foundation
import RampartCore

/// Wazuh `alerts.json` lines, also inside a Logstash event or an OpenSearch hit (`_source`). See docs/SENSORS.md.
enum WazuhAlert {
    static func native(_ wrapped: SensorRecord) throws -> [String: Any] {
        let record = wrapped.object("_source") ?? wrapped
        let ruleID = try record.required("rule.id", "Wazuh")
        let title = try record.required("rule.description", "Wazuh")
        guard let level = record.integer("rule.level") else { throw IngestRejection("Wazuh record: rule.level is required.") }
        let time = try record.required("timestamp", "Wazuh")
        // Agent ids are numbered per manager ("000" is the manager itself), so the manager qualifies them.
        guard let agentName = record.string("agent.name") ?? record.string("manager.name") else {
            throw IngestRejection("Wazuh record: agent.name is required.")
        }
        let manager = record.string("manager.name") ?? "-"
        var device: [String: Any] = ["hostname": agentName, "tags": ["wazuh"]]
        if let id = record.string("agent.id") { device["agentId"] = "wazuh:\(manager)/\(id)" }
        device["ipAddress"] = record.string("agent.ip")
        var evidence: [[String: Any]] = ["srcip", "dstip"].compactMap { record.string("data.\($0)") }.map(SensorMapping.ip)
        let users = ["dstuser", "srcuser"].compactMap { record.string("data.\($0)") }
        evidence += users.map { SensorMapping.user($0) }
        if let path = record.string("syscheck.path") {
            var file: [String: Any] = ["entityType": "File", "filePath": path]
            file["fileName"] = path.split(separator: "/").last.map(String.init)
            file["sha1"] = record.string("syscheck.sha1_after")
            file["sha256"] = record.string("syscheck.sha256_after")
            evidence.append(file)
        }
        if let url = record.string("data.url") { evidence.append(SensorMapping.url(url)) }
        var native: [String: Any] = [
            "sourceId": "wazuh:\(record.string("id") ?? "\(ruleID):\(time):\(agentName)")",
            "title": title,
            "description": record.string("full_log") ?? title,
            "severity": severity(level),
            "category": SensorMapping.category(record.strings("rule.mitre.tactic")),
            "detectionSource": DetectionSource.thirdPartySensors.rawValue,
            "detectorId": "wazuh:\(ruleID)",
            "firstEventTime": time, "lastEventTime": time,
            "mitreTechniques": SensorMapping.techniques(record.strings("rule.mitre.id")),
            "device": device, "evidence": evidence,
        ]
        if let user = users.first { native["relatedUser"] = ["userName": user] }
        native["threatName"] = record.string("data.vulnerability.cve")
        return native
    }

    /// Wazuh's 0–15 rule levels (12 and above are "high importance" in its documentation).
    static func severity(_ level: Int) -> String {
        SensorMapping.severity(level, scale: [(3, .informational), (7, .low), (11, .medium)], above: .high)
    }
}
