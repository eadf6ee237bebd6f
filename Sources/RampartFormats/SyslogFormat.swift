import Foundation
import RampartCore

/// RFC 5424 syslog messages and RFC 6587 / RFC 5425 octet-counting frames.
public enum SyslogFormat {
    /// Facility 13 ("log audit") and a severity from the alert's: what SIEMs expect of security events.
    public static func priority(_ severity: AlertSeverity, facility: Int = 13) -> Int {
        let level: Int =
            switch severity {
            case .high: 2
            case .medium: 3
            case .low: 4
            case .informational, .unspecified: 6
            }
        return facility * 8 + level
    }

    /// `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG`; header fields are trimmed to RFC 5424's
    /// printable ASCII and lengths, structured data escaped.
    public static func rfc5424(
        priority: Int, time: Timestamp, hostname: String, appName: String = "rampart", messageID: String,
        structuredData: [(id: String, parameters: [(String, String)])], message: String
    ) -> String {
        let data =
            structuredData.isEmpty
            ? "-"
            : structuredData.map { element in
                "[" + headerField(element.id, limit: 32, allowing: { $0 != "=" && $0 != "]" && $0 != "\"" })
                    + element.parameters.map { name, value in
                        " \(headerField(name, limit: 32, allowing: { $0 != "=" && $0 != "]" && $0 != "\"" }))=\"\(escapeParameter(value))\""
                    }.joined() + "]"
            }.joined()
        return
            "<\(priority)>1 \(rfc3339(time)) \(headerField(hostname, limit: 255)) \(headerField(appName, limit: 48)) - "
            + "\(headerField(messageID, limit: 32)) \(data) \(message)"
    }

    /// The BSD format (RFC 3164) for receivers that want it: `<PRI>Mmm dd hh:mm:ss HOSTNAME TAG: MSG`, the day padded
    /// with a space, UTC. It has no structured data; the payload carries the ids.
    public static func rfc3164(priority: Int, time: Timestamp, hostname: String, tag: String = "rampart", message: String)
        -> String
    {
        let text = time.description  // 2026-11-29T08:00:00.1234567Z
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let month = months[(Int(text.dropFirst(5).prefix(2)) ?? 1) - 1]
        let day = Int(text.dropFirst(8).prefix(2)) ?? 1
        let clock = text.dropFirst(11).prefix(8)
        let dayText = day < 10 ? " \(day)" : String(day)
        return
            "<\(priority)>\(month) \(dayText) \(clock) \(headerField(hostname, limit: 255)) \(headerField(tag, limit: 32)): \(message)"
    }

    /// RFC 5424 timestamps allow at most six fractional digits: the seventh (100 ns) is cut.
    static func rfc3339(_ time: Timestamp) -> String {
        let remainder = time.ticks % 10
        return Timestamp(ticks: time.ticks - (remainder < 0 ? remainder + 10 : remainder)).description
    }

    /// Printable US-ASCII without spaces, cut to `limit`; `-` (NILVALUE) when nothing is left.
    static func headerField(_ value: String, limit: Int, allowing: (Character) -> Bool = { _ in true }) -> String {
        // The usual value (a host name, an id) is already clean: check its bytes instead of filtering characters.
        let utf8 = value.utf8
        if !utf8.isEmpty, utf8.count <= limit,
            utf8.allSatisfy({ $0 > 32 && $0 < 127 && allowing(Character(Unicode.Scalar($0))) })
        {
            return value
        }
        let kept = value.filter { $0.isASCII && ($0.asciiValue ?? 0) > 32 && ($0.asciiValue ?? 0) < 127 && allowing($0) }
        return kept.isEmpty ? "-" : String(kept.prefix(limit))
    }

    /// RFC 5424 §6.3.3: `"`, `\` and `]` are escaped with a backslash inside PARAM-VALUE.
    public static func escapeParameter(_ value: String) -> String {
        CEFFormat.escaping(value) { byte, _ in byte == 0x22 || byte == 0x5C || byte == 0x5D ? ([0x5C, byte], 1) : nil }
    }

    /// RFC 6587 §3.4.1 / RFC 5425 §4.3: `MSG-LEN SP SYSLOG-MSG`, the length in octets of the UTF-8 message.
    public static func octetCounted(_ message: String) -> [UInt8] {
        let bytes = Array(message.utf8)
        return Array("\(bytes.count) ".utf8) + bytes
    }

    /// Splits a stream of octet-counted frames; the bytes of an incomplete last frame are left in `remainder`.
    public static func frames(_ stream: [UInt8]) -> (frames: [[UInt8]], remainder: [UInt8])? {
        var frames: [[UInt8]] = []
        var index = 0
        while index < stream.count {
            guard let space = stream[index...].firstIndex(of: 0x20) else { return (frames, Array(stream[index...])) }
            let digits = stream[index..<space]
            guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ (0x30...0x39).contains($0) }), digits.first != 0x30,
                let length = Int(String(decoding: digits, as: UTF8.self))
            else { return nil }
            let start = space + 1
            guard start + length <= stream.count else { return (frames, Array(stream[index...])) }
            frames.append(Array(stream[start..<(start + length)]))
            index = start + length
        }
        return (frames, [])
    }
}
