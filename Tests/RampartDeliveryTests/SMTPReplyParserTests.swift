import PropertyBased
import Testing

@testable import RampartDelivery

@Suite struct SMTPReplyParserTests {
    @Test func multiLineRepliesAreJoined() throws {
        var parser = SMTPReplyParser()
        #expect(try parser.feed("250-mail.example greets you") == nil)
        #expect(try parser.feed("250-STARTTLS") == nil)
        #expect(
            try parser.feed("250 AUTH PLAIN LOGIN")
                == SMTPReply(code: 250, lines: ["mail.example greets you", "STARTTLS", "AUTH PLAIN LOGIN"]))
        #expect(try parser.feed("354") == SMTPReply(code: 354, lines: [""]))
        #expect(throws: SMTPReplyParser.Failure.self) {
            _ = try parser.feed("250-a")
            _ = try parser.feed("251 b")
        }
    }

    @Test func replyClassesDecideRetries() {
        #expect(SMTPReply(code: 421, lines: []).isTransient)
        #expect(SMTPReply(code: 550, lines: []).isPermanent)
        #expect(SMTPError(.rejected, "x", reply: SMTPReply(code: 550, lines: [])).isPermanent)
        #expect(!SMTPError(.authentication, "x", reply: SMTPReply(code: 535, lines: [])).isPermanent)
        #expect(!SMTPError(.connection, "x").isPermanent)
    }

    /// Any line a server might send is a reply, a continuation or an error: never a crash, never a wrong code.
    @Test func arbitraryLinesNeverCrashTheParser() async {
        let alphabet: [Character] = ["2", "5", "0", "4", "-", " ", "a", "\r", "9", "1", "é"]
        await propertyCheck(count: 5_000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            var state = UInt64(seed) &+ 7
            var parser = SMTPReplyParser()
            for _ in 0..<6 {
                var line = ""
                for _ in 0..<Int(state % 9) {
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    line.append(alphabet[Int((state >> 33) % UInt64(alphabet.count))])
                }
                if let reply = try? parser.feed(line) {
                    #expect((200...599).contains(reply.code))
                    #expect(line.hasPrefix(String(reply.code)))
                }
            }
        }
    }

    @Test func configurationParsesSchemesAndNeverShowsThePassword() throws {
        let c = try SMTPConfiguration.parse(
            url: "smtp+starttls://user:p%40ss@mail.example:2587?ca=/etc/ca.pem&timeout=5&auth=login",
            mailFrom: "alerts@rampart.example")
        #expect(c.security == .startTLS && c.port == 2587 && c.password == "p@ss" && c.caFile == "/etc/ca.pem")
        #expect(c.forcedMechanism == .login && c.timeoutSeconds == 5)
        #expect(!c.description.contains("p@ss") && !c.description.contains("p%40ss"))
        #expect(try SMTPConfiguration.parse(url: "smtps://mail.example", mailFrom: "a@b.example").port == 465)
        #expect(throws: ConfigurationProblem.self) {
            try SMTPConfiguration.parse(url: "smtp://user:pw@mail.example", mailFrom: "a@b.example")
        }
        #expect(throws: ConfigurationProblem.self) { try SMTPConfiguration.parse(url: "http://x", mailFrom: "a@b.example") }
        #expect(throws: ConfigurationProblem.self) { try SMTPConfiguration.parse(url: "smtp://x.example", mailFrom: "nope") }
    }
}
