import Foundation
import PropertyBased
import RampartCore
import RampartFormats
import Testing

/// Every fixture file through its adapter, with values read from the records themselves.
@Suite(.enabled(if: SensorFixtures.available, Comment(rawValue: SensorFixtures.skipped)))
struct SensorAdapterTests {
    func split(_ outcomes: [SensorFormat.Outcome]) -> (alerts: [AlertSubmission], ignored: [String], rejected: [String]) {
        var result: ([AlertSubmission], [String], [String]) = ([], [], [])
        for outcome in outcomes {
            switch outcome {
            case .submission(let submission): result.0.append(submission)
            case .ignored(let reason): result.1.append(reason)
            case .rejected(let rejection): result.2.append(rejection.reason)
            }
        }
        return result
    }

    @Test func suricataLDAPAlertsAndOtherEventTypes() throws {
        let (alerts, ignored, rejected) = split(try SensorFixtures.outcomes("suricata/eve-ldap-alerts.json", .suricata))
        #expect(alerts.count == 4 && rejected.isEmpty)
        #expect(
            Set(ignored) == [
                "event_type 'ldap' is not an alert", "event_type 'flow' is not an alert", "event_type 'stats' is not an alert",
            ])
        let first = try #require(alerts.first)
        #expect(first.title == "Test LDAP search request number argument")
        #expect(first.detectorID == "suricata:1:1:0")
        #expect(first.severity == .low, "Suricata severity 3")
        #expect(first.category == "SuspiciousActivity", "no MITRE tactic in the rule metadata")
        #expect(first.device.hostname == "2.2.2.2" && first.device.ipAddress == "2.2.2.2")
        #expect(first.firstEventTime == Timestamp(iso8601: "2024-05-28T09:39:37.034492Z"))
        #expect(first.evidence.compactMap(\.ipAddress) == ["1.1.1.1", "2.2.2.2"])
        #expect(first.description.contains("TCP 1.1.1.1:5555 → 2.2.2.2:389 ldap"))
        #expect(alerts.map(\.detectorID) == ["suricata:1:1:0", "suricata:1:2:0", "suricata:1:3:0", "suricata:1:4:0"])
    }

    @Test func suricataClassicAlertWithHTTP() throws {
        let (alerts, _, _) = split(try SensorFixtures.outcomes("suricata/eve-testmyids-alert.json", .suricata))
        let alert = try #require(alerts.first)
        #expect(alerts.count == 1)
        #expect(alert.title == "GPL ATTACK_RESPONSE id check returned root" && alert.severity == .medium)
        #expect(alert.detectorID == "suricata:1:2100498:7")
        #expect(alert.device.hostname == "10.16.1.11", "the internal side of the connection")
        #expect(alert.evidence.compactMap(\.url) == ["http://www.testmyids.com/"])
        #expect(alert.description.contains("Rule category: Potentially Bad Traffic."))
        #expect(alert.firstEventTime == Timestamp(iso8601: "2016-07-13T22:42:07.573103Z"))
    }

    @Test func suricataPrettyPrintedEVEStream() throws {
        let (alerts, ignored, rejected) = split(try SensorFixtures.outcomes("suricata/selks-psexec-eve-pretty.json", .suricata))
        #expect(alerts.count == 6 && ignored.count == 94 && rejected.isEmpty)
        #expect(alerts.filter { $0.detectorID == "suricata:1:2010781:3" }.count == 5)
        #expect(alerts.filter { $0.title == "ET POLICY SMB2 NT Create AndX Request For an Executable File" }.count == 1)
        #expect(Set(alerts.map(\.device.hostname)) == ["10.136.0.64"])
        #expect(Set(alerts.map(\.sourceID)).count == 6, "each alert its own source id")
    }

    @Test func wazuhManagerAlert() throws {
        let (alerts, _, _) = split(try SensorFixtures.outcomes("wazuh/alerts.json", .wazuh))
        let alert = try #require(alerts.first)
        #expect(alert.title == "sshd: brute force trying to get access to the system. Non existent user.")
        #expect(alert.severity == .medium, "level 10")
        #expect(alert.category == "CredentialAccess" && alert.mitreTechniques == ["T1110"])
        #expect(alert.detectorID == "wazuh:5712" && alert.sourceID == "wazuh:1652272159.1549653")
        #expect(alert.device.hostname == "localhost.localdomain")
        #expect(alert.device.agentID == "wazuh:localhost.localdomain/000")
        #expect(alert.relatedUser?.userName == "paco")
        #expect(alert.evidence.compactMap(\.ipAddress) == ["172.17.1.1"])
        #expect(alert.description == "May 11 12:29:18 localhost sshd[17584]: Invalid user paco from 172.17.1.1 port 56404")
    }

    @Test func wazuhInsideLogstashEventsAndSearchHits() throws {
        let (alerts, _, rejected) = split(try SensorFixtures.outcomes("wazuh/indexer-logstash-alerts.json", .wazuh))
        #expect(alerts.count == 6 && rejected.isEmpty)
        #expect(
            alerts.map(\.detectorID) == ["wazuh:23502", "wazuh:23502", "wazuh:5715", "wazuh:5501", "wazuh:5501", "wazuh:5715"])
        #expect(alerts[0].threatName == "CVE-2007-4559" && alerts[0].severity == .informational)
        #expect(alerts[0].device.ipAddress == "127.0.0.1")
        #expect(alerts[2].mitreTechniques == ["T1078", "T1021"] && alerts[2].relatedUser?.userName == "root")
        #expect(alerts[2].firstEventTime == Timestamp(iso8601: "2024-02-15T19:07:34.606Z"), "-0300 applied")
        // The search hit's source address is redacted to a value that is not an address: refused whole, with why.
        let (hits, _, refused) = split(try SensorFixtures.outcomes("wazuh/indexer-hit-shellshock.json", .wazuh))
        #expect(hits.isEmpty)
        #expect(refused == ["Wazuh record, as mapped: evidence[0].ipAddress '000.111.222.10' is not an IP address."])
    }

    @Test func falcoSyscallAndAuditEvents() throws {
        let (alerts, _, rejected) = split(try SensorFixtures.outcomes("falco/events.json", .falco))
        #expect(alerts.count == 7 && rejected.count == 7, "records 8–14 predate Falco's hostname field")
        #expect(rejected.allSatisfy { $0.contains("hostname is missing") })
        let shell = alerts[0]
        #expect(shell.title == "Terminal shell in container" && shell.severity == .high && shell.category == "Execution")
        #expect(shell.device.hostname == "falco-xczjd")
        #expect(shell.evidence.first?.processCommandLine == "sh -c clear; (bash || ash || sh)")
        #expect(shell.relatedUser?.userName == "root")
        #expect(shell.firstEventTime == Timestamp(iso8601: "2023-05-25T13:44:05.4784459Z"), "nanoseconds cut to 100 ns")
        #expect(alerts.map(\.severity) == [.high, .informational, .low, .medium, .medium, .medium, .low])
        #expect(alerts[3].relatedUser?.userName == "csi-cinder-controller")
        // A sender that names the node gets the older records in too.
        let named = split(
            try SensorFixtures.outcomes("falco/events.json", .falco, options: .init(defaultHostname: "node-7")))
        #expect(named.alerts.count == 14 && named.alerts.last?.device.hostname == "node-7")
    }

    @Test func ocsfDetectionFindings() throws {
        let (okta, _, _) = split(try SensorFixtures.outcomes("ocsf/detection_finding_okta.json", .ocsf))
        let login = try #require(okta.first)
        #expect(login.sourceID == "ocsf:dc9fd3c0-598c-11ef-8478-2b7584bf8d5a" && login.title == "Login Failures")
        #expect(login.severity == .unspecified, "severity_id 0")
        #expect(login.firstEventTime == Timestamp(iso8601: "2024-08-13T15:58:20Z"))
        #expect(login.evidence.compactMap(\.ipAddress) == ["10.0.0.1"])
        #expect(login.detectorID == "Okta System Log:security.threat.detected")
        let (guardDuty, _, _) = split(try SensorFixtures.outcomes("ocsf/detection_finding_sechub_guardduty.json", .ocsf))
        let trail = try #require(guardDuty.first)
        #expect(trail.severity == .low && trail.category == "DefenseEvasion", "tactic from the ASFF type path")
        #expect(
            trail.device.hostname == "aws::iam::accesskey:asiatmjpc7example"
                || trail.device.hostname == "AWS::IAM::AccessKey:ASIATMJPC7EXAMPLE")
        #expect(trail.firstEventTime == Timestamp(iso8601: "2023-09-19T14:55:09Z"))
        #expect(trail.evidence.compactMap(\.ipAddress) == ["52.94.133.131"])
    }

    @Test func defenderExports() throws {
        let (single, _, _) = split(try SensorFixtures.outcomes("defender/api-alert-single.json", .defender))
        let alert = try #require(single.first)
        #expect(alert.sourceID == "defender:da637472900382838869_1364969609")
        #expect(alert.severity == .low && alert.category == "Execution" && alert.detectionSource == "WindowsDefenderAtp")
        #expect(alert.mitreTechniques == ["T1064", "T1085", "T1220"])
        #expect(alert.device.hostname == "temp123" && alert.device.domain == "middleeast.corp.microsoft.com")
        #expect(alert.device.agentID == "111e6dd8c833c8a052ea231ec1b19adaf497b625")
        #expect(alert.evidence.map(\.entityType) == ["User", "Process", "File"])
        #expect(alert.evidence[1].processId == 3276 && alert.evidence[1].sha1 == "ff836cfb1af40252bd2a2ea843032e99a5b262ed")
        #expect(alert.investigationState == .queued && alert.relatedUser?.userName == "temp123")
        let (listed, _, _) = split(try SensorFixtures.outcomes("defender/api-alerts-list.json", .defender))
        #expect(listed.count == 1 && listed.first?.threatFamilyName == "Meterpreter")
        let (flat, _, _) = split(try SensorFixtures.outcomes("defender/siem-alerts.json", .defender))
        let detection = try #require(flat.first)
        #expect(detection.title == "Suspicious File Activity" && detection.severity == .high && detection.category == "Malware")
        #expect(
            detection.device.hostname == "mymachine1" && detection.device.agentID == "deadbeef000040830ee54503926f556dcaf82bb0")
        #expect(detection.evidence.first?.sha1 == "aabbccddee1122334455aabbccddee1122334455")
        #expect(detection.evidence.first?.filePath == "C:\\WINDOWS\\SysWOW64\\boo3\\qwerty")
    }
}

