import Foundation
import PropertyBased
import RampartFormats
import RampartTestSupport
import Testing

/// The ingest parser against Foundation's: the same values for any document, and never more lenient.
@Suite struct JSONTreeTests {
    static let texts = ["", "a", "\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00", "\\/", "Ж", "😀", "x y", "\\t\\b\\f\\r"]
    static let numbers = ["0", "-1", "42", "3.25", "-0.5", "1e3", "2E-2", "9007199254740993", "123456789012345678901234"]
    static let spaces = ["", " ", "\n", "\t ", "\r\n"]

    /// A random document from a seed: nested objects and arrays of strings (with escapes), numbers, literals.
    static func document(_ random: inout SplitMix, depth: Int = 0) -> String {
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        let space = pick(spaces)
        switch depth > 3 ? random.next() % 4 : random.next() % 6 {
        case 0: return space + "\"" + pick(texts) + pick(texts) + "\"" + space
        case 1: return space + pick(numbers) + space
        case 2: return pick(["true", "false", "null"])
        case 3: return "\"k\(random.next() % 5)\""
        case 4:
            let members = (0..<Int(random.next() % 4)).map { _ in
                "\"" + pick(texts) + "k\(random.next() % 4)\"" + pick(spaces) + ":" + document(&random, depth: depth + 1)
            }
            return "{" + members.joined(separator: ",") + space + "}"
        default:
            return "[" + (0..<Int(random.next() % 4)).map { _ in document(&random, depth: depth + 1) }.joined(separator: ",")
                + "]"
        }
    }

    static func same(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { same(value, $0) } ?? false }
        case (let x as [Any], let y as [Any]): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (let x as String, let y as String): return x == y
        case (is NSNull, is NSNull): return true
        case (let x as NSNumber, let y as NSNumber):
            let boolean = (String(cString: x.objCType) == "c", String(cString: y.objCType) == "c")
            // Beyond 2^53 the two parsers may round a long integer to neighbouring doubles.
            let (u, v) = (x.doubleValue, y.doubleValue)
            return boolean.0 == boolean.1 && (u == v || abs(u - v) <= abs(u) * 1e-15)
        default: return false
        }
    }

    @Test func documentsReadAsFoundationReadsThem() async {
        await propertyCheck(count: 2_000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            var random = SplitMix(seed: UInt64(seed))
            let text = Self.document(&random)
            let ours = JSONTree.parse(ArraySlice(Array(text.utf8)))
            let theirs = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            #expect(ours != nil, "\(text)")
            if let ours, let theirs { #expect(Self.same(ours, theirs), "\(text)") }
        }
    }

    /// A document with one byte changed, dropped or doubled: what this parser accepts, Foundation accepts as the
    /// same value (it may be more lenient, never this one).
    @Test func mutatedDocumentsAreNeverReadDifferently() async {
        await propertyCheck(count: 3_000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            var random = SplitMix(seed: UInt64(seed))
            var bytes = Array(Self.document(&random).utf8)
            guard !bytes.isEmpty else { return }
            let at = Int(random.next() % UInt64(bytes.count))
            switch random.next() % 3 {
            case 0: bytes[at] = UInt8(random.next() % 256)
            case 1: bytes.remove(at: at)
            default: bytes.insert(bytes[at], at: at)
            }
            guard let ours = JSONTree.parse(ArraySlice(bytes)) else { return }
            let theirs = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            #expect(theirs.map { Self.same(ours, $0) } == true, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
    }

    @Test func refusesWhatJSONForbids() {
        for bad in [
            "", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "+1", "'a'", "\"\u{1}\"", "\"\\x\"", "\"\\ud800\"",
            "[1 2]", "{\"a\" 1}", "{1:2}", "tru", "nul", "NaN", "Infinity", "1e999", "[]]", "\"a", "\\u0041",
        ] {
            #expect(JSONTree.parse(ArraySlice(Array(bad.utf8))) == nil, "\(bad.debugDescription)")
        }
        #expect(JSONTree.parse(ArraySlice([0x22, 0xFF, 0x22])) == nil, "invalid UTF-8")
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(JSONTree.parse(ArraySlice(Array(deep.utf8))) == nil, "nesting beyond the limit")
        let record = JSONTree.parse(ArraySlice(Array(#" {"a": {"b": [1, 2.5, true, null, "x\u00e9"]}} "#.utf8)))
        let inner = ((record as? [String: Any])?["a"] as? [String: Any])?["b"] as? [Any]
        #expect((inner?[0] as? NSNumber)?.int64Value == 1 && (inner?[1] as? NSNumber)?.doubleValue == 2.5)
        #expect(String(cString: (inner?[2] as! NSNumber).objCType) == "c" && inner?[3] is NSNull && inner?[4] as? String == "xé")
    }
}
