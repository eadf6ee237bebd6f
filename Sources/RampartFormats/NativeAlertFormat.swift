import Foundation
import RampartCore

/// Why one ingested record was refused.
public struct IngestRejection: Error, Sendable, Equatable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// Rampart's native ingest format (docs/INGEST.md): a JSON array of records, an object `{"alerts": [...]}`,
/// or JSON lines. Each record is checked on its own; a bad record never stops the good ones.
public enum NativeAlertFormat {
    static let maximumText = 32_768
    static let maximumShortText = 1_024

    /// Splits the body into records (a JSON array, `{"alerts": [...]}`, JSON lines or objects one after another), or
    /// throws when the body as a whole is not in the format.
    public static func records(from body: Data) throws(IngestRejection) -> [Any] {
        try IngestBody.values(from: body) { $0["alerts"] as? [Any] }
    }

    /// Validates one record into a submission.
    public static func submission(from record: Any) -> Result<AlertSubmission, IngestRejection> {
        do {
            return .success(try parse(record))
        } catch {
            return .failure(error)
        }
    }

    static func parse(_ record: Any) throws(IngestRejection) -> AlertSubmission {
        guard let fields = record as? [String: Any] else { throw IngestRejection("The record is not a JSON object.") }
        let reader = FieldReader(fields: fields, path: "")
        let sourceID = try reader.requiredString("sourceId", limit: 256)
        let title = try reader.requiredString("title", limit: maximumShortText)
        let severityText = try reader.requiredString("severity", limit: 32)
        guard let severity = AlertSeverity(caseInsensitive: severityText) else {
            throw IngestRejection(
                "severity '\(severityText)' is not one of \(AlertSeverity.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        var category = AlertCategory.suspiciousActivity.rawValue
        if let text = try reader.string("category", limit: 64) {
            guard let known = AlertCategory(caseInsensitive: text) else {
                throw IngestRejection("category '\(text)' is not a Defender alert category.")
            }
            category = known.rawValue
        }
        var detectionSource = DetectionSource.thirdPartySensors.rawValue
        if let text = try reader.string("detectionSource", limit: 64) {
            detectionSource = DetectionSource(caseInsensitive: text)?.rawValue ?? text
        }
        var investigationState: InvestigationState?
        if let text = try reader.string("investigationState", limit: 64) {
            guard let state = InvestigationState(caseInsensitive: text) else {
                throw IngestRejection("investigationState '\(text)' is not a Defender investigation state.")
            }
            investigationState = state
        }
        let firstEventTime = try reader.time("firstEventTime")
        let lastEventTime = try reader.time("lastEventTime")
        if let firstEventTime, let lastEventTime, lastEventTime < firstEventTime {
            throw IngestRejection("lastEventTime is before firstEventTime.")
        }
        let techniques = try reader.stringArray("mitreTechniques", limit: 64) ?? []
        for technique in techniques where !isTechniqueID(technique) {
            throw IngestRejection(
                "mitreTechniques: '\(technique)' is not a MITRE ATT&CK technique id such as T1059 or T1059.001.")
        }
        var relatedUser: RelatedUser?
        if let user = try reader.object("relatedUser") {
            relatedUser = RelatedUser(
                userName: try user.requiredString("userName", limit: 256), domainName: try user.string("domainName", limit: 256))
        }
        guard let deviceReader = try reader.object("device") else { throw IngestRejection("device is required.") }
        let device = DeviceIdentity(
            hostname: try deviceReader.requiredString("hostname", limit: 255),
            domain: try deviceReader.string("domain", limit: 255),
            agentID: try deviceReader.string("agentId", limit: 128),
            osPlatform: try deviceReader.string("osPlatform", limit: 64),
            osVersion: try deviceReader.string("osVersion", limit: 64),
            ipAddress: try deviceReader.ipAddress("ipAddress"),
            tags: try deviceReader.stringArray("tags", limit: 32) ?? [])
        var evidence: [AlertEvidence] = []
        if let items = fields["evidence"] {
            guard let array = items as? [Any] else { throw IngestRejection("evidence must be an array.") }
            guard array.count <= 100 else { throw IngestRejection("evidence holds at most 100 items.") }
            for (index, item) in array.enumerated() {
                guard let object = item as? [String: Any] else { throw IngestRejection("evidence[\(index)] is not an object.") }
                evidence.append(try parseEvidence(FieldReader(fields: object, path: "evidence[\(index)].")))
            }
        }
        return AlertSubmission(
            sourceID: sourceID, device: device, title: title,
            description: try reader.string("description", limit: maximumText) ?? "", severity: severity,
            category: category, detectionSource: detectionSource,
            detectorID: try reader.string("detectorId", limit: 256),
            threatFamilyName: try reader.string("threatFamilyName", limit: 256),
            threatName: try reader.string("threatName", limit: 256), investigationState: investigationState,
            firstEventTime: firstEventTime, lastEventTime: lastEventTime, mitreTechniques: techniques,
            relatedUser: relatedUser, evidence: evidence)
    }

    static func parseEvidence(_ reader: FieldReader) throws(IngestRejection) -> AlertEvidence {
        let typeText = try reader.requiredString("entityType", limit: 64)
        guard let entityType = EvidenceEntityType(caseInsensitive: typeText) else {
            throw IngestRejection(
                "\(reader.path)entityType '\(typeText)' is not one of \(EvidenceEntityType.allCases.map(\.rawValue).joined(separator: ", "))."
            )
        }
        var item = AlertEvidence(entityType: entityType.rawValue)
        // An item holds two or three of the two dozen fields it may carry: only those present are read (looking up
        // each name in turn was a tenth of mapping a Suricata batch), in the order below, so that the first bad
        // field named is always the same one.
        for field in EvidenceField.present(in: reader.fields) {
            switch field {
            case .evidenceCreationTime: item.evidenceCreationTime = try reader.time(field.rawValue)
            case .sha1: item.sha1 = try reader.hash(field.rawValue, length: 40)
            case .sha256: item.sha256 = try reader.hash(field.rawValue, length: 64)
            case .fileName: item.fileName = try reader.string(field.rawValue, limit: 1024)
            case .filePath: item.filePath = try reader.string(field.rawValue, limit: 4096)
            case .processId: item.processId = try reader.integer(field.rawValue)
            case .processCommandLine: item.processCommandLine = try reader.string(field.rawValue, limit: maximumText)
            case .processCreationTime: item.processCreationTime = try reader.time(field.rawValue)
            case .parentProcessId: item.parentProcessId = try reader.integer(field.rawValue)
            case .parentProcessCreationTime: item.parentProcessCreationTime = try reader.time(field.rawValue)
            case .parentProcessFileName: item.parentProcessFileName = try reader.string(field.rawValue, limit: 1024)
            case .parentProcessFilePath: item.parentProcessFilePath = try reader.string(field.rawValue, limit: 4096)
            case .ipAddress: item.ipAddress = try reader.ipAddress(field.rawValue)
            case .url: item.url = try reader.string(field.rawValue, limit: 8192)
            case .registryKey: item.registryKey = try reader.string(field.rawValue, limit: 4096)
            case .registryHive: item.registryHive = try reader.string(field.rawValue, limit: 256)
            case .registryValueType: item.registryValueType = try reader.string(field.rawValue, limit: 64)
            case .registryValue: item.registryValue = try reader.string(field.rawValue, limit: maximumText)
            case .accountName: item.accountName = try reader.string(field.rawValue, limit: 256)
            case .domainName: item.domainName = try reader.string(field.rawValue, limit: 256)
            case .userSid: item.userSid = try reader.string(field.rawValue, limit: 256)
            case .aadUserId: item.aadUserId = try reader.string(field.rawValue, limit: 64)
            case .userPrincipalName: item.userPrincipalName = try reader.string(field.rawValue, limit: 256)
            case .detectionStatus: item.detectionStatus = try reader.string(field.rawValue, limit: 64)
            }
        }
        return item
    }

    static func isTechniqueID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Bool { range.allSatisfy { bytes[$0] >= 48 && bytes[$0] <= 57 } }
        guard bytes.count == 5 || bytes.count == 9, bytes[0] == UInt8(ascii: "T"), digits(1..<5) else { return false }
        return bytes.count == 5 || (bytes[5] == UInt8(ascii: ".") && digits(6..<9))
    }
}

/// The fields of an evidence item (their JSON names), in the order they are checked.
enum EvidenceField: String, CaseIterable {
    case evidenceCreationTime, sha1, sha256, fileName, filePath, processId, processCommandLine, processCreationTime
    case parentProcessId, parentProcessCreationTime, parentProcessFileName, parentProcessFilePath, ipAddress, url
    case registryKey, registryHive, registryValueType, registryValue, accountName, domainName, userSid, aadUserId
    case userPrincipalName, detectionStatus

