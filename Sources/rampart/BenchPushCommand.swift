import ArgumentParser
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import RampartCore
import RampartDelivery
import RampartFormats
import RampartIdentity
import RampartServer
import RampartStore

extension BenchCommand {
    /// Push throughput: N alerts in a fresh tenant, one connector to a local receiver in the same process that
    /// counts what it takes (octet-counted syslog frames over TCP, or HEC envelopes with optional acknowledgement),
    /// and the delivery service's passes timed until the receiver has them all.
    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure events/s pushed by a connector to a local syslog (TCP) or Splunk HEC receiver.")
        @OptionGroup var storage: StorageOptions
        @Option(help: "Alerts to push.") var alerts: Int = 100_000
        @Option(help: "cef, leef, json or ocsf.") var format: String = "cef"
        @Option(help: "syslog or hec.") var transport: String = "syslog"
        @Flag(help: "HEC: indexer acknowledgement (the receiver acknowledges each batch at once).") var ack = false

        func run() async throws {
            guard alerts > 0 else { throw ValidationError("alerts must be positive") }
            guard ["syslog", "hec"].contains(transport) else { throw ValidationError("transport must be syslog or hec") }
            let counter = FrameCounter()
            let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { [transport] channel in
                    channel.eventLoop.makeCompletedFuture {
                        if transport == "hec" {
                            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                            try channel.pipeline.syncOperations.addHandler(HECCounter(counter: counter))
                        } else {
                            try channel.pipeline.syncOperations.addHandler(counter)
                        }
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            let port = server.localAddress?.port ?? 0
            try await withServices(storage) { services in
                let run = UUID().uuidString.prefix(8).lowercased()
                let created = try await services.admin.createTenant(
                    name: "Push bench", domain: "push-\(run).example", kind: .customer)
                let scope = DirectoryService.hostScope(created.tenant.id)
                _ = try await services.connectorManagement.create(
                    in: scope,
                    transport == "hec"
                        ? ConnectorInput(
                            name: "bench", transport: "hec", url: "http://127.0.0.1:\(port)", token: "bench-token",
                            useAck: ack, format: format)
                        : ConnectorInput(name: "bench", host: "127.0.0.1", port: port, tls: false, format: format))
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
                    "{\"transport\": \"\(transport)\", \"ack\": \(ack), \"format\": \"\(format)\", \"events\": \(alerts), \"seconds\": \(String(format: "%.2f", seconds)), "
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

/// A Splunk HTTP Event Collector stand-in: counts the newline-separated envelopes of each
/// `/services/collector/event` POST into the frame counter, answers with an ack id, and acknowledges every id asked
/// about on `/services/collector/ack`.
final class HECCounter: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let counter: FrameCounter
    // One per connection, used on its event loop only.
    var path = ""
    var body: [UInt8] = []
    var nextAck = 0

    init(counter: FrameCounter) { self.counter = counter }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            path = head.uri
            body.removeAll(keepingCapacity: true)
        case .body(var chunk):
            body += chunk.readBytes(length: chunk.readableBytes) ?? []
        case .end:
            let answer: String
            if path.hasPrefix("/services/collector/ack") {
                let ids = (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: [Int]])?["acks"] ?? []
                answer = "{\"acks\":{" + ids.map { "\"\($0)\":true" }.joined(separator: ",") + "}}"
            } else {
                counter.bytes.withLockedValue { $0 += body.count }
                counter.frames.withLockedValue { $0 += body.count { $0 == 0x0A } }
                nextAck += 1
                answer = "{\"text\":\"Success\",\"code\":0,\"ackId\":\(nextAck)}"
            }
            var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(answer.utf8.count)")])
            headers.add(name: "Connection", value: "keep-alive")
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
