import Foundation
import PropertyBased
import RampartCore
import RampartFormats
import Testing

@Suite struct JSONTextTests {
    static let pieces = [
        "a", "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{08}", "\u{0C}", "é", "😀", "\u{2028}", "\u{2029}", "/", "€",
        "\u{7F}",
    ]

    /// Any string written as a JSON literal reads back as itself, and line separators never appear raw.
    @Test func stringsRoundTripThroughAJSONParser() async {
        await propertyCheck(count: 2_000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            var state = UInt64(seed) &+ 1
            var text = ""
            for _ in 0..<Int(state % 24) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text += Self.pieces[Int((state >> 33) % UInt64(Self.pieces.count))]
            }
            var bytes: [UInt8] = []
            JSONText.appendString(text, to: &bytes)
            let decoded = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) as? String
            #expect(decoded == text, "\(text.debugDescription)")
            #expect(!String(decoding: bytes, as: UTF8.self).contains("\u{2028}"))
            var string = ""
            JSONText.appendString(text, to: &string)
            #expect(Array(string.utf8) == bytes)
        }
    }

    @Test func objectsKeepTheirOrder() {
        let value = JSONValue.object([("b", .int(1)), ("a", .array([.null, .bool(true), .string("x\"y")]))])
        #expect(value.serialized() == #"{"b":1,"a":[null,true,"x\"y"]}"#)
        #expect(value.serializedBytes() == Array(value.serialized().utf8))
    }
}