    /// Looked up by hashing the key once (`init(rawValue:)` compares it with each name in turn).
    static let byName = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })
    static let position = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })

    /// The known fields among `object`'s keys, in checking order.
    static func present(in object: [String: Any]) -> [EvidenceField] {
        var fields: [EvidenceField] = []
        for key in object.keys {
            if let field = byName[key] { fields.append(field) }
        }
        if fields.count > 1 { fields.sort { position[$0, default: 0] < position[$1, default: 0] } }
        return fields
    }
}

/// Typed access to a record's fields with errors that name the field.
struct FieldReader {
    let fields: [String: Any]
    let path: String

    func value(_ name: String) -> Any? {
        guard let value = fields[name], !JSONNumber.isNull(value) else { return nil }
        return value
    }

    func string(_ name: String, limit: Int) throws(IngestRejection) -> String? {
        guard let raw = value(name) else { return nil }
        guard let text = raw as? String else { throw IngestRejection("\(path)\(name) must be a string.") }
        guard text.utf8.count <= limit else { throw IngestRejection("\(path)\(name) is longer than \(limit) bytes.") }
        return text.isEmpty ? nil : text
    }

    func requiredString(_ name: String, limit: Int) throws(IngestRejection) -> String {
        guard let text = try string(name, limit: limit), text.unicodeScalars.contains(where: { !$0.properties.isWhitespace })
        else {
            throw IngestRejection("\(path)\(name) is required.")
        }
        return text
    }

