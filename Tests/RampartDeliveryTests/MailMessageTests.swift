import Foundation
import PropertyBased
import RampartCore
import Testing

@testable import RampartDelivery

/// MIME rendering: headers that cannot be injected, RFC 2047 words that decode back to the text, bodies in base64.
@Suite struct MailMessageTests {
    static let pieces = [
        "a", "Z", " ", "  ", "é", "Оповещение", "высокой", "серьёзности", "\r\n", "\n", "Bcc: x@y.example", "=?", "?=",
        "😀", "\t", "\u{0}", "<b>", "&", "\"", "группа устройств", String(repeating: "x", count: 90),
    ]

    /// Decodes the `=?UTF-8?B?…?=` words of a header value as a mail reader would.
    static func decodeHeader(_ value: String) -> String {
        let unfolded = value.replacingOccurrences(of: "\r\n ", with: " ")
        let words = unfolded.split(separator: " ", omittingEmptySubsequences: false)
        guard words.allSatisfy({ $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") }) else { return unfolded }
        var bytes = Data()
        for word in words {
            bytes.append(Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))!)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func header(_ name: String, in rendered: String) -> String? {
        let head = rendered.components(separatedBy: "\r\n\r\n")[0]
        var lines: [String] = []
        for line in head.components(separatedBy: "\r\n") {
            if line.hasPrefix(" "), !lines.isEmpty { lines[lines.count - 1] += "\r\n" + line } else { lines.append(line) }
        }
        return lines.first { $0.hasPrefix("\(name): ") }.map { String($0.dropFirst(name.count + 2)) }
    }

    func message(subject: String, text: String = "body") -> MailMessage {
        MailMessage(
            from: EmailAddress("alerts@rampart.example")!, fromName: "Rampart «SOC»", to: EmailAddress("soc@mssp.example")!,
            subject: subject, messageID: "0a1b@rampart.example", date: Timestamp(iso8601: "2026-11-29T06:53:13Z")!,
            text: text, html: "<p>\(text)</p>")
    }

    @Test func anySubjectRoundTripsAndNeverAddsAHeader() async {
        await propertyCheck(count: 2_000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            var state = UInt64(seed) &+ 1
            var subject = ""
            for _ in 0..<Int(state % 12) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                subject += Self.pieces[Int((state >> 33) % UInt64(Self.pieces.count))]
            }
            let rendered = message(subject: subject).rendered()
            let head = rendered.components(separatedBy: "\r\n\r\n")[0]
            // Every header line is a known header or a folded continuation: nothing from the subject starts a line.
            for line in head.components(separatedBy: "\r\n") where !line.hasPrefix(" ") {
                let name = line.prefix { $0 != ":" }
                #expect(
                    ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"].contains(String(name)),
                    "\(line.debugDescription) from \(subject.debugDescription)")
            }
            #expect(head.unicodeScalars.allSatisfy { $0.isASCII }, "headers are 7-bit")
            let decoded = Self.decodeHeader(Self.header("Subject", in: rendered) ?? "")
            #expect(decoded == MIMEHeader.clean(subject), "\(subject.debugDescription)")
            for line in rendered.components(separatedBy: "\r\n") {
                #expect(line.utf8.count <= 998, "RFC 5322 line limit")
            }
        }
    }

    @Test func cyrillicSubjectIsEncodedInWordsOfAtMost75Characters() {
        let subject = "[Контосо] Оповещение высокой серьёзности: подозрительный процесс PowerShell на сервере"
        let rendered = message(subject: subject).rendered()
        let value = Self.header("Subject", in: rendered)!
        for word in value.replacingOccurrences(of: "\r\n ", with: " ").split(separator: " ") {
            #expect(word.count <= 75)
        }
        #expect(Self.decodeHeader(value) == subject)
        #expect(Self.header("From", in: rendered)!.hasSuffix("<alerts@rampart.example>"))
        #expect(Self.header("Date", in: rendered) == "Sun, 29 Nov 2026 06:53:13 +0000")
        #expect(Self.header("Message-ID", in: rendered) == "<0a1b@rampart.example>")
    }

    @Test func bodiesAreBase64UTF8AndTheRenderingIsStable() throws {
        let text = "Устройство: srv-01\n<script>"
        let first = message(subject: "s", text: text).rendered()
        #expect(first == message(subject: "s", text: text).rendered(), "same message, same bytes (retries)")
        let boundary = try #require(
            Self.header("Content-Type", in: first)?.components(separatedBy: "boundary=\"").last?.dropLast())
        let sections = first.components(separatedBy: "--\(boundary)")
        #expect(sections.count == 4, "preamble, two parts, closing")
        let plain = sections[1].components(separatedBy: "\r\n\r\n")[1].replacingOccurrences(of: "\r\n", with: "")
        #expect(String(decoding: Data(base64Encoded: plain)!, as: UTF8.self) == text)
        #expect(sections[3].hasPrefix("--"))
    }

    @Test func dotStuffingDoublesLeadingDotsAndEndsWithCRLF() {
        #expect(SMTPSession.dotStuffed("a\n.b\r\n..c\n.") == "a\r\n..b\r\n...c\r\n..\r\n")
        #expect(SMTPSession.dotStuffed("x\r\n") == "x\r\n")
    }
}
