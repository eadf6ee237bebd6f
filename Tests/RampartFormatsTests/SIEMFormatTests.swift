import Foundation
import PropertyBased
import RampartCore
import Testing

@testable import RampartFormats

/// CEF, LEEF, RFC 5424 structured data and octet counting, each checked by a strict parser written from the spec.
@Suite struct SIEMFormatTests {
    static let pieces = [
        "a", "Z", " ", "|", "\\", "=", "\n", "\r", "]", "\"", "^", "é", "Опасно", "😀", "\t", "==", "\\|", "x=y", "0",
        "CEF:0|", "[sd@1 a=\"b\"]", "\u{0}",
    ]

    static func text(_ seed: Int, count: Int = 10) -> String {
        var state = UInt64(seed) &+ 1
        var result = ""
        for _ in 0..<Int(state % UInt64(count + 1)) {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            result += pieces[Int((state >> 33) % UInt64(pieces.count))]
        }
        return result
    }

    /// A strict CEF:0 reader: seven header fields split at unescaped `|`, then `key=value` pairs where a key is the
    /// word before an unescaped `=`. Unknown escapes are errors.
    static func parseCEF(_ line: String) -> (header: [String], extensions: [String: String])? {
        var scalars = Array(line.unicodeScalars)
        guard scalars.starts(with: "CEF:".unicodeScalars) else { return nil }
        scalars.removeFirst(4)
        var header: [String] = []
        var current = ""
        var index = 0
        while header.count < 7 {
            guard index < scalars.count else { return nil }
            let scalar = scalars[index]
            if scalar == "\\" {
                guard index + 1 < scalars.count, scalars[index + 1] == "\\" || scalars[index + 1] == "|" else { return nil }
                current.unicodeScalars.append(scalars[index + 1])
                index += 2
            } else if scalar == "|" {
                header.append(current)
                current = ""
                index += 1
            } else {
                current.unicodeScalars.append(scalar)
                index += 1
            }
        }
        // Extension: find unescaped '=' positions; each key is the token just before it.
        let rest = Array(scalars[index...])
        var equals: [Int] = []
        var position = 0
        while position < rest.count {
            if rest[position] == "\\" {
                position += 2
                continue
            }
            if rest[position] == "=" { equals.append(position) }
            position += 1
        }
        var extensions: [String: String] = [:]
        var keyStarts: [Int] = []
        for equal in equals {
            var start = equal
            while start > 0, rest[start - 1] != " " { start -= 1 }
            keyStarts.append(start)
        }
        for (offset, equal) in equals.enumerated() {
            let key = String(String.UnicodeScalarView(rest[keyStarts[offset]..<equal]))
            let end = offset + 1 < equals.count ? keyStarts[offset + 1] - 1 : rest.count
            guard end >= equal + 1 else { return nil }
            var value = ""
            var cursor = equal + 1
            while cursor < end {
                if rest[cursor] == "\\" {
                    guard cursor + 1 < end else { return nil }
                    switch rest[cursor + 1] {
                    case "\\": value += "\\"
                    case "=": value += "="
                    case "n": value += "\n"
                    case "r": value += "\r"
                    default: return nil
                    }
                    cursor += 2
                } else {
                    value.unicodeScalars.append(rest[cursor])
                    cursor += 1
                }
            }
            extensions[key] = value
        }
        return (header, extensions)
    }

    func alert(title: String, description: String, user: String) -> Alert {
        var evidence = AlertEvidence(entityType: "File")
        evidence.fileName = user + ".exe"
        evidence.sha1 = String(repeating: "c", count: 40)
        return AlertSubmission(
            sourceID: "s", device: DeviceIdentity(hostname: "h"), title: title, description: description, severity: .high,
            category: "Execution", detectionSource: "ThirdPartySensors", detectorID: "rule|\(title)", firstEventTime: nil,
            lastEventTime: nil, mitreTechniques: ["T1059"], relatedUser: RelatedUser(userName: user, domainName: "CORP"),
            evidence: [evidence]
        ).makeAlert(
            id: "da1_2", tenantID: TenantID("6a1f0c4e-0d6b-4f4c-9f1e-0c4b2a7d9e11")!,
            device: Device(
                id: "d", tenantID: .random(), deviceKey: "h", computerDnsName: "h.corp.example", osPlatform: nil,
                osVersion: nil, lastIpAddress: nil, rbacGroupName: "Servers", machineTags: [], firstSeen: .now(),
                lastSeen: .now()), now: Timestamp(iso8601: "2026-11-29T10:00:00.1234567Z")!)
    }

