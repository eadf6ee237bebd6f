import Foundation
import RampartCore

/// Suricata EVE JSON: `event_type: alert` records become alerts; other event types (flow, stats, protocol logs)
/// are ignored with their type named. See docs/SENSORS.md for the table.
enum SuricataEVE {
    static func native(_ record: SensorRecord) throws -> [String: Any] {
        let type = record.string("event_type") ?? "(none)"
        guard type == "alert" else { throw SensorRecord.Skip.ignored("event_type '\(type)' is not an alert") }
        let alert = record.object("alert") ?? SensorRecord([:], base: "alert.")
        let signature = try alert.required("signature", "Suricata")
        let sid = try alert.required("signature_id", "Suricata")
        let gid = alert.string("gid") ?? "1"
        let rev = alert.string("rev") ?? "0"
        let time = try record.required("timestamp", "Suricata")
        guard let level = alert.integer("severity") else {
            throw IngestRejection("Suricata record: alert.severity is required.")
        }
        let source = record.string("src_ip")
        let destination = record.string("dest_ip")
        // Network alerts concern the customer's side of the connection: the sensor's own name when EVE carries it,
        // else the internal address (destination first), else the destination.
        let address = [destination, source].compactMap { $0 }.first(where: SensorMapping.isInternal) ?? destination ?? source
        guard let hostname = record.string("host") ?? address else {
            throw IngestRejection("Suricata record: neither host nor src_ip/dest_ip names a device.")
        }
        var device: [String: Any] = ["hostname": hostname, "tags": ["suricata"]]
        if let address { device["ipAddress"] = address }
        let ruleCategory = alert.string("category")
        let metadata = alert.object("metadata")
        let tactics = (metadata?.strings("mitre_tactic_name") ?? []) + (metadata?.strings("mitre_tactic_id") ?? [])
        var evidence: [[String: Any]] = [source, destination].compactMap { $0 }.map(SensorMapping.ip)
        if let host = record.string("http.hostname") {
            evidence.append(SensorMapping.url("http://\(host)\(record.string("http.url") ?? "/")"))
        }
        if let name = record.string("fileinfo.filename") {
            var file: [String: Any] = ["entityType": "File", "fileName": name]
            file["sha256"] = record.string("fileinfo.sha256")
            file["sha1"] = record.string("fileinfo.sha1")
            evidence.append(file)
        }
        let flow = [
            record.string("proto"), source.map { "\($0):\(record.string("src_port") ?? "-")" },
            destination.map { "→ \($0):\(record.string("dest_port") ?? "-")" }, record.string("app_proto"),
        ].compactMap { $0 }.joined(separator: " ")
        return [
            "sourceId": "suricata:\(record.string("flow_id") ?? "-"):\(gid):\(sid):\(rev):\(time)",
            "title": signature,
            "description": [signature, ruleCategory.map { "Rule category: \($0)." }, flow.isEmpty ? nil : flow]
                .compactMap { $0 }.joined(separator: "\n"),
            "severity": severity(level),
            "category": SensorMapping.category(tactics),
            "detectionSource": DetectionSource.thirdPartySensors.rawValue,
            "detectorId": "suricata:\(gid):\(sid):\(rev)",
            "firstEventTime": time, "lastEventTime": time,
            "mitreTechniques": SensorMapping.techniques(metadata?.strings("mitre_technique_id") ?? []),
            "device": device, "evidence": evidence,
        ]
    }

    /// Suricata's 1 (most severe) to 4 scale.
    static func severity(_ level: Int) -> String {
        SensorMapping.severity(level, scale: [(1, .high), (2, .medium), (3, .low)], above: .informational)
    }
}
