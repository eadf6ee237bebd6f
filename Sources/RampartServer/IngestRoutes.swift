import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartFormats
import RampartIdentity
import RampartStore

/// `POST /ingest/v1/alerts`: sensors send batches in the native format (docs/INGEST.md).
struct IngestRoutes {
    let services: Services

    func register(on router: Router<AppRequestContext>) {
        router.post("/ingest/v1/alerts") { request, context in try await ingest(request, context) }
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
        let records: [Any]
        do {
            records = try NativeAlertFormat.records(from: Data(buffer.readableBytesView))
        } catch {
            throw RampartError.invalidInput(code: "InvalidRequestBody", message: error.reason)
        }
        var results: [JSONValue] = Array(repeating: .null, count: records.count)
        var accepted: [(index: Int, submission: AlertSubmission)] = []
        for (index, record) in records.enumerated() {
            switch NativeAlertFormat.submission(from: record) {
            case .success(let submission):
                accepted.append((index, submission))
            case .failure(let rejection):
                let sourceID = (record as? [String: Any])?["sourceId"] as? String
                results[index] = .object([
                    ("index", .int(Int64(index))), ("sourceId", .string(sourceID)), ("status", .string("rejected")),
                    ("reason", .string(rejection.reason)),
                ])
            }
        }
        let outcomes = try await services.alerts.ingest(accepted.map(\.submission), scope: scope, now: .now())
        for (position, outcome) in outcomes.enumerated() {
            let (index, submission) = accepted[position]
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
        let body = JSONValue.object([
            ("accepted", .int(Int64(accepted.count))),
            ("rejected", .int(Int64(records.count - accepted.count))),
            ("results", .array(results)),
        ])
        if scope.isForeign {
            try await AuditRepository(db: services.database).append(
                .make(
                    scope, action: "alerts.ingest", target: "/ingest/v1/alerts",
                    details: "accepted=\(accepted.count) rejected=\(records.count - accepted.count)"))
        }
        context.logger.info(
            "ingested alerts",
            metadata: [
                "tenant": "\(scope.tenantID)", "accepted": "\(accepted.count)", "rejected": "\(records.count - accepted.count)",
            ])
        return JSONResponse.make(body)
    }
}
