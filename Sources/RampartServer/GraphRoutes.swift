import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartFormats
import RampartIdentity
import RampartQuery
import RampartStore

/// Microsoft Graph's security alerts (`/v1.0/security/alerts_v2`): tokens for Graph's audience with
/// `SecurityAlert.Read.All` / `SecurityAlert.ReadWrite.All`, Graph's shapes and OData.
struct GraphRoutes {
    let services: Services
    let defender: DefenderAPIRoutes
    static let maximumTop = 2_000

    init(services: Services) {
        self.services = services
        defender = DefenderAPIRoutes(services: services)
    }

    func register(on router: Router<AppRequestContext>) {
        let security = router.group("v1.0/security")
        security.get("alerts_v2") { request, _ in try await list(request) }
        security.get("alerts_v2/:id") { request, context in try await get(request, context) }
        security.patch("alerts_v2/:id") { request, context in try await update(request, context) }
        security.post("alerts_v2/:id/comments") { request, context in try await comment(request, context) }
    }

    func scope(_ request: Request) async throws -> AccessScope {
        let scope = try await services.authenticator.scope(authorization: request.headers[.authorization]) { resource in
            if case .graph = resource { return true }
            return false
        }
        try await services.throttle(scope, .graph)
        return scope
    }

    var portalURL: String { services.configuration.resolvedPublicURL }

    func list(_ request: Request) async throws -> Response {
        let scope = try await scope(request)
        try scope.require(.readAlerts)
        let options = try defender.odata(
            request, defaultTop: Self.maximumTop, maximumTop: Self.maximumTop, expandable: [], code: "BadRequest")
        let query = try defender.collection(options, schema: AlertQuerySchema.graph, selectable: [], code: "BadRequest")
        let (page, nextLink) = try await defender.page(request, options, query) { top, skip in
            try await services.alerts.list(
                scope,
                AlertListQuery(
                    filter: query.condition, orderBy: query.orderColumns, top: top, skip: skip, expandEvidence: true))
        }
        let total = options.count ? try await services.alerts.count(scope, filter: query.filter) : nil
        try await defender.auditForeign(
            scope, action: "graph.alerts.list", target: request.uri.description, details: "returned=\(page.count)")
        return JSONResponse.make(GraphAlertJSON.list(page, portalURL: portalURL, nextLink: nextLink, count: total))
    }

    func get(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let scope = try await scope(request)
        try scope.require(.readAlerts)
        let id = try context.parameters.require("id")
        let alert = try await services.alerts.get(scope, id: id, expandEvidence: true)
        try await defender.auditForeign(scope, action: "graph.alert.read", target: id, details: alert == nil ? "not found" : "")
        guard let alert else { throw RampartError.notFound("Alert \(id) was not found.") }
        return JSONResponse.make(GraphAlertJSON.alert(alert, portalURL: portalURL))
    }

    func update(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let scope = try await scope(request)
        try scope.require(.writeAlerts)
        let id = try context.parameters.require("id")
        let update = try DefenderAlertUpdateBody.graphUpdate(
            Data(try await request.body.collect(upTo: 64 * 1024).readableBytesView))
        let alert = try await apply(update, to: id, scope: scope, action: "graph.alert.update")
        return JSONResponse.make(GraphAlertJSON.alert(alert, portalURL: portalURL))
    }

    /// `POST …/comments`: answers with every comment of the alert, as Graph does.
    func comment(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let scope = try await scope(request)
        try scope.require(.writeAlerts)
        let id = try context.parameters.require("id")
        let update = try DefenderAlertUpdateBody.graphComment(
            Data(try await request.body.collect(upTo: 64 * 1024).readableBytesView))
        let alert = try await apply(update, to: id, scope: scope, action: "graph.alert.comment")
        return JSONResponse.make(GraphAlertJSON.comments(alert.comments))
    }

    func apply(_ update: AlertUpdate, to id: String, scope: AccessScope, action: String) async throws -> Alert {
        let outcome = try await services.alerts.update(
            scope, ids: [id], update, now: .now(), audit: defender.foreignWrite(scope, action: action, target: id, update))
        guard case .updated = outcome, let alert = try await services.alerts.get(scope, id: id, expandEvidence: true) else {
            throw RampartError.notFound("Alert \(id) was not found.")
        }
        return alert
    }
}