    @Test func anyTextRoundTripsThroughCEF() async {
        await propertyCheck(count: 2_000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            let title = Self.text(seed)
            let description = Self.text(seed &* 31 &+ 7)
            let user = Self.text(seed &* 17 &+ 3)
            let line = CEFFormat.event(
                alert(title: title, description: description, user: user), kind: "created", portalURL: "https://r")
            #expect(!line.contains("\n") && !line.contains("\r"), "one line")
            let parsed = Self.parseCEF(line)
            #expect(parsed != nil, "\(line.debugDescription)")
            guard let parsed else { return }
            #expect(parsed.header[0] == "0" && parsed.header[1] == "Rampart")
            #expect(
                parsed.header[5]
                    == title.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
                    .replacingOccurrences(of: "\r", with: " "))
            #expect(parsed.header[6] == "8")
            if !description.isEmpty {
                #expect(parsed.extensions["msg"] == description, "\(line.debugDescription)")
            }
            if !user.isEmpty && !user.contains(" ") {
                #expect(parsed.extensions["suser"] == user)
            }
            #expect(
                parsed.extensions["cs2"] == "6a1f0c4e-0d6b-4f4c-9f1e-0c4b2a7d9e11"
                    || parsed.extensions["cs2"] == "6A1F0C4E-0D6B-4F4C-9F1E-0C4B2A7D9E11")
            #expect(parsed.extensions["externalId"] == "da1_2")
        }
    }

    @Test func leefValuesNeverContainTheDelimiter() async {
        await propertyCheck(count: 2_000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            let title = Self.text(seed)
            for delimiter: Character in ["^", "\t", "|"] where delimiter != "|" {
                let line = LEEFFormat.event(
                    alert(title: title, description: Self.text(seed &+ 5), user: "u"), kind: "updated", portalURL: "https://r",
                    delimiter: delimiter)
                #expect(!line.contains("\n") && !line.contains("\r"))
                let parts = line.split(separator: "|", maxSplits: 6, omittingEmptySubsequences: false)
                #expect(parts.count == 7 && parts[0] == "LEEF:2.0" && parts[5] == Substring(String(delimiter)))
                let attributes = parts[6].split(separator: delimiter, omittingEmptySubsequences: false)
                #expect(attributes.allSatisfy { $0.contains("=") }, "\(line.debugDescription)")
                let values = Dictionary(
                    attributes.map { ($0.prefix { $0 != "=" }, $0.drop { $0 != "=" }.dropFirst()) },
                    uniquingKeysWith: { a, _ in a })
                let expected = LEEFFormat.clean(title, removing: delimiter)
                #expect(values["title"].map(String.init) == expected)
            }
        }
    }

    /// A strict SD-PARAM reader: `name="value"` with `\"`, `\\` and `\]` the only escapes.
    static func parseParameter(_ text: String) -> String? {
        var value = ""
        var characters = Array(text)
        guard characters.first == "\"", characters.last == "\"", characters.count >= 2 else { return nil }
        characters = Array(characters.dropFirst().dropLast())
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "\\" {
                guard index + 1 < characters.count, ["\"", "\\", "]"].contains(characters[index + 1]) else { return nil }
                value.append(characters[index + 1])
                index += 2
            } else {
                guard character != "\"", character != "]" else { return nil }
                value.append(character)
                index += 1
            }
        }
        return value
    }

    @Test func structuredDataEscapingRoundTrips() async {
        await propertyCheck(count: 3_000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            let value = Self.text(seed)
            #expect(Self.parseParameter("\"" + SyslogFormat.escapeParameter(value) + "\"") == value)
            let message = SyslogFormat.rfc5424(
                priority: 106, time: Timestamp(iso8601: "2026-11-29T10:00:00.1234567Z")!, hostname: "rampart host",
                messageID: "alert", structuredData: [(id: "rampart@32473", parameters: [("tenant", value)])], message: "m")
            #expect(message.hasPrefix("<106>1 2026-11-29T10:00:00.123456Z rampart"), "spaces leave the host name")
            #expect(message.contains(" alert [rampart@32473 tenant=\""))
            #expect(message.hasSuffix("\"] m"))
        }
    }

    @Test func octetCountedFramesSplitBackExactly() async {
        await propertyCheck(count: 1_000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            // RFC 6587: MSG-LEN starts with a non-zero digit, so a syslog message is never empty.
            let messages = (0..<(seed % 5 + 1)).map { "m" + Self.text(seed &+ $0 &* 97, count: 30) }
            let stream = messages.flatMap(SyslogFormat.octetCounted)
            let cut = Int(UInt64(seed) % UInt64(stream.count + 1))
            guard let whole = SyslogFormat.frames(stream) else {
                Issue.record("unparseable stream")
                return
            }
            #expect(whole.frames.map { String(decoding: $0, as: UTF8.self) } == messages)
            #expect(whole.remainder.isEmpty)
            // A stream cut anywhere gives the complete frames and keeps the rest for later.
            let partial = SyslogFormat.frames(Array(stream[..<cut]))
            #expect(partial != nil)
            if let partial {
                #expect(partial.frames.count <= messages.count)
                #expect(partial.frames.flatMap { $0 }.count + partial.remainder.count <= cut)
                #expect(
                    Array(stream[..<cut]).starts(
                        with: partial.frames.flatMap { SyslogFormat.octetCounted(String(decoding: $0, as: UTF8.self)) }))
            }
        }
        #expect(SyslogFormat.frames(Array("05 hello".utf8)) == nil, "leading zero")
        #expect(SyslogFormat.frames(Array("x hello".utf8)) == nil)
    }

    @Test func ocsfKeepsTheFindingAcrossItsLife() throws {
        let created = OCSFDetectionFinding.event(
            alert(title: "t", description: "d", user: "u"), kind: "created", portalURL: "https://r")
        let closed = OCSFDetectionFinding.event(
            alert(title: "t", description: "d", user: "u"), kind: "resolved", portalURL: "https://r")
        let first = try #require(try JSONSerialization.jsonObject(with: Data(created.serializedBytes())) as? [String: Any])
        let last = try #require(try JSONSerialization.jsonObject(with: Data(closed.serializedBytes())) as? [String: Any])
        #expect(first["class_uid"] as? Int == 2004 && first["type_uid"] as? Int == 200_401 && last["type_uid"] as? Int == 200_403)
        #expect((first["finding_info"] as? [String: Any])?["uid"] as? String == "da1_2")
        #expect((last["finding_info"] as? [String: Any])?["uid"] as? String == "da1_2")
        #expect((first["metadata"] as? [String: Any])?["tenant_uid"] as? String != nil)
        #expect(first["is_alert"] as? Bool == true && last["is_alert"] as? Bool == false)
    }
}
