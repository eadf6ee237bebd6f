import Foundation
import RampartCore

/// OCSF Detection Finding (class 2004, schema 1.0–1.3). Other classes are ignored. See docs/SENSORS.md.
enum OCSFFinding {
    static func native(_ record: SensorRecord) throws -> [String: Any] {
        let classID = record.integer("class_uid")
        guard classID == 2004 else {
            throw SensorRecord.Skip.ignored("class_uid \(classID.map(String.init) ?? "(none)") is not a Detection Finding (2004)")
        }
        let uid = try record.required("finding_info.uid", "OCSF")
        let title = try record.required("finding_info.title", "OCSF")
        guard let time = self.time(record, "time") ?? self.time(record, "finding_info.created_time") else {
            throw IngestRejection("OCSF record: time is required.")
        }
        let attacks = (record.value("finding_info.attacks") as? [Any] ?? []) + (record.value("attacks") as? [Any] ?? [])
        let attackRecords = attacks.compactMap { ($0 as? [String: Any]).map { SensorRecord($0) } }
        let tactics =
            attackRecords.flatMap { $0.strings("tactic.name") + $0.strings("tactic.uid") }
            + record.strings("finding_info.types").flatMap { $0.split(separator: "/").map(String.init) }
        let techniques = attackRecords.flatMap { $0.strings("technique.uid") + $0.strings("sub_technique.uid") }
        // The finding's device when it names one; cloud findings name the resource they concern instead.
        var device: [String: Any]
        if let hostname = record.string("device.hostname") ?? record.string("device.name") ?? record.string("device.ip") {
            device = SensorMapping.device(dnsName: hostname)
            device["agentId"] = record.string("device.uid")
            device["ipAddress"] = record.string("device.ip")
            device["osPlatform"] = record.string("device.os.name")
        } else if let resource = (record.value("resources") as? [Any])?.first as? [String: Any],
            let name = SensorRecord(resource).string("uid") ?? SensorRecord(resource).string("name")
        {
            device = ["hostname": String(name.prefix(255)), "agentId": String(name.prefix(128))]
        } else {
            throw IngestRejection("OCSF record: neither device nor resources names what the finding concerns.")
        }
        device["tags"] = ["ocsf"] + (record.string("metadata.product.name").map { [$0] } ?? [])
        var evidence: [[String: Any]] = []
        for item in (record.value("evidences") as? [Any] ?? []).compactMap({ ($0 as? [String: Any]).map { SensorRecord($0) } }) {
            for side in ["src_endpoint", "dst_endpoint"] {
                if let ip = item.string("\(side).ip") { evidence.append(SensorMapping.ip(ip)) }
            }
            if let user = item.string("actor.user.name") { evidence.append(SensorMapping.user(user)) }
            if let commandLine = item.string("process.cmd_line") {
                evidence.append(["entityType": "Process", "processCommandLine": commandLine])
            }
            if let url = item.string("url.url_string") { evidence.append(SensorMapping.url(url)) }
        }
        let product = record.string("metadata.product.name") ?? "ocsf"
        var native: [String: Any] = [
            "sourceId": "ocsf:\(uid)",
            "title": title,
            "description": record.string("finding_info.desc") ?? record.string("message") ?? title,
            "severity": severity(record.integer("severity_id") ?? 0),
            "category": SensorMapping.category(tactics),
            "detectionSource": DetectionSource.thirdPartySensors.rawValue,
            "detectorId":
                "\(product):\(record.string("finding_info.analytic.uid") ?? record.string("metadata.event_code") ?? title)",
            "mitreTechniques": SensorMapping.techniques(techniques),
            "device": device, "evidence": evidence,
        ]
        native["firstEventTime"] = self.time(record, "finding_info.first_seen_time") ?? time
        native["lastEventTime"] = self.time(record, "finding_info.last_seen_time") ?? time
        return native
    }

    /// `<name>_dt` (RFC 3339) when present, else `<name>` in epoch milliseconds (or seconds, which some producers
    /// write: anything below 10^11 is taken as seconds).
    static func time(_ record: SensorRecord, _ name: String) -> String? {
        if let text = record.string(name + "_dt") { return text }
        guard let number = JSONNumber.number(record.value(name)) else { return nil }
        let value = number.doubleValue
        let seconds = value < 1e11 ? value : value / 1000
        return Timestamp(ticks: Int64((seconds * 1e7).rounded())).description
    }

    /// OCSF `severity_id`: 0 Unknown, 1 Informational … 5 Critical, 6 Fatal, 99 Other.
    static func severity(_ id: Int) -> String {
        switch id {
        case 1: AlertSeverity.informational.rawValue
        case 2: AlertSeverity.low.rawValue
        case 3: AlertSeverity.medium.rawValue
        case 4, 5, 6: AlertSeverity.high.rawValue
        default: AlertSeverity.unspecified.rawValue
        }
    }
}
