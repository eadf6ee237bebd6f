import Foundation
import RampartCore

/// An email as RFC 5322 and MIME (RFC 2045–2047) want it: multipart/alternative with a plain-text and an HTML
/// part, both UTF-8 in base64, headers with non-ASCII text as encoded words. Header values have CR and LF removed
/// before they are written, so text from sensors cannot add a header.
public struct MailMessage: Sendable {
    public var from: EmailAddress
    public var fromName: String
    public var to: EmailAddress
    public var subject: String
    /// Without angle brackets: `id@host`.
    public var messageID: String
    public var date: Timestamp
    public var text: String
    public var html: String
    /// Extra headers such as `X-Rampart-Tenant`; names are fixed by the caller, values are cleaned like the rest.
    public var headers: [(String, String)]

    public init(
        from: EmailAddress, fromName: String, to: EmailAddress, subject: String, messageID: String, date: Timestamp,
        text: String, html: String, headers: [(String, String)] = []
    ) {
        self.from = from
        self.fromName = fromName
        self.to = to
        self.subject = subject
        self.messageID = messageID
        self.date = date
        self.text = text
        self.html = html
        self.headers = headers
    }

    /// The message text with CRLF line ends. The boundary is derived from the Message-ID, so the same message
    /// renders to the same bytes every time.
    public func rendered() -> String {
        rendered(
            boundary: "=_rampart_"
                + String(
                    UInt64(
                        truncatingIfNeeded: messageID.utf8.reduce(14_695_981_039_346_656_037) {
                            ($0 ^ UInt64($1)) &* 1_099_511_628_211
                        }), radix: 36))
    }

    func rendered(boundary: String) -> String {
        var lines: [String] = []
        func header(_ name: String, _ value: String) {
            lines.append(MIMEHeader.folded(name: name, value: value))
        }
        header("From", MIMEHeader.mailbox(name: fromName, address: from))
        header("To", to.value)
        header("Subject", MIMEHeader.encoded(subject))
        header("Date", MIMEHeader.date(date))
        header("Message-ID", "<\(MIMEHeader.clean(messageID))>")
        header("MIME-Version", "1.0")
        for (name, value) in headers { header(name, MIMEHeader.encoded(value)) }
        header("Content-Type", "multipart/alternative; boundary=\"\(boundary)\"")
        lines.append("")
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            lines.append("--\(boundary)")
            lines.append("Content-Type: \(type); charset=utf-8")
            lines.append("Content-Transfer-Encoding: base64")
            lines.append("")
            lines.append(contentsOf: MIMEHeader.base64Lines(Data(body.utf8)))
        }
        lines.append("--\(boundary)--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

/// Header encoding rules, kept apart so they can be tested on their own.
public enum MIMEHeader {
    /// CR, LF and other control characters become spaces: no header can be smuggled in through a value.
    public static func clean(_ value: String) -> String {
        String(value.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    }

    /// The value as is when it is printable ASCII, else as RFC 2047 `=?UTF-8?B?…?=` words of at most 75
    /// characters that never split a UTF-8 sequence.
    public static func encoded(_ value: String) -> String {
        let cleaned = clean(value)
        if cleaned.unicodeScalars.allSatisfy({ $0.isASCII }) && !cleaned.contains("=?") { return cleaned }
        // 75 - len("=?UTF-8?B?") - len("?=") = 63 base64 characters = 45 bytes at most per word.
        var words: [String] = []
        var chunk = Data()
        for character in cleaned {
            let bytes = Data(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=")
                chunk = Data()
            }
            chunk.append(bytes)
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=") }
        return words.joined(separator: " ")
    }

    /// `"Display Name" <address>` with the name encoded when needed and quoted when it is plain ASCII.
    public static func mailbox(name: String, address: EmailAddress) -> String {
        let cleaned = clean(name)
        guard !cleaned.isEmpty else { return address.value }
        let encodedName = encoded(cleaned)
        if encodedName == cleaned {
            return
                "\"\(cleaned.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\" <\(address)>"
        }
        return "\(encodedName) <\(address)>"
    }

    /// `Name: value`, folded at spaces so no line passes 78 characters where that is possible (RFC 5322 §2.2.3).
    static func folded(name: String, value: String) -> String {
        var result = ""
        var line = "\(name):"
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if line.count + 1 + word.count > 78 && line.count > name.count + 1 {
                result += line + "\r\n"
                line = " " + word
            } else {
                line += " " + word
            }
        }
        return result + line
    }

    /// RFC 5322 date: `Sun, 29 Nov 2026 06:53:13 +0000`.
    public static func date(_ time: Timestamp) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: time.date)
    }

    static func base64Lines(_ data: Data) -> [String] {
        let text = data.base64EncodedString()
        var lines: [String] = []
        var index = text.startIndex
        while index < text.endIndex {
            let end = text.index(index, offsetBy: 76, limitedBy: text.endIndex) ?? text.endIndex
            lines.append(String(text[index..<end]))
            index = end
        }
        return lines.isEmpty ? [""] : lines
    }
}
