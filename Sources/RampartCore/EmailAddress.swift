/// A mailbox address as SMTP carries it (`local@domain`, RFC 5321 §4.1.2): a dot-atom local part and a domain of
/// LDH labels, ASCII only, at most 254 characters. Anything that could break a command or a header line (spaces,
/// angle brackets, CR, LF, quotes, commas) is refused, so an address never needs quoting or escaping on the wire.
public struct EmailAddress: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    public let value: String

    public init?(_ text: String) {
        guard let parsed = Self.validate(text) else { return nil }
        value = parsed
    }

    public var description: String { value }
    public var domain: Substring { value[value.index(after: value.lastIndex(of: "@")!)...] }

    public static func < (lhs: EmailAddress, rhs: EmailAddress) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = Self.validate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an address"))
        }
        value = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    /// Why `text` is not an address, or nil when it is one.
    public static func problem(_ text: String) -> String? {
        validate(text) == nil ? "'\(text)' is not an email address (name@example.com)." : nil
    }

    /// The address with its domain in lower case (domains are case-insensitive, local parts are not).
    static func validate(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count <= 254, let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return nil }
        let local = bytes[..<at]
        let domain = bytes[(at + 1)...]
        guard (1...64).contains(local.count), isDotAtom(local), isDomain(domain) else { return nil }
        return String(decoding: local, as: UTF8.self) + "@" + String(decoding: domain, as: UTF8.self).lowercased()
    }

    /// RFC 5322 atext characters: letters, digits and ``!#$%&'*+-/=?^_`{|}~``.
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default: Array("!#$%&'*+-/=?^_`{|}~".utf8).contains(byte)
        }
    }

    static func isDotAtom(_ bytes: ArraySlice<UInt8>) -> Bool {
        var previousDot = true
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if previousDot { return false }
                previousDot = true
            } else if isAtext(byte) {
                previousDot = false
            } else {
                return false
            }
        }
        return !previousDot
    }

    static func isDomain(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard (1...253).contains(bytes.count) else { return false }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard (1...63).contains(label.count), label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else {
                return false
            }
            for byte in label {
                let ok =
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                if !ok { return false }
            }
        }
        // A top-level label of digits only would make `1.2.3.4` look like a domain.
        return !(labels.last!.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
    }
}
