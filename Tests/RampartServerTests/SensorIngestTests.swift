import CZlib
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartIdentity
import RampartServer
import Testing

/// The real sensor samples beside the repository (our machines and CI, not a user's clone).
enum SensorSamples {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fixtures/sensors")
    static let available = FileManager.default.fileExists(atPath: directory.path)
}

/// `POST /ingest/v1/{format}` with the real sensor samples.
@Suite(.enabled(if: SensorSamples.available, "../shared/fixtures/sensors is absent (it sits beside the repository)"))
struct SensorIngestTests {
    static let directory = SensorSamples.directory

    func post(
        _ client: some TestClientProtocol, _ path: String, token: String, body: [UInt8], encoding: String? = nil
    ) async throws -> (HTTPResponse.Status, [String: Any]) {
        var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        if let encoding { headers[.contentEncoding] = encoding }
        let response = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body))
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]) ?? [:]
        return (response.status, object)
    }

    /// zlib's deflate with a gzip header, as shippers send it.
    func gzip(_ input: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        _ = deflateInit2_(
            &stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 32)
        var source = input
        source.withUnsafeMutableBufferPointer { sourceBuffer in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = sourceBuffer.baseAddress
                stream.avail_in = UInt32(sourceBuffer.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                _ = deflate(&stream, Z_FINISH)
            }
        }
        let produced = Int(stream.total_out)
        deflateEnd(&stream)
        return Array(output[..<produced])
    }

    @Test func sensorFilesIngestWithCountsAndDevices() async throws {
        let world = try await TestWorld()
        try await world.application().test(.router) { client in
            let token = try await client.token(world.contoso)
            let eve = Array(try Data(contentsOf: Self.directory.appendingPathComponent("suricata/selks-psexec-eve-pretty.json")))
            let (status, body) = try await post(client, "/ingest/v1/suricata", token: token, body: gzip(eve), encoding: "gzip")
            #expect(status == .ok)
            #expect(body["accepted"] as? Int == 6 && body["ignored"] as? Int == 94 && body["rejected"] as? Int == 0)
            let results = body["results"] as? [[String: Any]] ?? []
            #expect(
                results.first?["status"] as? String == "ignored"
                    && results.first?["reason"] as? String == "event_type 'smb' is not an alert")

            // Five detections of one signature on one device while its alert is open are one alert (§5.4).
            #expect(Set(results.compactMap { $0["alertId"] as? String }).count == 2)
            // Sent again: the same detections update the same two alerts, nothing new.
            let (_, again) = try await post(client, "/ingest/v1/suricata", token: token, body: eve)
            let repeated = again["results"] as? [[String: Any]] ?? []
            #expect(repeated.filter { $0["status"] as? String == "updated" }.count == 6)
            #expect(Set(repeated.compactMap { $0["alertId"] as? String }) == Set(results.compactMap { $0["alertId"] as? String }))
            let (_, listed) = try await client.json(
                "/api/alerts?$filter=title%20eq%20%27ET%20POLICY%20PsExec%20service%20created%27", token: token)
            let alerts = listed["value"] as? [[String: Any]] ?? []
            #expect(alerts.count == 1)
            #expect(alerts.first?["firstEventTime"] as? String == "2022-05-04T15:50:50.234815Z")
            #expect(alerts.first?["lastEventTime"] as? String == "2022-05-04T15:51:26.052278Z")
            #expect(Set(alerts.compactMap { $0["detectorId"] as? String }) == ["suricata:1:2010781:3"])
            #expect(Set(alerts.compactMap { $0["computerDnsName"] as? String }) == ["10.136.0.64"])

            let falco = Array(try Data(contentsOf: Self.directory.appendingPathComponent("falco/events.json")))
            let (_, plain) = try await post(client, "/ingest/v1/falco", token: token, body: falco)
            #expect(plain["accepted"] as? Int == 7 && plain["rejected"] as? Int == 7)
            let (_, named) = try await post(client, "/ingest/v1/falco?host=node-7", token: token, body: falco)
            #expect(named["accepted"] as? Int == 14 && named["rejected"] as? Int == 0)

            _ = try await world.services.admin.grant(
                in: DirectoryService.hostScope(world.contoso.tenant.id), clientID: world.contoso.clientID,
                permissions: ["Alert.Read.All", "Alert.Ingest", "Machine.Read.All"])
            let (_, machines) = try await client.json("/api/machines", token: try await client.token(world.contoso))
            let names = Set((machines["value"] as? [[String: Any]] ?? []).compactMap { $0["computerDnsName"] as? String })
            #expect(names.isSuperset(of: ["10.136.0.64", "falco-xczjd", "node-7", "my-pool-1-node-921b61"]))

            let (unknown, error) = try await post(client, "/ingest/v1/snort", token: token, body: Array("[]".utf8))
            #expect(unknown == .notFound && (error["error"] as? [String: Any])?["message"] as? String != nil)
            let (broken, _) = try await post(
                client, "/ingest/v1/wazuh", token: token, body: [0x1F, 0x8B, 1, 2, 3], encoding: "gzip")
            #expect(broken == .badRequest)
        }
    }
}
