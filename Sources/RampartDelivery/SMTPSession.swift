import Foundation
import NIOCore
import NIOSSL
import RampartCore

/// The dialogue of one connection (RFC 5321): greeting, EHLO, STARTTLS, AUTH, then mail transactions.
struct SMTPSession {
    var replies: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let configuration: SMTPConfiguration
    private(set) var extensions: [String] = []

    init(
        replies: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        configuration: SMTPConfiguration
    ) {
        self.replies = replies
        self.outbound = outbound
        self.configuration = configuration
    }

    /// Greeting, EHLO, STARTTLS when configured, and AUTH when there are credentials.
    mutating func open(channel: any Channel, tls: NIOSSLContext) async throws {
        try expect(try await next(), 220, "greeting")
        try await hello()
        let offered = extensions.contains { $0.uppercased() == "STARTTLS" }
        switch configuration.security {
        case .startTLS where !offered:
            throw SMTPError(.tls, "the server does not offer STARTTLS, which the configuration requires")
        case .startTLS where offered, .startTLSIfOffered where offered:
            try expect(try await command("STARTTLS"), 220, "STARTTLS")
            let serverName = ClientTLS.serverName(configuration.host)
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(
                    try NIOSSLClientHandler(context: tls, serverHostname: serverName), position: .first)
            }.get()
            // RFC 3207: forget what was learned before TLS and ask again.
            try await hello()
        default: break
        }
        if let username = configuration.username { try await authenticate(username, configuration.password ?? "") }
    }

    mutating func hello() async throws {
        let reply = try await command("EHLO \(configuration.heloName)")
        try expect(reply, 250, "EHLO")
        extensions = Array(reply.lines.dropFirst())
    }

    mutating func authenticate(_ username: String, _ password: String) async throws {
        let offered = Set(
            extensions.filter { $0.uppercased().hasPrefix("AUTH") }.flatMap { $0.uppercased().split(separator: " ").dropFirst() }
                .map(String.init))
        let mechanism: SMTPConfiguration.AuthMechanism
        if let forced = configuration.forcedMechanism {
            mechanism = forced
        } else if offered.contains("PLAIN") {
            mechanism = .plain
        } else if offered.contains("LOGIN") {
            mechanism = .login
        } else {
            throw SMTPError(.authentication, "the server offers no AUTH PLAIN or LOGIN (offered: \(offered.sorted()))")
        }
        let final: SMTPReply
        switch mechanism {
        case .plain:
            let token = Data("\u{0}\(username)\u{0}\(password)".utf8).base64EncodedString()
            final = try await command("AUTH PLAIN \(token)")
        case .login:
            let first = try await command("AUTH LOGIN")
            guard first.code == 334 else { throw SMTPError(.authentication, "AUTH LOGIN refused", reply: first) }
            let second = try await command(Data(username.utf8).base64EncodedString())
            guard second.code == 334 else { throw SMTPError(.authentication, "user name refused", reply: second) }
            final = try await command(Data(password.utf8).base64EncodedString())
        }
        guard final.code == 235 else {
            throw SMTPError(.authentication, "authentication failed: \(final.code)", reply: final)
        }
    }

    /// MAIL, RCPT for each recipient, DATA: the reply to the message's end, or a `.rejected` error.
    mutating func transaction(_ message: SMTPEnvelope) async throws -> SMTPReply {
        try expect(try await command("MAIL FROM:<\(message.from)>"), 250, "MAIL FROM")
        var accepted = 0
        var refusal: SMTPReply?
        for recipient in message.recipients {
            let reply = try await command("RCPT TO:<\(recipient)>")
            if reply.code == 250 || reply.code == 251 { accepted += 1 } else { refusal = reply }
        }
        guard accepted > 0 else {
            throw SMTPError(.rejected, "no recipient accepted", reply: refusal)
        }
        try expect(try await command("DATA"), 354, "DATA")
        var buffer = ByteBuffer()
        buffer.writeString(Self.dotStuffed(message.data))
        buffer.writeString(".\r\n")
        try await outbound.write(buffer)
        let reply = try await next()
        try expect(reply, 250, "end of data")
        return reply
    }

    mutating func reset() async throws {
        _ = try await command("RSET")
    }

    mutating func quit() async throws {
        _ = try await command("QUIT")
    }

    mutating func command(_ line: String) async throws -> SMTPReply {
        var buffer = ByteBuffer()
        buffer.writeString(line)
        buffer.writeString("\r\n")
        try await outbound.write(buffer)
        return try await next()
    }

    mutating func next() async throws -> SMTPReply {
        guard let reply = try await replies.next() else {
            throw SMTPError(.connection, "the server closed the connection")
        }
        return reply
    }

    func expect(_ reply: SMTPReply, _ code: Int, _ step: String) throws {
        guard reply.code == code else {
            throw SMTPError(.rejected, "\(step): \(reply.description.prefix(200))", reply: reply)
        }
    }

    /// CRLF line ends throughout, a leading dot doubled (RFC 5321 §4.5.2), and a final CRLF.
    static func dotStuffed(_ text: String) -> String {
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n") + "\r\n"
    }

    static func wrap(_ error: any Error) -> SMTPError {
        if let error = error as? SMTPError { return error }
        if error is NIOSSLError || error is BoringSSLError { return SMTPError(.tls, "\(error)") }
        return SMTPError(.connection, "\(error)")
    }
}