    func stringArray(_ name: String, limit: Int) throws(IngestRejection) -> [String]? {
        guard let raw = value(name) else { return nil }
        guard let array = raw as? [Any], array.count <= limit, array.allSatisfy({ $0 is String }) else {
            throw IngestRejection("\(path)\(name) must be an array of at most \(limit) strings.")
        }
        return array.compactMap { $0 as? String }
    }

    func object(_ name: String) throws(IngestRejection) -> FieldReader? {
        guard let raw = value(name) else { return nil }
        guard let object = raw as? [String: Any] else { throw IngestRejection("\(path)\(name) must be an object.") }
        return FieldReader(fields: object, path: "\(path)\(name).")
    }

    func time(_ name: String) throws(IngestRejection) -> Timestamp? {
        guard let text = try string(name, limit: 64) else { return nil }
        guard let time = Timestamp(iso8601: text) else {
            throw IngestRejection("\(path)\(name) '\(text)' is not an ISO 8601 date-time.")
        }
        return time
    }

    func integer(_ name: String) throws(IngestRejection) -> Int64? {
        guard let raw = value(name) else { return nil }
        guard let number = JSONNumber.number(raw), number.doubleValue.rounded() == number.doubleValue,
            abs(number.doubleValue) < 9.0e15
        else { throw IngestRejection("\(path)\(name) must be an integer.") }
        return number.int64Value
    }

    func hash(_ name: String, length: Int) throws(IngestRejection) -> String? {
        guard let text = try string(name, limit: length) else { return nil }
        guard text.count == length, text.allSatisfy(\.isHexDigit) else {
            throw IngestRejection("\(path)\(name) '\(text)' is not a \(length)-character hex hash.")
        }
        return text.lowercased()
    }

    func ipAddress(_ name: String) throws(IngestRejection) -> String? {
        guard let text = try string(name, limit: 64) else { return nil }
        guard IPAddressSyntax.isValid(text) else { throw IngestRejection("\(path)\(name) '\(text)' is not an IP address.") }
        return text
    }
}
