import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RampartFormats

/// A real TCP syslog receiver on loopback for the connector tests: it accepts connections, reads octet-counted
/// frames, and keeps every message. It can be stopped and started again on the same port.
final class SyslogReceiver: Sendable {
    let messages = NIOLockedValueBox<[String]>([])
    let channel = NIOLockedValueBox<(any Channel)?>(nil)
    let port: Int

    init(port: Int = 0) async throws {
        let bound = try await Self.bind(port: port, into: messages)
        self.port = bound.localAddress?.port ?? port
        channel.withLockedValue { $0 = bound }
    }

    static func bind(port: Int, into messages: NIOLockedValueBox<[String]>) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FrameCollector(messages: messages))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
    }

    func stop() async throws {
        let current = channel.withLockedValue { value -> (any Channel)? in
            defer { value = nil }
            return value
        }
        try await current?.close()
    }

    func start() async throws {
        let bound = try await Self.bind(port: port, into: messages)
        channel.withLockedValue { $0 = bound }
    }

    var received: [String] { messages.withLockedValue { $0 } }

    /// The messages once there are at least `count` (the sender's close can come before the last read here), or
    /// after two seconds whatever arrived.
    func received(atLeast count: Int) async throws -> [String] {
        for _ in 0..<200 {
            let now = received
            if now.count >= count { return now }
            try await Task.sleep(for: .milliseconds(10))
        }
        return received
    }
}

/// Splits one connection's bytes into octet-counted frames.
final class FrameCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let messages: NIOLockedValueBox<[String]>
    let pending = NIOLockedValueBox<[UInt8]>([])

    init(messages: NIOLockedValueBox<[String]>) { self.messages = messages }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        let stream = pending.withLockedValue { $0 + bytes }
        guard let split = SyslogFormat.frames(stream) else {
            context.close(promise: nil)
            return
        }
        pending.withLockedValue { $0 = split.remainder }
        messages.withLockedValue { $0 += split.frames.map { String(decoding: $0, as: UTF8.self) } }
    }
}
