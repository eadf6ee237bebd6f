import Foundation

/// IPv4 dotted-quad and IPv6 text forms.
public enum IPAddressSyntax {
    public static func isValid(_ text: String) -> Bool { isIPv4(text) || isIPv6(text) }

    /// Four decimal parts of 0–255 without leading zeros, read byte by byte (every ingested address passes here).
    public static func isIPv4(_ text: Substring) -> Bool {
        var dots = 0
        var value = 0
        var digits = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0 else { return false }
                dots += 1
                value = 0
                digits = 0
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return false }
            if digits == 1 && value == 0 { return false }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
            guard digits <= 3, value <= 255 else { return false }
        }
        return digits > 0 && dots == 3
    }

    static func isIPv4(_ text: String) -> Bool { isIPv4(Substring(text)) }

    static func isIPv6(_ text: String) -> Bool {
        guard text.contains(":"), text.count <= 45 else { return false }
        var body = Substring(text)
        var groupsAvailable = 8
        if let lastColon = body.lastIndex(of: ":"), body[body.index(after: lastColon)...].contains(".") {
            guard isIPv4(body[body.index(after: lastColon)...]) else { return false }
            body = body[...lastColon]
            if body.hasSuffix(":") && !body.hasSuffix("::") { body = body.dropLast() }
            groupsAvailable = 6
        }
        let halves = body.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ half: String) -> [Substring]? {
            if half.isEmpty { return [] }
            let items = half.split(separator: ":", omittingEmptySubsequences: false)
            guard items.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isHexDigit) }) else { return nil }
            return items
        }
        guard let head = groups(halves[0]) else { return false }
        if halves.count == 2 {
            guard let tail = groups(halves[1]) else { return false }
            return head.count + tail.count < groupsAvailable
        }
        return head.count == groupsAvailable
    }
}
