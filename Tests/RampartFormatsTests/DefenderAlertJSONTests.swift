import Foundation
import PropertyBased
import RampartCore
import RampartFormats
import Testing

/// The shared fixtures sit beside the repository on developer machines and in CI, never in a user's clone.
enum SharedFixtures {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/fixtures/sensors")

    static var available: Bool { FileManager.default.fileExists(atPath: root.path) }

    static func data(_ path: String) throws -> Data { try Data(contentsOf: root.appendingPathComponent(path)) }
}

/// The keys of a JSON object in document order (JSONSerialization loses the order).
func orderedKeys(ofFirstObjectIn text: String, depth: Int = 1) -> [String] {
    var keys: [String] = []
    var level = 0
    var inString = false
    var escaped = false
    var current = ""
    var expectingKey = false
    for character in text {
        if inString {
            if escaped {
                escaped = false
                current.append(character)
                continue
            }
            if character == "\\" {
                escaped = true
                continue
            }
            if character == "\"" {
                inString = false
                if level == depth && expectingKey { keys.append(current) }
                continue
            }
            current.append(character)
            continue
        }
        switch character {
        case "\"":
            inString = true
            current = ""
        case "{", "[":
            level += 1
            expectingKey = character == "{"
        case "}", "]":
            level -= 1
            if level < depth && !keys.isEmpty { return keys }
        case ",":
            expectingKey = level == depth
        case ":":
            expectingKey = false
        default: break
        }
    }
    return keys
}

@Suite struct DefenderAlertJSONTests {
    func sampleAlert() -> Alert {
        var process = AlertEvidence(entityType: "Process")
        process.fileName = "rundll32.exe"
        process.processId = 3276
        process.filePath = "C:\\Windows\\SysWOW64"
        return Alert(
            id: "da637472900382838869_1364969609", tenantID: TenantID("a839b112-1253-6432-9bf6-94542403f21c")!, sourceID: "s",
            incidentID: 1_126_093, severity: .low, status: .new, investigationState: .queued,
            detectionSource: "WindowsDefenderAtp",
            detectorID: "17e10bbc-3a68-474a-8aad-faef14d43952", category: "Execution",
            title: "Low-reputation arbitrary code executed by signed executable", description: "Binaries signed by Microsoft…",
            alertCreationTime: Timestamp(iso8601: "2021-01-26T20:33:57.7220239Z")!,
            firstEventTime: Timestamp(iso8601: "2021-01-26T20:31:32.9562661Z"),
            lastEventTime: Timestamp(iso8601: "2021-01-26T20:31:33.0577322Z"),
            lastUpdateTime: Timestamp(iso8601: "2021-01-26T20:33:59.2Z")!, machineID: "111e6dd8c833c8a052ea231ec1b19adaf497b625",
            computerDnsName: "temp123.middleeast.corp.microsoft.com", rbacGroupName: "A",
            mitreTechniques: ["T1064", "T1085", "T1220"],
            relatedUser: RelatedUser(userName: "temp123", domainName: "DOMAIN"),
            comments: [
                AlertComment(
                    comment: "test comment for docs", createdBy: "secop123@contoso.com",
                    createdTime: Timestamp(iso8601: "2021-01-26T01:00:37.8404534Z")!)
            ], evidence: [process])
    }

    @Test func propertyNamesAndOrderAreDefenders() throws {
        let json = DefenderAlertJSON.alert(sampleAlert(), includeEvidence: true).serialized()
        let expected = [
            "id", "incidentId", "investigationId", "assignedTo", "severity", "status", "classification", "determination",
            "investigationState", "detectionSource", "detectorId", "category", "threatFamilyName", "title", "description",
            "alertCreationTime", "firstEventTime", "lastEventTime", "lastUpdateTime", "resolvedTime", "machineId",
            "computerDnsName", "rbacGroupName", "aadTenantId", "threatName", "mitreTechniques", "relatedUser", "comments",
            "evidence",
        ]
        #expect(orderedKeys(ofFirstObjectIn: json) == expected)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["alertCreationTime"] as? String == "2021-01-26T20:33:57.7220239Z")
        #expect(object["lastUpdateTime"] as? String == "2021-01-26T20:33:59.2Z")
        #expect(object["incidentId"] as? Int == 1_126_093)
        #expect(object["investigationId"] is NSNull)
        let comments = try #require(object["comments"] as? [[String: Any]])
        #expect(comments.first?["createdTime"] as? String == "2021-01-26T01:00:37.8404534Z")
        let evidence = try #require(object["evidence"] as? [[String: Any]])
        #expect(evidence.first?.count == 25)
        #expect(evidence.first?["filePath"] as? String == "C:\\Windows\\SysWOW64")
    }

    @Test func evidenceIsEmptyUnlessExpanded() throws {
        let json = DefenderAlertJSON.list([sampleAlert()], includeEvidence: false).serialized()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["@odata.context"] as? String == "https://api.securitycenter.microsoft.com/api/$metadata#Alerts")
        let first = try #require((object["value"] as? [[String: Any]])?.first)
        #expect((first["evidence"] as? [Any])?.isEmpty == true)
        #expect(object["@odata.nextLink"] == nil)
    }

    @Test(.enabled(if: SharedFixtures.available, "../shared/fixtures is absent: fixture comparison skipped"))
    func matchesTheDocumentedSingleAlertExample() throws {
        let text = String(decoding: try SharedFixtures.data("defender/api-alert-single.json"), as: UTF8.self)
        let ours = DefenderAlertJSON.alert(sampleAlert(), includeEvidence: true).serialized()
        #expect(orderedKeys(ofFirstObjectIn: ours) == orderedKeys(ofFirstObjectIn: text))
        let documented = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let evidenceKeys = orderedKeys(ofFirstObjectIn: String(text[text.range(of: "\"evidence\"")!.upperBound...]))
        let ourEvidence = orderedKeys(ofFirstObjectIn: String(ours[ours.range(of: "\"evidence\"")!.upperBound...]))
        #expect(ourEvidence == evidenceKeys)
        #expect(documented["id"] as? String == sampleAlert().id)
    }

    @Test(.enabled(if: SharedFixtures.available, "../shared/fixtures is absent: fixture comparison skipped"))
    func listWrapperMatchesTheDocumentedListExample() throws {
        let text = String(decoding: try SharedFixtures.data("defender/api-alerts-list.json"), as: UTF8.self)
        let documented = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(documented["@odata.context"] as? String == DefenderAlertJSON.listContext)
        let ours = DefenderAlertJSON.list([sampleAlert()], includeEvidence: false).serialized()
        let value = String(ours[ours.range(of: "\"value\":[")!.upperBound...])
        let theirs = String(text[text.range(of: "\"value\": [")!.upperBound...])
        // The list example predates `detectorId`, which the newer single-alert example has; otherwise the order is the same.
        #expect(orderedKeys(ofFirstObjectIn: value).filter { $0 != "detectorId" } == orderedKeys(ofFirstObjectIn: theirs))
    }

    @Test func stringsSurviveARoundTripThroughAnyJSONParser() async {
        await propertyCheck(count: 500, input: Gen.unicodeScalar(in: "\u{0}"..."\u{2FFF}").array(of: 0...40)) { scalars in
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            let json = JSONValue.array([.string(text)]).serialized()
            let parsed = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String]
            #expect(parsed == [text])
        }
    }
}
