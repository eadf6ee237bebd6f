import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import RampartCore
import RampartFormats

/// Sends syslog messages over TCP with octet-counting framing (RFC 6587 §3.4.1), in clear or over TLS (RFC 5425)
/// with the receiver's certificate verified against the system's or a given CA. A batch counts as taken when every
/// frame was written, flushed, and the connection closed in order; syslog has no acknowledgement beyond that.
public struct SyslogSender: Sendable {
    public let target: Connector.SyslogTarget
    let timeout: TimeAmount

    public init(target: Connector.SyslogTarget, timeoutSeconds: Int64 = 30) {
        self.target = target
        timeout = .seconds(timeoutSeconds)
    }

    public func send(_ messages: [String]) async throws {
        guard !messages.isEmpty else { return }
        if target.udp == true { return try await sendDatagrams(messages) }
        let tls =
            try target.tls
            ? ClientTLS.context(
                caFile: target.caFile, certificateFile: target.clientCertFile, keyFile: target.clientKeyFile)
            : nil
        let serverName = ClientTLS.serverName(target.host)
        let refusal = RefusalCatcher()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(refusal)
                }
            }
            .connect(host: target.host, port: target.port).get()
        do {
            // A write's future completes once its bytes reached the socket (after the TLS handshake, encrypted), so
            // the batch is not reported as sent while it still sits in a buffer.
            var buffer = channel.allocator.buffer(capacity: 1 << 16)
            for message in messages {
                buffer.writeBytes(SyslogFormat.octetCounted(message))
                if buffer.readableBytes > 1 << 16 {
                    try await channel.writeAndFlush(buffer).get()
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await channel.writeAndFlush(buffer).get() }
            // With TLS 1.3 a receiver checks the client's certificate after the client finished its handshake, so a
            // refusal (an alert, then a close) can arrive after our writes "succeeded". Give it a moment to arrive.
            if tls != nil { try await Task.sleep(for: .milliseconds(200)) }
            if let error = refusal.error.withLockedValue({ $0 }) { throw error }
            if !channel.isActive { throw SyslogRefused("the receiver closed the connection before taking the batch") }
            // Every byte is on the socket; how the peer takes the close does not change that.
            try? await channel.close().get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }

    /// RFC 5426: one message per datagram, no framing, no acknowledgement; the caller keeps each within the limit.
    func sendDatagrams(_ messages: [String]) async throws {
        let remote = try SocketAddress.makeAddressResolvingHost(target.host, port: target.port)
        let local = remote.protocol == .inet6 ? "::" : "0.0.0.0"
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: local, port: 0)
            .get()
        do {
            for message in messages {
                let envelope = AddressedEnvelope(remoteAddress: remote, data: channel.allocator.buffer(string: message))
                try await channel.writeAndFlush(envelope).get()
            }
            try? await channel.close().get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }
}

struct SyslogRefused: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Remembers the first error the connection reports (a TLS alert from the receiver); syslog receivers send nothing
/// else, so anything read is dropped.
final class RefusalCatcher: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let error = NIOLockedValueBox<(any Error)?>(nil)

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.error.withLockedValue { if $0 == nil { $0 = error } }
        context.close(promise: nil)
    }
}
