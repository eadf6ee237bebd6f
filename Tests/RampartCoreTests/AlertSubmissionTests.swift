import RampartCore
import Testing

@Suite struct AlertSubmissionTests {
    let tenant = TenantID.random()

    func device() -> Device {
        Device(
            id: DeviceIDGenerator.make(), tenantID: tenant, deviceKey: "host:web-1.corp.example",
            computerDnsName: "web-1.corp.example",
            osPlatform: "Linux", osVersion: nil, lastIpAddress: nil, rbacGroupName: "Servers", machineTags: [],
            firstSeen: .now(), lastSeen: .now())
    }

    func submission(severity: AlertSeverity = .low, first: String, last: String) -> AlertSubmission {
        AlertSubmission(
            sourceID: "s-1", device: DeviceIdentity(hostname: "WEB-1", domain: "corp.example"), title: "T", description: "D",
            severity: severity, category: "Execution", detectionSource: "ThirdPartySensors",
            firstEventTime: Timestamp(iso8601: first), lastEventTime: Timestamp(iso8601: last))
    }

    @Test func deviceKeysPreferTheAgentID() {
        #expect(DeviceIdentity(hostname: "WEB-1", domain: "Corp.Example").deviceKey == "host:web-1.corp.example")
        #expect(DeviceIdentity(hostname: "web-1.corp.example", domain: "other").computerDnsName == "web-1.corp.example")
        #expect(DeviceIdentity(hostname: "web-1", agentID: "ABC").deviceKey == "agent:abc")
    }

    @Test func deviceIDsAreFortyHexCharacters() {
        let id = DeviceIDGenerator.make()
        #expect(id.count == 40)
        #expect(id.allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }

    @Test func mergeKeepsAnalystFieldsAndWidensTheEventWindow() {
        let device = device()
        let created = Timestamp(iso8601: "2024-01-01T00:00:00Z")!
        var alert = submission(first: "2024-01-01T00:00:00Z", last: "2024-01-01T00:05:00Z")
            .makeAlert(id: "da1_1", tenantID: tenant, device: device, now: created)
        alert.status = .inProgress
        alert.assignedTo = "analyst@example"
        alert.classification = .truePositive
        let later = Timestamp(iso8601: "2024-01-02T00:00:00Z")!
        let merged = submission(severity: .high, first: "2024-01-01T01:00:00Z", last: "2024-01-01T02:00:00Z")
            .merged(into: alert, device: device, now: later)
        #expect(merged.id == "da1_1")
        #expect(merged.severity == .high)
        #expect(merged.status == .inProgress)
        #expect(merged.assignedTo == "analyst@example")
        #expect(merged.classification == .truePositive)
        #expect(merged.alertCreationTime == created)
        #expect(merged.lastUpdateTime == later)
        #expect(merged.firstEventTime?.description == "2024-01-01T00:00:00Z")
        #expect(merged.lastEventTime?.description == "2024-01-01T02:00:00Z")
        #expect(merged.rbacGroupName == "Servers")
    }

    @Test func enumsAcceptEveryDocumentedSpelling() {
        #expect(AlertDetermination(lenient: "ConfirmedActivity") == .confirmedUserActivity)
        #expect(AlertDetermination(lenient: "NotMalicious") == .clean)
        #expect(AlertDetermination(lenient: "noenoughdatatovalidate") == .insufficientData)
        #expect(AlertSeverity(caseInsensitive: "unspecified") == .unspecified)
        #expect(AlertStatus(caseInsensitive: "inprogress") == .inProgress)
        #expect(AlertSeverity(caseInsensitive: "Critical") == nil)
    }
}
