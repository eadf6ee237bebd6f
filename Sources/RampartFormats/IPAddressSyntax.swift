import Foundation

/// IPv4 dotted-quad and IPv6 text forms.
public enum IPAddressSyntax {
    public static func isValid(_ text: String) -> Bool { isIPv4(text) || isIPv6(text) }

    public static func isIPv4(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
                    && (Int(part) ?? 256) <= 255 && !(part.count > 1 && part.hasPrefix("0"))
            }
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
