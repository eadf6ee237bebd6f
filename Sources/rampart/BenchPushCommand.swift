import ArgumentParser
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RampartCore
import RampartDelivery
import RampartFormats
import RampartIdentity
import RampartServer
import RampartStore

extension BenchCommand {
    /// Push throughput: N alerts in a fresh tenant, one syslog connector to a local TCP receiver that counts the
    /// octet-counted frames it reads, and the delivery service's passes timed until the receiver has them all.
    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure events/s pushed by a syslog connector to a local TCP receiver.")
        @OptionGroup var storage: StorageOptions
        @Option(help: "Alerts to push.") var alerts: Int = 100_000
        @Option(help: "cef, leef, json or ocsf.") var format: String = "cef"

        func run() async throws {
            guard alerts > 0 else { throw ValidationError("alerts must be positive") }
            let counter = FrameCounter()
            let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(counter) }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            try await withServices(storage) { services in
                let run = UUID().uuidString.prefix(8).lowercased()
                let created = try await services.admin.createTenant(
                    name: "Push bench", domain: "push-\(run).example", kind: .customer)
                let scope = DirectoryService.hostScope(created.tenant.id)
                _ = try await services.connectorManagement.create(
                    in: scope,
                    ConnectorInput(
                        name: "bench", host: "127.0.0.1", port: server.localAddress?.port ?? 0, tls: false, format: format))
                var stored = 0
                var batch = 0
                while stored < alerts {
                    let count = min(1000, alerts - stored)
                    _ = try await services.alerts.ingest(
                        (0..<count).map { BenchCommand.Seed.submission("push-\(run)-\(batch)-\($0)", host: $0 % 50) },
                        scope: scope, now: .now())
                    stored += count
                    batch += 1
                }
                let delivery = services.connectorDelivery
                let start = ContinuousClock.now
                while counter.frames.withLockedValue({ $0 }) < alerts {
                    if try await !delivery.pass() { try await Task.sleep(for: .milliseconds(5)) }
                    if ContinuousClock.now - start > .seconds(600) { throw ValidationError("not done in 10 minutes") }
                }
                let elapsed = ContinuousClock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                Console.line(
                    "{\"format\": \"\(format)\", \"events\": \(alerts), \"seconds\": \(String(format: "%.2f", seconds)), "
                        + "\"eventsPerSecond\": \(Int(Double(alerts) / seconds)), \"bytes\": \(counter.bytes.withLockedValue { $0 })}"
                )
            }
            try await server.close()
        }
    }
}

/// Counts octet-counted frames (and bytes) across connections without keeping them.
final class FrameCounter: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let frames = NIOLockedValueBox(0)
    let bytes = NIOLockedValueBox(0)
    let pending = NIOLockedValueBox<[UInt8]>([])

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let chunk = buffer.readBytes(length: buffer.readableBytes) ?? []
        bytes.withLockedValue { $0 += chunk.count }
        let stream = pending.withLockedValue { $0 + chunk }
        guard let split = SyslogFormat.frames(stream) else { return context.close(promise: nil) }
        pending.withLockedValue { $0 = split.remainder }
        frames.withLockedValue { $0 += split.frames.count }
    }
}
