import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartFormats
import RampartStore

/// The tenant's audit log for its administrators: paged JSON and a JSON-lines export.
struct AuditRoutes {
    let services: Services
    let management: ManagementRoutes
    static let pageSize = 100

    init(services: Services) {
        self.services = services
        management = ManagementRoutes(services: services)
    }

    func register(on router: Router<AppRequestContext>) {
        let manage = router.group("manage/v1")
        manage.get("audit") { request, _ in
            let scope = try await management.scope(request, requiring: .manageDirectory)
            let query = request.uri.queryParameters
            let limit =
                try query.get("limit").map { text -> Int in
                    guard let value = Int(text), (1...1000).contains(value) else {
                        throw RampartError.invalidInput(code: "InvalidInput", message: "limit must be between 1 and 1000.")
                    }
                    return value
                } ?? Self.pageSize
            let before = try query.get("before").map { text -> Int64 in
                guard let value = Int64(text), value > 0 else {
                    throw RampartError.invalidInput(code: "InvalidInput", message: "before must be a positive position.")
                }
                return value
            }
            func time(_ key: String) throws -> Timestamp? {
                try query.get(key).map { text in
                    guard let value = Timestamp(iso8601: String(text)) else {
                        throw RampartError.invalidInput(
                            code: "InvalidInput", message: "\(key) must be an ISO 8601 date-time, e.g. 2026-01-31T00:00:00Z.")
                    }
                    return value
                }
            }
            let records = try await AuditRepository(db: services.database).entries(
                scope, actor: query.get("actor"), action: query.get("action"), since: try time("since"),
                until: try time("until"), before: before, limit: limit)
            var members: [(String, JSONValue)] = [("value", .array(records.map(Self.json)))]
            if records.count == limit, let last = records.last {
                var next = "\(services.configuration.resolvedPublicURL)/manage/v1/audit?before=\(last.position)&limit=\(limit)"
                for key in ["actor", "action", "since", "until"] {
                    if let value = query.get(key),
                        let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)
                    {
                        next += "&\(key)=\(encoded)"
                    }
                }
                members.append(("@odata.nextLink", .string(next)))
            }
            return JSONResponse.make(.object(members))
        }
        manage.get("audit/export") { request, _ in
            let scope = try await management.scope(request, requiring: .manageDirectory)
            let repository = AuditRepository(db: services.database)
            var records: [AuditRecord] = []
            var before: Int64?
            while true {
                let page = try await repository.entries(scope, before: before, limit: 1000)
                records += page
                guard page.count == 1000, let last = page.last else { break }
                before = last.position
            }
            // Oldest first, so the chain can be checked line by line.
            let ordered = records.reversed().map { Self.json($0).serialized() + "\n" }.joined()
            var response = JSONResponse.text(ordered, contentType: "application/x-ndjson; charset=utf-8")
            response.headers[.contentDisposition] = "attachment; filename=\"audit-\(scope.tenantID).jsonl\""
            return response
        }
    }

    static func json(_ record: AuditRecord) -> JSONValue {
        .object([
            ("position", .int(record.position)),
            ("time", .string(record.entry.time.description)),
            ("actor", .string(record.entry.actor)),
            ("actorTenantId", .string(record.entry.actorTenantID.description)),
            ("action", .string(record.entry.action)),
            ("target", .string(record.entry.target)),
            ("details", .string(record.entry.details)),
            ("requestId", .string(record.entry.requestID)),
            ("previousHash", .string(record.previousHash)),
            ("hash", .string(record.hash)),
        ])
    }
}
