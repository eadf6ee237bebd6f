/// A reader for JSON objects whose members are all scalars (strings, numbers, booleans, null) and for arrays of
/// strings: the stored shape of evidence, tags and other small records, read on every page of alerts. Foundation's decoder costs tens of microseconds a
/// record; this reads one in about one. Anything else (nesting, bad syntax) returns nil so callers can fall back.
public enum FlatJSONObject {
    public enum Scalar: Sendable, Equatable {
        case string(String)
        case integer(Int64)
        /// A number that is not an integer, kept as its text.
        case number(String)
        case bool(Bool)
        case null
    }

    public static func parse(_ text: String) -> [(String, Scalar)]? {
        var copy = text
        return copy.withUTF8 { parse(bytes: $0) }
    }

    public static func parse(bytes: UnsafeBufferPointer<UInt8>) -> [(String, Scalar)]? {
        var reader = Reader(bytes: bytes)
        return reader.object()
    }

    /// A JSON array of strings (stored tag and technique lists); nil for anything else.
    public static func stringArray(_ text: String) -> [String]? {
        var copy = text
        return copy.withUTF8 { bytes -> [String]? in
            var reader = Reader(bytes: bytes)
            guard reader.take(0x5B) else { return nil }
            var strings: [String] = []
            if !reader.take(0x5D) {
                repeat {
                    reader.skipSpace()
                    guard let string = reader.string() else { return nil }
                    strings.append(string)
                } while reader.take(0x2C)
                guard reader.take(0x5D) else { return nil }
            }
            reader.skipSpace()
            return reader.index == bytes.count ? strings : nil
        }
    }

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count,
                bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09
            {
                index += 1
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func object() -> [(String, Scalar)]? {
            guard take(0x7B) else { return nil }
            var members: [(String, Scalar)] = []
            if take(0x7D) { return finished(members) }
            repeat {
                skipSpace()
                guard let key = string(), take(0x3A), let value = scalar() else { return nil }
                members.append((key, value))
            } while take(0x2C)
            guard take(0x7D) else { return nil }
            return finished(members)
        }

        mutating func finished(_ members: [(String, Scalar)]) -> [(String, Scalar)]? {
            skipSpace()
            return index == bytes.count ? members : nil
        }

        mutating func scalar() -> Scalar? {
            skipSpace()
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case 0x22: return string().map(Scalar.string)
            case 0x74: return literal("true") ? .bool(true) : nil
            case 0x66: return literal("false") ? .bool(false) : nil
            case 0x6E: return literal("null") ? .null : nil
            case 0x2D, 0x30...0x39: return number()
            default: return nil
            }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
            index += count
            return true
        }

        /// A number in JSON's own grammar (no `1.`, `.5`, `01` or `+1`, which Swift's parsers would take).
        mutating func number() -> Scalar? {
            let start = index
            func digits() -> Int {
                let first = index
                while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
                return index - first
            }
            if index < bytes.count, bytes[index] == 0x2D { index += 1 }
            let integerStart = index
            let integerDigits = digits()
            guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != 0x30 else { return nil }
            var integral = true
            if index < bytes.count, bytes[index] == 0x2E {
                index += 1
                integral = false
                guard digits() > 0 else { return nil }
            }
            if index < bytes.count, bytes[index] == 0x65 || bytes[index] == 0x45 {
                index += 1
                integral = false
                if index < bytes.count, bytes[index] == 0x2B || bytes[index] == 0x2D { index += 1 }
                guard digits() > 0 else { return nil }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if integral, let value = Int64(text) { return .integer(value) }
            return .number(text)
        }

        /// A string literal starting at `index` (the opening quote).
        mutating func string() -> String? {
            guard index < bytes.count, bytes[index] == 0x22 else { return nil }
            index += 1
            let start = index
            // The common case: no escapes, so the bytes between the quotes are the string.
            while index < bytes.count, bytes[index] != 0x22, bytes[index] != 0x5C, bytes[index] >= 0x20 { index += 1 }
            guard index < bytes.count else { return nil }
            if bytes[index] == 0x22 {
                defer { index += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            }
            var output = Array(bytes[start..<index])
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case 0x22:
                    index += 1
                    return String(decoding: output, as: UTF8.self)
                case 0x5C:
                    index += 1
                    guard index < bytes.count else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case 0x22, 0x5C, 0x2F: output.append(escape)
                    case 0x62: output.append(0x08)
                    case 0x66: output.append(0x0C)
                    case 0x6E: output.append(0x0A)
                    case 0x72: output.append(0x0D)
                    case 0x74: output.append(0x09)
                    case 0x75:
                        guard let scalar = unicodeEscape() else { return nil }
                        output.append(contentsOf: String(Character(scalar)).utf8)
                    default: return nil
                    }
                case 0x00..<0x20: return nil
                default:
                    output.append(byte)
                    index += 1
                }
            }
            return nil
        }

        /// The four hex digits after `\u`, joining a surrogate pair; a lone surrogate is refused, as strict parsers do.
        mutating func unicodeEscape() -> Unicode.Scalar? {
            guard let high = hex4() else { return nil }
            if (0xD800..<0xDC00).contains(high) {
                guard index + 1 < bytes.count, bytes[index] == 0x5C, bytes[index + 1] == 0x75 else { return nil }
                index += 2
                guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
            }
            return Unicode.Scalar(high)
        }

        mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case 0x30...0x39: digit = UInt32(byte - 0x30)
                case 0x41...0x46: digit = UInt32(byte - 0x37)
                case 0x61...0x66: digit = UInt32(byte - 0x57)
                default: return nil
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }
    }
}
