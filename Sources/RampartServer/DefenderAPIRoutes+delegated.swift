import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartFormats
import RampartIdentity
import RampartQuery
import RampartStore

/// `GET /api/mssp/alerts`: one alert list across every tenant the caller works in (an MSSP user's assignments, an
/// MSSP app's authorizations), each alert carrying its `aadTenantId`. Writes stay per tenant: a PATCH needs a token
/// of the alert's tenant, so no write ever lands in a default tenant.
extension DefenderAPIRoutes {
    func listDelegatedAlerts(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let caller = try await scope(request)
        let scopes = try await services.delegatedScopes.scopes(for: caller).map(\.1).filter { $0.allows(.readAlerts) }
        guard !scopes.isEmpty else { throw RampartError.forbidden("The caller can read alerts in no tenant.") }
        let options = try odata(request, defaultTop: Self.maximumTop)
        let query = try collection(options)
        let expand = options.expand.contains("evidence")
        let (page, nextLink) = try await self.page(request, options, query) { top, skip in
            try await services.alerts.list(
                across: scopes,
                AlertListQuery(
                    filter: query.condition, orderBy: query.orderColumns, top: top, skip: skip, expandEvidence: expand))
        }
        let total = options.count ? try await services.alerts.count(across: scopes, filter: query.filter) : nil
        try await auditForeignReads(
            scopes, tenants: page.map(\.tenantID), action: "alerts.list", target: request.uri.description)
        return JSONResponse.make(
            DefenderAlertJSON.list(page, includeEvidence: expand, nextLink: nextLink, count: total, select: query.select))
    }

    /// Each customer's log records what a principal of another tenant read there: one entry per tenant that
    /// contributed rows (`tenants` holds each returned row's tenant).
    func auditForeignReads(_ scopes: [AccessScope], tenants: [TenantID], action: String, target: String) async throws {
        let counts = Dictionary(tenants.map { ($0, 1) }, uniquingKeysWith: +)
        for scope in scopes where scope.isForeign {
            guard let count = counts[scope.tenantID] else { continue }
            try await auditForeign(
                scope, action: action, target: target, details: "returned=\(count) across=\(scopes.count)")
        }
    }
}
