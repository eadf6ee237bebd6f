import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import RampartCore

/// One message to hand to the relay: the envelope and the complete RFC 5322 text (CRLF line ends).
public struct SMTPEnvelope: Sendable {
    public var from: EmailAddress
    public var recipients: [EmailAddress]
    public var data: String

    public init(from: EmailAddress, recipients: [EmailAddress], data: String) {
        self.from = from
        self.recipients = recipients
        self.data = data
    }
}

/// An SMTP client on SwiftNIO: plain, STARTTLS (required or when offered) or implicit TLS, certificate checks
/// against the system's or a given CA, AUTH PLAIN and LOGIN, a timeout on every reply, and several messages per
/// connection. It never logs the password or a message body.
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration
    let logger: Logger

    public init(configuration: SMTPConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Sends `messages` over one connection, in order; each gets the server's final reply or why it failed. A
    /// failure of the connection fails every message not yet accepted.
    public func send(_ messages: [SMTPEnvelope]) async -> [Result<SMTPReply, SMTPError>] {
        guard !messages.isEmpty else { return [] }
        do {
            let tls = try ClientTLS.context(caFile: configuration.caFile)
            let channel = try await connect(tls: configuration.security == .implicitTLS ? tls : nil)
            return try await channel.executeThenClose { inbound, outbound in
                var session = SMTPSession(
                    replies: inbound.makeAsyncIterator(), outbound: outbound, configuration: configuration)
                var results: [Result<SMTPReply, SMTPError>] = []
                do {
                    try await session.open(channel: channel.channel, tls: tls)
                    for message in messages {
                        do {
                            results.append(.success(try await session.transaction(message)))
                        } catch let error as SMTPError where error.kind == .rejected {
                            results.append(.failure(error))
                            try await session.reset()
                        }
                    }
                    try? await session.quit()
                } catch {
                    let failure = SMTPSession.wrap(error)
                    logger.warning("SMTP session failed", metadata: ["relay": "\(configuration)", "error": "\(failure)"])
                    while results.count < messages.count { results.append(.failure(failure)) }
                }
                return results
            }
        } catch {
            let failure = SMTPSession.wrap(error)
            logger.warning("SMTP connection failed", metadata: ["relay": "\(configuration)", "error": "\(failure)"])
            return messages.map { _ in .failure(failure) }
        }
    }

    func connect(tls: NIOSSLContext?) async throws -> NIOAsyncChannel<SMTPReply, ByteBuffer> {
        let timeout = TimeAmount.seconds(configuration.timeoutSeconds)
        let host = configuration.host
        let serverName = ClientTLS.serverName(host)
        return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .connect(host: host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handlers = channel.pipeline.syncOperations
                    if let tls { try handlers.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName)) }
                    try handlers.addHandler(IdleStateHandler(readTimeout: timeout))
                    try handlers.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                    try handlers.addHandler(ReplyTimeoutHandler(seconds: configuration.timeoutSeconds))
                    return try NIOAsyncChannel<SMTPReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }
}

/// Turns "no reply for a while" into an error on the reply stream, then closes the connection.
final class ReplyTimeoutHandler: ChannelInboundHandler {
    typealias InboundIn = SMTPReply
    typealias InboundOut = SMTPReply
    let seconds: Int64

    init(seconds: Int64) { self.seconds = seconds }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.fireErrorCaught(SMTPError(.timeout, "no reply within \(seconds) s"))
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
