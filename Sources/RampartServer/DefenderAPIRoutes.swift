import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartFormats
import RampartIdentity
import RampartQuery
import RampartStore

/// The Defender for Endpoint API (`/api/...`): tokens for Defender's resource, Defender's shapes and errors.
struct DefenderAPIRoutes {
    let services: Services
    static let maximumTop = 10_000

    func register(on router: Router<AppRequestContext>) {
        let api = router.group("api")
        api.get("openapi.yaml") { _, _ in
            JSONResponse.text(
                try OpenAPIDocument.text(OpenAPIDocument.alertsAPI), contentType: "application/yaml; charset=utf-8")
        }
        api.get("alerts") { request, context in try await listAlerts(request, context) }
        api.get("alerts/$count") { request, context in try await countAlerts(request, context) }
        api.get("alerts/:id") { request, context in try await getAlert(request, context) }
        api.patch("alerts/:id") { request, context in try await updateAlert(request, context) }
        api.post("alerts/batchUpdate") { request, context in try await batchUpdate(request, context) }
        api.get("alerts/:id/machine") { request, context in try await alertMachine(request, context) }
        api.get("alerts/:id/user") { request, context in
            try await related(request, context, requiring: .readUserProfiles) { alert in
                guard let user = DefenderRelatedJSON.user(alert) else {
                    throw RampartError.notFound("Alert \(alert.id) has no related user.")
                }
                return user
            }
        }
        api.get("alerts/:id/files") { request, context in
            try await related(request, context, requiring: .readFileProfiles, DefenderRelatedJSON.files)
        }
        api.get("alerts/:id/ips") { request, context in
            try await related(request, context, requiring: .readIPProfiles, DefenderRelatedJSON.ips)
        }
        api.get("alerts/:id/domains") { request, context in
            try await related(request, context, requiring: .readURLProfiles, DefenderRelatedJSON.domains)
        }
        api.get("mssp/alerts") { request, context in try await listDelegatedAlerts(request, context) }
        api.get("machines") { request, context in try await listMachines(request, context) }
        api.get("machines/$count") { request, context in try await countMachines(request, context) }
        api.get("machines/:id") { request, context in try await getMachine(request, context) }
        api.get("machines/:id/alerts") { request, context in try await machineAlerts(request, context) }
        api.get("machines/:id/alerts/$count") { request, context in try await countMachineAlerts(request, context) }
        api.post("machines/:id/tags") { request, context in try await tagMachine(request, context) }
        registerIncidents(on: api)
    }

    /// The caller's scope for the Defender API; tokens for other resources are refused.
    func scope(_ request: Request, bucket: RateLimitBucket = .api) async throws -> AccessScope {
        let scope = try await services.authenticator.scope(authorization: request.headers[.authorization]) { resource in
            if case .defender = resource { return true }
            return false
        }
        try await services.throttle(scope, bucket)
        return scope
    }

    func listAlerts(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await alertList(request, machine: nil)
    }

    /// The alert collection, or the alerts of one machine (`/api/machines/{id}/alerts`).
    func alertList(_ request: Request, machine: String?, scope resolved: AccessScope? = nil) async throws -> Response {
        let scope: AccessScope
        if let resolved { scope = resolved } else { scope = try await self.scope(request) }
        try scope.require(.readAlerts)
        let options = try odata(request, defaultTop: Self.maximumTop)
        let query = try collection(options)
        let expand = options.expand.contains("evidence")
        let onMachine: SQL? = machine.map(AlertRepository.onMachine)
        let (page, nextLink) = try await self.page(request, options, query) { top, skip in
            try await services.alerts.list(
                scope,
                AlertListQuery(
                    filter: Self.all([query.condition, onMachine]), orderBy: query.orderColumns, top: top, skip: skip,
                    expandEvidence: expand))
        }
        let total = options.count ? try await services.alerts.count(scope, filter: Self.all([query.filter, onMachine])) : nil
        try await auditForeign(scope, action: "alerts.list", target: request.uri.description, details: "returned=\(page.count)")
        return JSONResponse.make(
            DefenderAlertJSON.list(page, includeEvidence: expand, nextLink: nextLink, count: total, select: query.select))
    }

    /// The conditions that are present, all of them.
    static func all(_ conditions: [SQL?]) -> SQL? {
        let present = conditions.compactMap { $0 }
        guard !present.isEmpty else { return nil }
        return SQL.joined(present.map { "(\($0))" }, separator: " AND ")
    }

    /// `GET /api/alerts/$count`: the number of alerts the filter matches, as plain text.
    func countAlerts(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await alertCount(request, machine: nil)
    }

    func alertCount(_ request: Request, machine: String?, scope resolved: AccessScope? = nil) async throws -> Response {
        let scope: AccessScope
        if let resolved { scope = resolved } else { scope = try await self.scope(request) }
        try scope.require(.readAlerts)
        let query = try collection(try odata(request, defaultTop: Self.maximumTop))
        let onMachine: SQL? = machine.map(AlertRepository.onMachine)
        let total = try await services.alerts.count(scope, filter: Self.all([query.filter, onMachine]))
        try await auditForeign(scope, action: "alerts.count", target: request.uri.description, details: "count=\(total)")
        return JSONResponse.text(String(total), contentType: "text/plain; charset=utf-8")
    }

    func collection(_ options: ODataOptions) throws -> CollectionQuery<Alert> {
        try collection(options, schema: AlertQuerySchema.defender, selectable: DefenderAlertJSON.propertyNames)
    }

    /// `code` is the error code of a bad query: Defender's `ODataError`, Graph's `BadRequest`.
    func collection<Row>(
        _ options: ODataOptions, schema: QuerySchema<Row>, selectable: [String], code: String = "ODataError"
    ) throws -> CollectionQuery<Row> {
        do {
            return try CollectionQuery(options, schema: schema, selectable: selectable)
        } catch {
            throw RampartError.invalidInput(code: code, message: error.description)
        }
    }

