import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import RampartCore
import RampartFormats
import RampartStore

/// The body of one change for the HTTP transports: structured formats as JSON, CEF and LEEF as strings.
enum ConnectorJSON {
    static func payload(_ change: AlertChange, format: Connector.Format, portalURL: String) -> JSONValue {
        switch format {
        case .json: DefenderAlertJSON.alert(change.alert, includeEvidence: true)
        case .ocsf: OCSFDetectionFinding.event(change.alert, kind: change.event.kind, portalURL: portalURL)
        case .cef: .string(CEFFormat.event(change.alert, kind: change.event.kind, portalURL: portalURL))
        case .leef: .string(LEEFFormat.event(change.alert, kind: change.event.kind, portalURL: portalURL))
        }
    }

    /// The change's stable id: receivers drop a change they saw before by it.
    static func eventID(_ change: AlertChange) -> String { "\(change.event.position.tx).\(change.event.position.seq)" }
}

/// Posts a batch as one signed JSON document. Headers: `X-Rampart-Timestamp` (Unix seconds) and
/// `X-Rampart-Signature: v1=<hex HMAC-SHA256(key, "<timestamp>.<body>")>`; a receiver recomputes the signature over
/// the raw body and refuses timestamps more than five minutes away (replays). See docs/WEBHOOKS.md.
struct WebhookSender {
    let target: Connector.WebhookTarget
    let key: String

    static func signature(key: String, timestamp: Int64, body: [UInt8]) -> String {
        var message = Array("\(timestamp).".utf8)
        message += body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(key.utf8)))
        return "v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    func send(_ changes: [AlertChange], format: Connector.Format, portalURL: String, now: Timestamp) async throws {
        guard !changes.isEmpty else { return }
        let body = JSONValue.object([
            ("deliveryId", .string("\(ConnectorJSON.eventID(changes[0]))-\(ConnectorJSON.eventID(changes[changes.count - 1]))")),
            (
                "events",
                .array(
                    changes.map { change in
                        .object([
                            ("id", .string(ConnectorJSON.eventID(change))),
                            ("tenantId", .string(change.alert.tenantID.description)), ("kind", .string(change.event.kind)),
                            ("occurredAt", .string(change.event.occurredAt.description)),
                            ("payload", ConnectorJSON.payload(change, format: format, portalURL: portalURL)),
                        ])
                    })
            ),
        ]).serializedBytes()
        let timestamp = now.unixSeconds
        try await HTTPPost.send(
            url: target.url, caFile: target.caFile, body: body,
            headers: [
                ("Content-Type", "application/json"), ("X-Rampart-Timestamp", String(timestamp)),
                ("X-Rampart-Signature", Self.signature(key: key, timestamp: timestamp, body: body)),
            ])
    }
}

/// Splunk HEC: envelopes back to back in one request to `/services/collector/event` with `Authorization: Splunk
/// <token>`. With indexer acknowledgement the batch counts as taken only when `/services/collector/ack` confirms
/// its ackId on the request's channel.
struct HECSender {
    let target: Connector.HECTarget
    let token: String
    let hostname: String
    let ackTimeout: Duration

    func send(_ changes: [AlertChange], format: Connector.Format, portalURL: String) async throws {
        guard !changes.isEmpty else { return }
        var body: [UInt8] = []
        for change in changes {
            var envelope: [(String, JSONValue)] = [
                (
                    "time",
                    .double(Double(change.event.occurredAt.ticks) / Double(Timestamp.ticksPerSecond))
                ),
                ("host", .string(hostname)), ("source", .string("rampart")),
                ("sourcetype", .string(target.sourcetype ?? "rampart:alert:\(format.rawValue)")),
            ]
            if let index = target.index { envelope.append(("index", .string(index))) }
            envelope.append(
                (
                    "fields",
                    .object([
                        ("tenant", .string(change.alert.tenantID.description)), ("kind", .string(change.event.kind)),
                        ("event_id", .string(ConnectorJSON.eventID(change))),
                    ])
                ))
            envelope.append(("event", ConnectorJSON.payload(change, format: format, portalURL: portalURL)))
            JSONValue.object(envelope).write(into: &body)
            body.append(0x0A)
        }
        let base = target.url.hasSuffix("/") ? String(target.url.dropLast()) : target.url
        let channel = UUID().uuidString
        var headers = [("Authorization", "Splunk \(token)"), ("Content-Type", "application/json")]
        if target.useAck { headers.append(("X-Splunk-Request-Channel", channel)) }
        let answer = try await HTTPPost.send(
            url: base + "/services/collector/event", caFile: target.caFile, body: body, headers: headers)
        guard target.useAck else { return }
        guard let object = try? JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any],
            let ackID = (object["ackId"] as? NSNumber)?.int64Value
        else { throw HTTPPost.Failure("the collector answered without an ackId although acknowledgement is on") }
        let deadline = ContinuousClock.now + ackTimeout
        while ContinuousClock.now < deadline {
            let reply = try await HTTPPost.send(
                url: base + "/services/collector/ack?channel=\(channel)", caFile: target.caFile,
                body: Array(#"{"acks":[\#(ackID)]}"#.utf8), headers: headers)
            if let acks = (try? JSONSerialization.jsonObject(with: Data(reply)) as? [String: Any])?["acks"] as? [String: Any],
                acks[String(ackID)] as? Bool == true
            {
                return
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw HTTPPost.Failure("the collector did not acknowledge ackId \(ackID) in time")
    }
}

/// One POST with its own client (each connector may trust its own CA); a non-2xx answer is a failure.
enum HTTPPost {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @discardableResult
    static func send(url: String, caFile: String?, body: [UInt8], headers: [(String, String)]) async throws -> [UInt8] {
        var configuration = HTTPClient.Configuration(tlsConfiguration: try ClientTLS.configuration(caFile: caFile))
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(30))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await client.execute(request, timeout: .seconds(30))
            let answer = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
            try await client.shutdown()
            guard (200..<300).contains(Int(response.status.code)) else {
                throw Failure(
                    "the receiver answered \(response.status.code) \(String(decoding: answer.prefix(200), as: UTF8.self))")
            }
            return answer
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
