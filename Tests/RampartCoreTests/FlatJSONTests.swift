import Foundation
import PropertyBased
import RampartCore
import Testing

@Suite struct FlatJSONTests {
    static let pieces = [
        "a", "Z", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "é", "Ж", "😀", "\u{2028}", ",", ":", "{", "}", "[", "]",
        " ", "1", "-", ".", "e", "null", "true",
    ]

    static func text(seed: Int, length: Int) -> String {
        var state = UInt64(seed) &+ 1
        var text = ""
        for _ in 0..<length {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            text += pieces[Int((state >> 33) % UInt64(pieces.count))]
        }
        return text
    }

    /// Strings written by our writer and by Foundation's encoder (which escapes `/` and writes `\u` escapes) read
    /// back as themselves.
    @Test func stringsRoundTrip() async {
        await propertyCheck(count: 2_000, input: Gen.int(in: 0...Int(Int32.max)), Gen.int(in: 0...16)) { seed, length in
            let value = Self.text(seed: seed, length: length)
            var ours: [UInt8] = []
            JSONText.appendString(value, to: &ours)
            let theirs = String(decoding: try! JSONEncoder().encode(["k": value]), as: UTF8.self)
            #expect(FlatJSONObject.parse("{\"k\":\(String(decoding: ours, as: UTF8.self))}")?.first?.1 == .string(value))
            #expect(FlatJSONObject.parse(theirs)?.first?.1 == .string(value))
            #expect(FlatJSONObject.stringArray("[\(String(decoding: ours, as: UTF8.self)),\"x\"]") == [value, "x"])
        }
    }

    /// Random text never crashes the reader, and whatever it accepts a strict parser accepts with the same members.
    @Test func acceptsOnlyWhatAStrictParserAccepts() async {
        await propertyCheck(count: 5_000, input: Gen.int(in: 0...Int(Int32.max)), Gen.int(in: 0...24)) { seed, length in
            let text = Self.text(seed: seed, length: length)
            for candidate in [text, "{\(text)}", "{\"a\":\(text)}", "[\(text)]", "{\"a\":\"\(text)\"}"] {
                let strict = try? JSONSerialization.jsonObject(with: Data(candidate.utf8))
                if let members = FlatJSONObject.parse(candidate) {
                    let object = strict as? [String: Any]
                    #expect(object != nil, "accepted \(candidate.debugDescription)")
                    for (key, value) in members {
                        if case .string(let string) = value { #expect(object?[key] as? String == string) }
                    }
                }
                if let strings = FlatJSONObject.stringArray(candidate) {
                    #expect((strict as? [String]) == strings, "accepted \(candidate.debugDescription)")
                }
            }
        }
    }

    @Test func refusesNestingAndBrokenText() {
        for text in [
            "", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":[1]}", "{\"a\":{}}", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}",
            "{\"a\":1} x", "{a:1}", "{\"a\":tru}", "{\"a\":\"\n\"}",
        ] {
            #expect(FlatJSONObject.parse(text) == nil, "\(text.debugDescription) should be refused")
        }
        #expect(FlatJSONObject.stringArray("[1]") == nil)
        #expect(FlatJSONObject.stringArray("[\"a\",]") == nil)
        let members = FlatJSONObject.parse(#"{"n":-12,"d":1.5e3,"b":false,"z":null}"#)
        #expect(members?.map(\.0) == ["n", "d", "b", "z"])
        #expect(members?.map(\.1) == [.integer(-12), .number("1.5e3"), .bool(false), .null])
    }

    /// Evidence written by hand reads back as itself, and Foundation's coder reads and writes the same values, so
    /// rows stored before the hand-written coder still read.
    @Test func evidenceMatchesFoundationsCoder() async throws {
        await propertyCheck(count: 1_000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            var state = UInt64(seed) &+ 7
            func next() -> UInt64 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return state >> 33
            }
            func maybe() -> String? { next() % 3 == 0 ? nil : Self.text(seed: Int(next()), length: Int(next() % 6)) }
            var evidence = AlertEvidence(entityType: Self.text(seed: seed, length: 3))
            evidence.sha1 = maybe()
            evidence.fileName = maybe()
            evidence.processCommandLine = maybe()
            evidence.ipAddress = maybe()
            evidence.url = maybe()
            evidence.userPrincipalName = maybe()
            evidence.detectionStatus = maybe()
            evidence.processId = next() % 2 == 0 ? Int64(next()) - 1_000_000 : nil
            evidence.processCreationTime = next() % 2 == 0 ? Timestamp(ticks: Int64(next()) * 1_000) : nil
            let ours = evidence.jsonText()
            #expect(AlertEvidence(jsonText: ours) == evidence)
            #expect((try? JSONDecoder().decode(AlertEvidence.self, from: Data(ours.utf8))) == evidence)
            let theirs = String(decoding: try! JSONEncoder().encode(evidence), as: UTF8.self)
            #expect(AlertEvidence(jsonText: theirs) == evidence)
        }
    }

    @Test func guidsMatchFoundation() async {
        await propertyCheck(count: 1_000, input: Gen.int(in: 0...Int(Int32.max))) { _ in
            let uuid = UUID()
            let id = TenantID(uuid)
            #expect(id.description == uuid.uuidString.lowercased())
            #expect(TenantID(uuid.uuidString) == id)
            #expect(TenantID(uuid.uuidString.lowercased()) == id)
        }
        for text in [
            "", "not-a-guid", "f13155e6-7a8e-450a-ba57-858e9f95fb1", "f13155e6-7a8e-450a-ba57-858e9f95fb1ef",
            "f13155e67a8e-450a-ba57-858e9f95fb1e0", "g13155e6-7a8e-450a-ba57-858e9f95fb1e",
            "{13155e6-7a8e-450a-ba57-858e9f95fb1e",
        ] {
            #expect(TenantID(text) == nil, "\(text) should be refused")
        }
    }
}