    func getAlert(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let scope = try await scope(request)
        try scope.require(.readAlerts)
        let id = try context.parameters.require("id")
        let options = try odata(request, defaultTop: 1)
        let expand = options.expand.contains("evidence")
        let alert = try await services.alerts.get(scope, id: id, expandEvidence: expand)
        try await auditForeign(scope, action: "alert.read", target: id, details: alert == nil ? "not found" : "")
        guard let alert else { throw RampartError.notFound("Alert \(id) was not found.") }
        return JSONResponse.make(DefenderAlertJSON.alert(alert, includeEvidence: expand))
    }

    func updateAlert(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let scope = try await scope(request)
        try scope.require(.writeAlerts)
        let id = try context.parameters.require("id")
        let update = try DefenderAlertUpdateBody.update(Data(try await request.body.collect(upTo: 64 * 1024).readableBytesView))
        let outcome = try await services.alerts.update(
            scope, ids: [id], update, now: .now(), audit: foreignWrite(scope, action: "alert.update", target: id, update))
        guard case .updated = outcome, let alert = try await services.alerts.get(scope, id: id, expandEvidence: false) else {
            throw RampartError.notFound("Alert \(id) was not found.")
        }
        return JSONResponse.make(DefenderAlertJSON.alert(alert, includeEvidence: false))
    }

    /// `POST /api/alerts/batchUpdate`: every alert or none; 200 with an empty body, as Defender answers.
    func batchUpdate(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let scope = try await scope(request, bucket: .batchUpdate)
        try scope.require(.writeAlerts)
        let (ids, update) = try DefenderAlertUpdateBody.batch(
            Data(try await request.body.collect(upTo: 1 << 20).readableBytesView))
        let outcome = try await services.alerts.update(
            scope, ids: ids, update, now: .now(),
            audit: foreignWrite(scope, action: "alerts.batchUpdate", target: "\(ids.count) alerts", update))
        if case .notFound(let id) = outcome { throw RampartError.notFound("Alert \(id) was not found.") }
        return Response(status: .ok)
    }

    /// An entity related to a visible alert, drawn from the alert; each kind has its own permission, as in Defender.
    func related(
        _ request: Request, _ context: AppRequestContext, requiring capability: Capability,
        _ shape: (Alert) throws -> JSONValue
    ) async throws -> Response {
        let scope = try await scope(request)
        try scope.require(capability)
        let id = try context.parameters.require("id")
        let alert = try await services.alerts.get(scope, id: id, expandEvidence: true, requiring: capability)
        try await auditForeign(scope, action: "alert.related", target: request.uri.path, details: alert == nil ? "not found" : "")
        guard let alert else { throw RampartError.notFound("Alert \(id) was not found.") }
        return JSONResponse.make(try shape(alert))
    }

    /// Writes by a guest or another tenant's app go to the tenant's audit log with the change.
    func foreignWrite(_ scope: AccessScope, action: String, target: String, _ update: AlertUpdate) -> AuditEntry? {
        guard scope.isForeign else { return nil }
        let details = [
            update.status.map { "status=\($0.rawValue)" }, update.classification.map { "classification=\($0.rawValue)" },
            update.determination.map { "determination=\($0.rawValue)" },
            update.assignedTo.map { "assignedTo=\($0 ?? "null")" }, update.comment.map { _ in "comment" },
        ].compactMap { $0 }.joined(separator: " ")
        return .make(scope, action: action, target: target, details: details)
    }

    /// Every read by a guest or another tenant's app is recorded in the tenant's audit log.
    func auditForeign(_ scope: AccessScope, action: String, target: String, details: String) async throws {
        guard scope.isForeign else { return }
        try await AuditRepository(db: services.database).append(.make(scope, action: action, target: target, details: details))
    }

    func odata(
        _ request: Request, defaultTop: Int, maximumTop: Int = Self.maximumTop, expandable: Set<String> = ["evidence"],
        code: String = "ODataError"
    ) throws -> ODataOptions {
        do {
            return try ODataOptions.parse(
                QueryString.items(request), defaultTop: defaultTop, maximumTop: maximumTop, expandable: expandable)
        } catch {
            throw RampartError.invalidInput(code: code, message: error.description)
        }
    }

    /// One page of a collection: asks `fetch` for one row more than `$top` (a next page exists when it comes back)
    /// and links the next page after the last row kept. `$skip` applies only to a first page.
    func page<Row>(
        _ request: Request, _ options: ODataOptions, _ query: CollectionQuery<Row>,
        fetch: (_ top: Int, _ skip: Int) async throws -> [Row]
    ) async throws -> (rows: [Row], nextLink: String?) {
        var rows = try await fetch(options.top + 1, options.skipToken == nil ? options.skip : 0)
        guard rows.count > options.top else { return (rows, nil) }
        rows.removeLast()
        return (rows, rows.last.map { link(request, skipToken: query.continuation(after: $0)) })
    }

    /// The same request, continued after the last row: every option but the paging ones is carried over.
    func link(_ request: Request, skipToken: String) -> String {
        var components = URLComponents()
        components.queryItems =
            QueryString.items(request).filter { item in
                !["$skip", "$skiptoken"].contains(item.name.lowercased())
            }.map { URLQueryItem(name: $0.name, value: $0.value) }
            + [URLQueryItem(name: "$skiptoken", value: skipToken)]
        // A literal '+' would read back as a space: time offsets in a filter must survive the round trip.
        let query = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        return services.configuration.resolvedPublicURL + request.uri.path + "?" + query
    }
}
