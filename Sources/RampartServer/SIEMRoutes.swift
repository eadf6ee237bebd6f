import Foundation
import HTTPTypes
import Hummingbird
import RampartCore
import RampartFormats
import RampartIdentity
import RampartQuery
import RampartStore

/// The SIEM API (Defender §4.3) under `/siem`: connectors that take a base URL and append `/api/alerts`
/// themselves (Splunk's TA, ArcSight's FlexConnector) are given `https://<rampart>/siem`. Tokens are Defender's,
/// including the v1 endpoint's `resource=https://graph.windows.net`; permissions, rate limits and the audit of
/// foreign reads are the alerts API's.
struct SIEMRoutes {
    let services: Services
    let defender: DefenderAPIRoutes

    init(services: Services) {
        self.services = services
        defender = DefenderAPIRoutes(services: services)
    }

    func register(on router: Router<AppRequestContext>) {
        // Hummingbird matches `/siem/api/alerts/` (ArcSight's form) to the same route.
        router.get("/siem/api/alerts") { request, _ in try await detections(request) }
        router.get("/siem/v1/changes") { request, _ in try await changes(request) }
    }

    func detections(_ request: Request) async throws -> Response {
        let scope = try await defender.scope(request)
        try scope.require(.readAlerts)
        let query = try SIEMQuery.parse(QueryString.items(request).map { ($0.name, $0.value) }, now: services.clock.now())
        let ids = try await services.alerts.siemDetectionIDs(
            scope, since: query.since, until: query.until, limit: query.limit ?? SIEMQuery.maximumLimit,
            groups: query.machineGroups, tags: query.deviceTags, cloudTags: query.cloudTags)
        try await defender.auditForeign(
            scope, action: "siem.alerts", target: request.uri.path,
            details: "returned=\(ids.count) since=\(query.since) until=\(query.until)")
        // The parts go into the response buffer as they are: no joined copy of a 17 MB page.
        let parts = try await detectionParts(scope, ids: ids).filter { !$0.isEmpty }
        var body = ByteBuffer()
        body.reserveCapacity(parts.reduce(2) { $0 + $1.count + 1 })
        body.writeInteger(UInt8(ascii: "["))
        for (index, part) in parts.enumerated() {
            if index > 0 { body.writeInteger(UInt8(ascii: ",")) }
            body.writeBytes(part)
        }
        body.writeInteger(UInt8(ascii: "]"))
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
    }

    /// Reads and writes a page in parts at once: a full page is 10,000 detections, and reading one part from the
    /// database while another is written keeps both cores busy.
    func detectionParts(_ scope: AccessScope, ids: [String]) async throws -> [[UInt8]] {
        let alerts = services.alerts
        let portal = services.configuration.resolvedPublicURL
        let partSize = max(500, (ids.count + 3) / 4)
        let chunks = stride(from: 0, to: ids.count, by: partSize).map { Array(ids[$0..<min($0 + partSize, ids.count)]) }
        return try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for (index, chunk) in chunks.enumerated() {
                group.addTask {
                    let found = try await alerts.siemDetections(scope, ids: chunk)
                    return (index, SIEMDetectionJSON.members(found.alerts, devices: found.devices, portalURL: portal))
                }
            }
            var parts = [[UInt8]](repeating: [], count: chunks.count)
            for try await (index, part) in group { parts[index] = part }
            return parts
        }
    }

    /// The cursor API: changes in event-log order across every tenant the caller reads, each with its tenant.
    func changes(_ request: Request) async throws -> Response {
        let caller = try await defender.scope(request)
        let scopes = try await services.delegatedScopes.scopes(for: caller).map(\.1).filter { $0.allows(.readAlerts) }
        guard !scopes.isEmpty else { throw RampartError.forbidden("The caller can read alerts in no tenant.") }
        let items = QueryString.items(request)
        func value(_ name: String) -> String? { items.first { $0.name == name }?.value }
        var limit = 100
        if let text = value("limit") {
            guard let number = Int(text), (1...ChangeCursor.maximumLimit).contains(number) else {
                throw RampartError.invalidInput(
                    code: "InvalidInput", message: "limit must be between 1 and \(ChangeCursor.maximumLimit).")
            }
            limit = number
        }
        let retained = try await EventLogRetention(db: services.database).pruned()
        let position: EventLogPosition
        if let text = value("cursor") {
            position = try ChangeCursor.decode(text)
        } else {
            switch value("start") ?? "earliest" {
            case "earliest": position = retained
            case "latest": position = try await services.alerts.latestPosition()
            default: throw RampartError.invalidInput(code: "InvalidInput", message: "start must be earliest or latest.")
            }
        }
        let page = try await services.alerts.changes(across: scopes, after: position, limit: limit)
        try await defender.auditForeignReads(
            scopes, tenants: page.changes.map(\.alert.tenantID), action: "siem.changes", target: request.uri.path)
        return JSONResponse.make(
            .object([
                (
                    "value",
                    .array(
                        page.changes.map { change in
                            .object([
                                ("tenantId", .string(change.alert.tenantID.description)),
                                ("kind", .string(change.event.kind)),
                                ("occurredAt", .string(change.event.occurredAt.description)),
                                ("alert", DefenderAlertJSON.alert(change.alert, includeEvidence: true)),
                            ])
                        })
                ),
                ("cursor", .string(ChangeCursor.encode(page.next))),
                ("hasMore", .bool(page.hasMore)),
                ("retentionDays", .int(Int64(services.configuration.eventRetentionDays))),
            ]))
    }
}

/// The cursor API's opaque cursor: a version and a position in the event log, base64url-encoded.
enum ChangeCursor {
    static let maximumLimit = 1000

    static func encode(_ position: EventLogPosition) -> String {
        Data("1:\(position.tx):\(position.seq)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) throws(RampartError) -> EventLogPosition {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard text.count <= 64, let data = Data(base64Encoded: base64),
            case let parts = String(decoding: data, as: UTF8.self).split(separator: ":"), parts.count == 3, parts[0] == "1",
            let tx = Int64(parts[1]), let seq = Int64(parts[2]), tx >= 0, seq >= 0
        else {
            throw .invalidInput(code: "InvalidCursor", message: "The cursor is not one this API issued.")
        }
        return EventLogPosition(tx: tx, seq: seq)
    }
}