/// Adapters never crash on mutated records, and whatever they accept carries the fields every alert needs.
@Suite(.enabled(if: SensorFixtures.available, Comment(rawValue: SensorFixtures.skipped)))
struct SensorAdapterPropertyTests {
    static func samples() -> [(SensorFormat, [Any])] {
        let files: [(String, SensorFormat)] = [
            ("suricata/eve-testmyids-alert.json", .suricata), ("suricata/eve-ldap-alerts.json", .suricata),
            ("wazuh/alerts.json", .wazuh), ("wazuh/indexer-logstash-alerts.json", .wazuh), ("falco/events.json", .falco),
            ("ocsf/detection_finding_sechub_guardduty.json", .ocsf), ("ocsf/detection_finding_okta.json", .ocsf),
            ("defender/api-alert-single.json", .defender), ("defender/siem-alerts.json", .defender),
        ]
        return files.compactMap { name, format in
            (try? format.records(from: SensorFixtures.data(name))).map { (format, $0) }
        }
    }

    static func replacements() -> [Any] {
        [
            NSNull(), "", "x", 0, -1, 99_999, true, [Any](), [String: Any](), "not a time", "T1059", "999.1.1.1",
            String(repeating: "A", count: 70_000), ["nested": ["deeper": 1]],
        ]
    }

