import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartFormats
import RampartIdentity
import RampartStore

/// `POST /ingest/v1/{format}`: sensors send batches in the native format (`alerts`, docs/INGEST.md) or in their own
/// (`suricata`, `wazuh`, `falco`, `ocsf`, `defender`; docs/SENSORS.md), as a JSON array, JSON lines or objects one
/// after another, gzip-compressed or not.
struct IngestRoutes {
    let services: Services

    func register(on router: Router<AppRequestContext>) {
        router.post("/ingest/v1/:format") { request, context in try await ingest(request, context) }
    }

    func ingest(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let scope = try await services.authenticator.scope(authorization: request.headers[.authorization]) { resource in
            if case .defender = resource { return true }
            return false
        }
        try scope.require(.ingestAlerts)
        let limit = services.configuration.maximumIngestBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw RampartError.payloadTooLarge(limit: limit)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw RampartError.payloadTooLarge(limit: limit)
        }
        let name = try context.parameters.require("format")
        guard let format = SensorFormat(rawValue: name) else {
            throw RampartError.notFound(
                "Unknown ingest format \(name); use one of \(SensorFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        var options = SensorFormat.Options()
        if let host = QueryString.items(request).first(where: { $0.name == "host" })?.value {
            guard !host.isEmpty, host.utf8.count <= 255 else {
                throw RampartError.invalidInput(code: "InvalidInput", message: "host must be 1 to 255 characters.")
            }
            options.defaultHostname = host
        }
        let bytes = Array(buffer.readableBytesView)
        let gzip = request.headers[.contentEncoding]?.lowercased() == "gzip" || Gzip.isCompressed(bytes)
        // Reading and mapping a large batch is tens of milliseconds of CPU: done where it yields to the writer.
        let batch = try await BackgroundWork.run { [options] in
            try SensorBatch(bytes, gzip: gzip, limit: limit, format: format, options: options)
        }
        let outcomes = try await services.alerts.ingest(batch.accepted.map(\.submission), scope: scope, now: .now())
        // Written beside the writer, like the mapping: this thread is free for the next batch's transaction at once.
        let response = try await BackgroundWork.run { JSONResponse.make(Self.answer(batch, outcomes)) }
        if scope.isForeign {
            try await AuditRepository(db: services.database).append(
                .make(
                    scope, action: "alerts.ingest", target: "/ingest/v1/\(format.rawValue)",
                    details: "accepted=\(batch.accepted.count) rejected=\(batch.rejected) ignored=\(batch.ignored)"))
        }
        context.logger.info(
            "ingested alerts",
            metadata: [
                "tenant": "\(scope.tenantID)", "format": "\(format.rawValue)", "accepted": "\(batch.accepted.count)",
                "rejected": "\(batch.rejected)", "ignored": "\(batch.ignored)",
            ])
        return response
    }

    /// The answer to a batch: counts, and each record's result in the order sent.
    static func answer(_ batch: SensorBatch, _ outcomes: [IngestOutcome]) -> JSONValue {
        var results = batch.results
        for (position, outcome) in outcomes.enumerated() {
            let (index, submission) = batch.accepted[position]
            let (status, alertID) =
                switch outcome {
                case .created(let id): ("created", id)
                case .updated(let id): ("updated", id)
                }
            results[index] = .object([
                ("index", .int(Int64(index))), ("sourceId", .string(submission.sourceID)), ("status", .string(status)),
                ("alertId", .string(alertID)),
            ])
        }
        return .object([
            ("accepted", .int(Int64(batch.accepted.count))), ("rejected", .int(Int64(batch.rejected))),
            ("ignored", .int(Int64(batch.ignored))), ("results", .array(results)),
        ])
    }
}
