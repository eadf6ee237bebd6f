import Foundation
import RampartCore

/// The sensor formats `POST /ingest/v1/{format}` and `rampart ingest --format` take, each mapped record by record
/// onto the canonical alert (docs/SENSORS.md holds the mapping tables). Every adapter writes Rampart's native
/// record and hands it to the native format's validation, so each record is checked by one set of rules and is
/// either imported whole or rejected with a reason, never half-imported.
public enum SensorFormat: String, CaseIterable, Sendable {
    case native = "alerts"
    case suricata, wazuh, falco, ocsf, defender

    /// What a record became.
    public enum Outcome: Sendable {
        case submission(AlertSubmission)
        /// Not an alert at all (a Suricata `flow` event, an OCSF class other than Detection Finding): left out,
        /// with the reason shown.
        case ignored(String)
        case rejected(IngestRejection)
    }

    /// Choices of the sender: the host to use for records that name none (Falco before 0.32 wrote no hostname).
    public struct Options: Sendable {
        public var defaultHostname: String?
        public init(defaultHostname: String? = nil) { self.defaultHostname = defaultHostname }
    }

    public func records(from body: Data) throws(IngestRejection) -> [Any] {
        switch self {
        case .native: try NativeAlertFormat.records(from: body)
        // An OpenSearch answer or a Defender list (`{"value": [...]}`) holds its records inside.
        case .wazuh: try IngestBody.values(from: body) { ($0["hits"] as? [String: Any])?["hits"] as? [Any] }
        case .defender: try IngestBody.values(from: body) { $0["value"] as? [Any] }
        case .suricata, .falco, .ocsf: try IngestBody.values(from: body)
        }
    }

    public func map(_ record: Any, options: Options = .init()) -> Outcome {
        guard self != .native else {
            switch NativeAlertFormat.submission(from: record) {
            case .success(let submission): return .submission(submission)
            case .failure(let rejection): return .rejected(rejection)
            }
        }
        guard let object = record as? [String: Any] else { return .rejected(IngestRejection("The record is not a JSON object.")) }
        let native: [String: Any]?
        do {
            switch self {
            case .native: native = object
            case .suricata: native = try SuricataEVE.native(SensorRecord(object))
            case .wazuh: native = try WazuhAlert.native(SensorRecord(object))
            case .falco: native = try FalcoEvent.native(SensorRecord(object), options: options)
            case .ocsf: native = try OCSFFinding.native(SensorRecord(object))
            case .defender: native = try DefenderExport.native(SensorRecord(object))
            }
        } catch SensorRecord.Skip.ignored(let reason) {
            return .ignored(reason)
        } catch let rejection as IngestRejection {
            return .rejected(rejection)
        } catch {
            return .rejected(IngestRejection("\(error)"))
        }
        guard let native else { return .rejected(IngestRejection("The record could not be mapped.")) }
        switch NativeAlertFormat.submission(from: native) {
        case .success(let submission): return .submission(submission)
        case .failure(let rejection): return .rejected(IngestRejection("\(displayName) record, as mapped: \(rejection.reason)"))
        }
    }

    public var displayName: String {
        switch self {
        case .native: "Rampart"
        case .suricata: "Suricata"
        case .wazuh: "Wazuh"
        case .falco: "Falco"
        case .ocsf: "OCSF"
        case .defender: "Defender"
        }
    }

    /// A short id of the record for the response (the sensor's own id where it has one).
    public func recordID(_ record: Any) -> String? {
        guard let object = record as? [String: Any] else { return nil }
        let item = SensorRecord(object)
        return switch self {
        case .native: item.string("sourceId")
        case .suricata: item.string("flow_id")
        case .wazuh: (item.object("_source") ?? item).string("id")
        case .falco: item.string("uuid") ?? item.string("rule")
        case .ocsf: item.string("finding_info.uid")
        case .defender: item.string("id") ?? item.string("AlertId")
        }
    }
}

/// Read access to a sensor record by dotted path (`alert.signature`); a key that itself holds dots (Falco's
/// `output_fields["proc.cmdline"]`) is read with `field(_:in:)`.
struct SensorRecord {
    enum Skip: Error { case ignored(String) }

    let fields: [String: Any]
    /// Where these fields sit in the record (`alert.`), for messages.
    let base: String
    init(_ fields: [String: Any], base: String = "") {
        self.fields = fields
        self.base = base
    }

    /// The value at a dotted path (`alert.signature`); walked without splitting the path into an array, as this
    /// runs some twenty times for every record ingested.
    func value(_ path: String) -> Any? {
        guard path.utf8.contains(UInt8(ascii: ".")) else {
            return fields[path].flatMap { JSONNumber.isNull($0) ? nil : $0 }
        }
        var object = fields
        var rest = Substring(path)
        while let dot = rest.firstIndex(of: ".") {
            guard let inner = object[String(rest[..<dot])] as? [String: Any] else { return nil }
            object = inner
            rest = rest[rest.index(after: dot)...]
        }
        let current = object[String(rest)]
        return current.flatMap { JSONNumber.isNull($0) ? nil : $0 }
    }

