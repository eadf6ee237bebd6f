import Foundation
import PropertyBased
import RampartCore
import RampartFormats
import Testing

@Suite struct NativeAlertFormatTests {
    let valid: [String: Any] = [
        "sourceId": "eve-1", "title": "ET POLICY PsExec service created", "severity": "medium", "category": "lateralmovement",
        "firstEventTime": "2022-06-24T10:00:00.123+02:00", "mitreTechniques": ["T1569.002"],
        "device": ["hostname": "WS01", "domain": "corp.example", "ipAddress": "10.1.1.5", "tags": ["workstation"]],
        "evidence": [
            ["entityType": "ip", "ipAddress": "10.1.1.7"], ["entityType": "File", "sha256": String(repeating: "A", count: 64)],
        ],
    ]

    func parse(_ record: [String: Any]) -> Result<AlertSubmission, IngestRejection> {
        NativeAlertFormat.submission(from: record)
    }

    @Test func mapsAValidRecord() throws {
        let submission = try parse(valid).get()
        #expect(submission.sourceID == "eve-1")
        #expect(submission.severity == .medium)
        #expect(submission.category == "LateralMovement")
        #expect(submission.detectionSource == "ThirdPartySensors")
        #expect(submission.firstEventTime?.description == "2022-06-24T08:00:00.123Z")
        #expect(submission.device.computerDnsName == "ws01.corp.example")
        #expect(submission.evidence.map(\.entityType) == ["Ip", "File"])
        #expect(submission.evidence[1].sha256 == String(repeating: "a", count: 64))
    }

    @Test(
        arguments: [
            ("sourceId", nil, "sourceId is required."),
            ("severity", "Critical", "severity 'Critical' is not one of"),
            ("category", "Bogus", "category 'Bogus' is not a Defender alert category."),
            ("firstEventTime", "yesterday", "firstEventTime 'yesterday' is not an ISO 8601 date-time."),
            ("title", 42, "title must be a string."),
            ("mitreTechniques", ["T99"], "mitreTechniques: 'T99' is not a MITRE ATT&CK technique id"),
            ("device", nil, "device is required."),
        ] as [(String, (any Sendable)?, String)])
    func rejectsWithAReasonThatNamesTheField(field: String, value: (any Sendable)?, reason: String) {
        var record = valid
        record[field] = value
        guard case .failure(let rejection) = parse(record) else {
            Issue.record("\(field)=\(String(describing: value)) was accepted")
            return
        }
        #expect(rejection.reason.hasPrefix(reason), "\(rejection.reason)")
    }

    @Test func rejectsBadNestedFieldsWithTheirPath() {
        var record = valid
        record["device"] = ["hostname": "h", "ipAddress": "999.1.1.1"]
        #expect((try? parse(record).get()) == nil)
        if case .failure(let rejection) = parse(record) { #expect(rejection.reason.hasPrefix("device.ipAddress")) }
        record = valid
        record["evidence"] = [["entityType": "File", "sha1": "xyz"]]
        if case .failure(let rejection) = parse(record) { #expect(rejection.reason.hasPrefix("evidence[0].sha1")) }
        record["evidence"] = [["entityType": "Spaceship"]]
        if case .failure(let rejection) = parse(record) { #expect(rejection.reason.hasPrefix("evidence[0].entityType")) }
    }

    /// Only an item's own fields are read, in a fixed order: of several bad fields the same one is named whatever
    /// order the object's keys come in, and fields Rampart does not know are left out.
    @Test func evidenceFieldsAreCheckedInAFixedOrder() throws {
        var record = valid
        for _ in 0..<20 {
            var item: [String: Any] = ["entityType": "File"]
            for (key, value) in [
                ("userPrincipalName", "x" as Any), ("ipAddress", "999.1.1.1"), ("sha256", "not-hex"), ("processId", 1.5),
            ].shuffled() {
                item[key] = value
            }
            record["evidence"] = [item]
            guard case .failure(let rejection) = parse(record) else {
                Issue.record("an item with bad fields was accepted")
                continue
            }
            #expect(rejection.reason.hasPrefix("evidence[0].sha256"), "\(rejection.reason)")
        }
        record["evidence"] = [["entityType": "Ip", "ipAddress": "10.1.2.3", "colour": "blue", "sha1": NSNull()]]
        let submission = try parse(record).get()
        #expect(submission.evidence.count == 1)
        #expect(submission.evidence[0].ipAddress == "10.1.2.3")
        #expect(submission.evidence[0].sha1 == nil)
    }

    @Test func acceptsArraysWrappedObjectsAndJSONLines() throws {
        let one = try JSONSerialization.data(withJSONObject: valid)
        #expect(try NativeAlertFormat.records(from: Data("[".utf8) + one + Data(",".utf8) + one + Data("]".utf8)).count == 2)
        let wrapped = try JSONSerialization.data(withJSONObject: ["alerts": [valid, valid, valid]])
        #expect(try NativeAlertFormat.records(from: wrapped).count == 3)
        #expect(try NativeAlertFormat.records(from: one + Data("\n\n".utf8) + one + Data("\r\n".utf8)).count == 2)
        #expect(try NativeAlertFormat.records(from: one).count == 1)
    }

    @Test func refusesBodiesThatAreNotTheFormat() {
        for body in ["", "   ", "[1,2", "{\"a\":", "not json\n", "\"AAA\"", "42", "{} null"] {
            #expect(throws: IngestRejection.self) { try NativeAlertFormat.records(from: Data(body.utf8)) }
        }
    }

    @Test func neverCrashesOnArbitraryBytes() async {
        await propertyCheck(count: 1000, input: Gen.uint8(in: 0...255).array(of: 0...200)) { bytes in
            if let records = try? NativeAlertFormat.records(from: Data(bytes)) {
                for record in records { _ = NativeAlertFormat.submission(from: record) }
            }
        }
    }

    @Test func ipAddressSyntax() {
        for good in [
            "10.0.0.1", "255.255.255.255", "::1", "fe80::1", "2001:db8::8a2e:370:7334", "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8",
        ] {
            #expect(IPAddressSyntax.isValid(good), "\(good)")
        }
        for bad in ["", "1.2.3", "256.1.1.1", "01.1.1.1", "1.2.3.4.5", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "g::1", "host"] {
            #expect(!IPAddressSyntax.isValid(bad), "\(bad)")
        }
    }
}