    /// Replaces, removes or adds one field somewhere in the record (nested objects too).
    static func mutate(_ value: Any, seed: inout UInt64) -> Any {
        func next() -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(seed >> 33)
        }
        let replacements = replacements()
        guard var object = value as? [String: Any], !object.isEmpty else { return replacements[next() % replacements.count] }
        let keys = object.keys.sorted()
        let key = keys[next() % keys.count]
        switch next() % 4 {
        case 0: object[key] = nil
        case 1: object[key] = replacements[next() % replacements.count]
        case 2: object[key] = mutate(object[key] as Any, seed: &seed)
        default: object["extra\(next() % 3)"] = replacements[next() % replacements.count]
        }
        return object
    }

    @Test func mutatedRecordsAreMappedWholeOrRefused() async {
        let samples = Self.samples()
        #expect(samples.count == 9)
        await propertyCheck(count: 1_500, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            var state = UInt64(seed) &+ 11
            let (format, records) = samples[seed % samples.count]
            var record = records[(seed / 7) % records.count]
            for _ in 0...(seed % 3) { record = Self.mutate(record, seed: &state) }
            switch format.map(record) {
            case .submission(let alert):
                #expect(!alert.title.isEmpty && !alert.sourceID.isEmpty && !alert.device.hostname.isEmpty)
                #expect(AlertCategory(rawValue: alert.category) != nil)
                #expect(alert.title.utf8.count <= 1_024)
            case .rejected(let rejection): #expect(!rejection.reason.isEmpty)
            case .ignored(let reason): #expect(!reason.isEmpty)
            }
        }
    }
}