    /// Text, numbers written as text; nil for empty strings.
    func string(_ path: String) -> String? { Self.text(value(path)) }

    /// The object at `path`, read once where many of its fields are wanted (each dotted path casts every object on it).
    func object(_ path: String) -> SensorRecord? {
        (value(path) as? [String: Any]).map { SensorRecord($0, base: "\(base)\(path).") }
    }

    func strings(_ path: String) -> [String] {
        if let text = string(path) { return [text] }
        return (value(path) as? [Any] ?? []).compactMap(Self.text)
    }

    func integer(_ path: String) -> Int? {
        guard let number = JSONNumber.number(value(path)) else { return Int(string(path) ?? "") }
        return number.intValue
    }

    /// A key with dots in it inside the object at `path`.
    func field(_ key: String, in path: String) -> String? { Self.text((value(path) as? [String: Any])?[key]) }

    static func text(_ value: Any?) -> String? {
        switch value {
        case let text as String: text.isEmpty ? nil : text
        default: JSONNumber.number(value)?.stringValue
        }
    }

    func required(_ path: String, _ format: String) throws(IngestRejection) -> String {
        guard let text = string(path) else { throw IngestRejection("\(format) record: \(base)\(path) is required.") }
        return text
    }
}

/// What the adapters share: MITRE ATT&CK tactics to Defender categories, technique ids, evidence items.
enum SensorMapping {
    /// A tactic by name in any spelling sensors use ("Credential Access", `credential_access`,
    /// `mitre_credential_access`, "TTPs/Defense Evasion/…") or by id (TA0006) → Defender's alert category.
    static func category(forTactic text: String) -> AlertCategory? {
        let key = text.lowercased().replacingOccurrences(of: "mitre_", with: "").filter { $0.isLetter || $0.isNumber }
        return tactics[key]
    }

    static let tactics: [String: AlertCategory] = {
        let table: [(String, String, AlertCategory)] = [
            ("initialaccess", "ta0001", .initialAccess), ("execution", "ta0002", .execution),
            ("persistence", "ta0003", .persistence), ("privilegeescalation", "ta0004", .privilegeEscalation),
            ("defenseevasion", "ta0005", .defenseEvasion), ("credentialaccess", "ta0006", .credentialAccess),
            ("discovery", "ta0007", .discovery), ("lateralmovement", "ta0008", .lateralMovement),
            ("collection", "ta0009", .collection), ("exfiltration", "ta0010", .exfiltration),
            ("commandandcontrol", "ta0011", .commandAndControl), ("impact", "ta0040", .impact),
            ("reconnaissance", "ta0043", .discovery), ("resourcedevelopment", "ta0042", .suspiciousActivity),
        ]
        var map: [String: AlertCategory] = [:]
        for (name, id, category) in table {
            map[name] = category
            map[id] = category
        }
        return map
    }()

    /// The first tactic of `names` Rampart knows, else `fallback`.
    static func category(_ names: [String], fallback: AlertCategory = .suspiciousActivity) -> String {
        (names.lazy.compactMap(category(forTactic:)).first ?? fallback).rawValue
    }

    /// A sensor's numeric level on its own scale: the first step whose upper bound holds the level, else `above`.
    static func severity(_ level: Int, scale: [(upTo: Int, severity: AlertSeverity)], above: AlertSeverity) -> String {
        (scale.first { level <= $0.upTo }?.severity ?? above).rawValue
    }

    /// Only well-formed technique ids (T1059, T1059.001), without duplicates, in the sensor's order.
    static func techniques(_ candidates: [String]) -> [String] {
        var seen: Set<String> = []
        return candidates.map { $0.uppercased() }.filter { NativeAlertFormat.isTechniqueID($0) && seen.insert($0).inserted }
    }

    static func ip(_ address: String) -> [String: Any] { ["entityType": "Ip", "ipAddress": address] }
    static func url(_ address: String) -> [String: Any] { ["entityType": "Url", "url": address] }
    static func user(_ name: String, domain: String? = nil) -> [String: Any] {
        var item: [String: Any] = ["entityType": "User", "accountName": name]
        if let domain { item["domainName"] = domain }
        return item
    }

    /// Private, loopback and link-local addresses: on a network sensor's alert, the customer's side.
    static func isInternal(_ address: String) -> Bool {
        let parts = address.split(separator: ".").compactMap { Int($0) }
        if parts.count == 4 {
            return parts[0] == 10 || parts[0] == 127 || (parts[0] == 172 && (16...31).contains(parts[1]))
                || (parts[0] == 192 && parts[1] == 168) || (parts[0] == 169 && parts[1] == 254)
        }
        let lower = address.lowercased()
        return lower == "::1" || lower.hasPrefix("fc") || lower.hasPrefix("fd") || lower.hasPrefix("fe80")
    }

    /// `host.corp.example` → hostname and domain.
    static func device(dnsName: String) -> [String: Any] {
        guard let dot = dnsName.firstIndex(of: "."), !IPAddressSyntax.isValid(dnsName) else { return ["hostname": dnsName] }
        return ["hostname": String(dnsName[..<dot]), "domain": String(dnsName[dnsName.index(after: dot)...])]
    }
}
