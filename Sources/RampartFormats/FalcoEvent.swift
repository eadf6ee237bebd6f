import Foundation
import RampartCore

/// Falco's JSON output (`json_output: true`), syscall and plugin sources alike. See docs/SENSORS.md.
enum FalcoEvent {
    static func native(_ record: SensorRecord, options: SensorFormat.Options) throws -> [String: Any] {
        let rule = try record.required("rule", "Falco")
        let priority = try record.required("priority", "Falco")
        guard let severity = severity(priority) else {
            throw IngestRejection("Falco record: priority '\(priority)' is not one of Falco's priorities.")
        }
        let time = try record.required("time", "Falco")
        guard let hostname = record.string("hostname") ?? options.defaultHostname else {
            throw IngestRejection(
                "Falco record: hostname is missing (Falco before 0.32 did not write it); name the node with ?host= (API) or --host (CLI)."
            )
        }
        func field(_ key: String) -> String? { record.field(key, in: "output_fields") }
        let tags = record.strings("tags")
        var evidence: [[String: Any]] = []
        if let commandLine = field("proc.cmdline") {
            var process: [String: Any] = ["entityType": "Process", "processCommandLine": commandLine]
            process["fileName"] = field("proc.name")
            process["filePath"] = field("proc.exepath")
            process["parentProcessFileName"] = field("proc.pname")
            process["processId"] = field("proc.pid").flatMap { Int64($0) }.map { NSNumber(value: $0) }
            evidence.append(process)
        }
        if let user = field("user.name") ?? field("ka.user.name") { evidence.append(SensorMapping.user(user)) }
        if let name = field("fd.name"), name.hasPrefix("/") {
            evidence.append([
                "entityType": "File", "filePath": name, "fileName": name.split(separator: "/").last.map(String.init) ?? name,
            ])
        }
        var native: [String: Any] = [
            "sourceId": "falco:\(record.string("uuid") ?? "\(time):\(hostname):\(rule)")",
            "title": rule,
            "description": record.string("output") ?? rule,
            "severity": severity,
            "category": SensorMapping.category(tags),
            "detectionSource": DetectionSource.thirdPartySensors.rawValue,
            "detectorId": "falco:\(rule)",
            "firstEventTime": time, "lastEventTime": time,
            "mitreTechniques": SensorMapping.techniques(tags),
            "device": ["hostname": hostname, "tags": ["falco"] + (record.string("source").map { ["falco:\($0)"] } ?? [])],
            "evidence": evidence,
        ]
        if let user = field("user.name") ?? field("ka.user.name") { native["relatedUser"] = ["userName": user] }
        return native
    }

    /// Falco's eight syslog-style priorities.
    static func severity(_ priority: String) -> String? {
        switch priority.lowercased() {
        case "emergency", "alert", "critical": AlertSeverity.high.rawValue
        case "error", "warning": AlertSeverity.medium.rawValue
        case "notice": AlertSeverity.low.rawValue
        case "informational", "info", "debug": AlertSeverity.informational.rawValue
        default: nil
        }
    }
}
