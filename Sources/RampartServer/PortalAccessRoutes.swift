import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartIdentity
import RampartStore

/// "My access": the tenant picker, packages to request, the user's requests and assignments, and approvers' queue.
struct PortalAccessRoutes: PortalFeature {
    let portal: PortalRoutes
    var entitlements: EntitlementService { services.entitlements }

    func register(on router: Router<AppRequestContext>) {
        router.get("/access") { request, _ in try await overview(request) }
        router.get("/access/tenants") { request, _ in try await tenants(request) }
        router.get("/access/request/:id") { request, context in try await requestPage(request, context, error: nil) }
        router.post("/access/request/:id") { request, context in try await submitRequest(request, context) }
        router.get("/access/approvals") { request, _ in try await approvals(request, error: nil) }
        router.post("/access/approvals/:id") { request, context in try await decide(request, context) }
    }

    func tenants(_ request: Request) async throws -> Response {
        guard let session = try await portal.session(request, inHomeTenant: true) else {
            return PortalResponse.redirect("/signin")
        }
        // The picker itself works even when the remembered tenant is no longer open to the user.
        let current = PortalCookies.value(named: PortalCookies.tenant, in: request) ?? session.user.tenantID.description
        let rows: [[String: Any]] = try await entitlements.tenants(for: session.user).map { tenant, expires in
            [
                "id": tenant.id.description, "name": tenant.name, "domain": tenant.domain,
                "expires": session.time(expires),
                "current": tenant.id.description == current,
            ]
        }
        return PortalResponse.html(
            renderer.render(
                "tenants", session.layout(["tenants": rows]), language: session.language, back: "/access/tenants"))
    }

    func overview(_ request: Request) async throws -> Response {
        guard let session = try await portal.session(request, inHomeTenant: true) else {
            return PortalResponse.redirect("/signin")
        }
        let language = session.language
        let home = session.user
        let tenantNames = try await tenantNames()
        let offered: [[String: Any]] = try await entitlements.requestable(by: home).map { package, tenant in
            [
                "name": package.name, "description": package.description, "tenant": tenant.name, "path": package.requestPath,
                "expiryDays": package.expiryDays,
            ]
        }
        let ownRequests = try await entitlements.requests(of: home)
        let ownAssignments = try await entitlements.assignments(of: home)
        let packageNames = try await packageNames(ownRequests.map(\.packageID) + ownAssignments.map(\.packageID))
        let requests: [[String: Any]] = ownRequests.map { item in
            [
                "id": item.id.description, "package": packageNames[item.packageID] ?? item.packageID.description,
                "tenant": tenantNames[item.tenantID] ?? "", "status": renderer.text("status_\(item.status.rawValue)", language),
                "statusClass": item.status.rawValue, "created": session.time(item.createdAt),
                "decidedBy": item.decidedBy ?? "",
                "reason": item.decisionReason ?? "",
            ]
        }
        let now = services.clock.now()
        let assignments: [[String: Any]] = ownAssignments.map { item in
            let state = item.state(at: now)
            return [
                "package": packageNames[item.packageID] ?? item.packageID.description,
                "tenant": tenantNames[item.tenantID] ?? "", "tenantID": item.tenantID.description,
                "state": renderer.text("state_\(state.rawValue)", language), "stateClass": state.rawValue,
                "active": state == .active, "expires": session.time(item.expiresAt),
                "granted": session.time(item.grantedAt),
            ]
        }
        let notices: [[String: Any]] = try await entitlements.notices(of: home).map { notice in
            [
                "time": session.time(notice.at),
                "text": renderer.text(
                    "notice_\(notice.kind.rawValue)", language,
                    replacing: [
                        "package": notice.packageName, "tenant": tenantNames[notice.tenantID] ?? "", "subject": notice.subject,
                    ]),
            ]
        }
        var queues: [[String: Any]] = []
        for (tenant, scope) in try await services.delegatedScopes.scopes(forHome: home) {
            let count = try await entitlements.approvals(in: scope).count
            if count > 0 {
                queues.append(["tenant": tenant.name, "tenantID": tenant.id.description, "count": session.format.number(count)])
            }
        }
        let context = session.layout([
            "offered": offered, "hasOffered": !offered.isEmpty, "requests": requests, "hasRequests": !requests.isEmpty,
            "assignments": assignments, "hasAssignments": !assignments.isEmpty, "notices": notices,
            "hasNotices": !notices.isEmpty, "queues": queues,
            "requested": request.uri.queryParameters.get("requested") != nil,
        ])
        return PortalResponse.html(renderer.render("access", context, language: language, back: "/access"))
    }

    func tenantNames() async throws -> [TenantID: String] {
        Dictionary(uniqueKeysWithValues: try await services.directory.allTenants().map { ($0.id, $0.name) })
    }

    /// Names of the packages a user's own requests and assignments point at, in whichever tenant they are.
    func packageNames(_ ids: [ObjectID]) async throws -> [ObjectID: String] {
        Dictionary(
            uniqueKeysWithValues: try await EntitlementRepository(db: services.database).packages(ids: Set(ids)).map {
                ($0.id, $0.name)
            })
    }

    // MARK: Requesting

    func requestPage(
        _ request: Request, _ context: AppRequestContext, error: String?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let session = try await portal.session(request, inHomeTenant: true) else {
            return PortalResponse.redirect("/signin")
        }
        let language = session.language
        let text = try context.parameters.require("id")
        guard let id = ObjectID(text), let (package, tenant) = try await entitlements.requestablePackage(id: id, by: session.user)
        else { throw RampartError.notFound("Access package \(text) was not found.") }
        let page = session.layout([
            "package": [
                "name": package.name, "description": package.description, "tenant": tenant.name,
                "expiryDays": package.expiryDays, "requiresJustification": package.requiresJustification,
                "path": package.requestPath + "?tid=\(session.user.tenantID)",
            ],
            "csrf": session.csrf, "error": error ?? false,
        ])
        return PortalResponse.html(
            renderer.render("request", page, language: language, back: package.requestPath), status: status)
    }

    func submitRequest(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let session = try await portal.session(request, inHomeTenant: true) else {
            return PortalResponse.redirect("/signin")
        }
        let form = try await portal.checkedForm(request, session)
        let text = try context.parameters.require("id")
        guard let id = ObjectID(text) else { throw RampartError.notFound("Access package \(text) was not found.") }
        do {
            _ = try await entitlements.request(by: session.user, packageID: id, justification: form["justification"] ?? "")
        } catch let error as RampartError {
            if case .notFound = error { throw error }
            return try await requestPage(
                request, context, error: ErrorMappingMiddleware.describe(error).2, status: .badRequest)
        }
        return PortalResponse.redirect("/access?tid=\(session.user.tenantID)&requested=1")
    }

    // MARK: Approving

    func approvals(_ request: Request, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let session = try await portal.session(request) else { return PortalResponse.redirect("/signin") }
        let language = session.language
        let rows: [[String: Any]] = try await entitlements.approvals(in: session.scope).map { item, package in
            [
                "id": item.id.description, "package": package.name, "requester": item.requesterName,
                "justification": item.justification, "created": session.time(item.createdAt), "csrf": session.csrf,
                "tid": session.tenant.id.description,
            ]
        }
        let page = session.layout(["requests": rows, "hasRequests": !rows.isEmpty, "error": error ?? false])
        return PortalResponse.html(
            renderer.render("approvals", page, language: language, back: "/access/approvals"), status: status)
    }

    func decide(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let session = try await portal.session(request) else { return PortalResponse.redirect("/signin") }
        let form = try await portal.checkedForm(request, session)
        let text = try context.parameters.require("id")
        guard let id = ObjectID(text) else { throw RampartError.notFound("Access request \(text) was not found.") }
        do {
            _ = try await entitlements.decide(
                in: session.scope, requestID: id, approve: form["decision"] == "approve", reason: form["reason"] ?? "")
        } catch let error as RampartError {
            if case .invalidInput = error {
                return try await approvals(request, error: ErrorMappingMiddleware.describe(error).2, status: .badRequest)
            }
            throw error
        }
        return PortalResponse.redirect("/access/approvals?tid=\(session.tenant.id)")
    }
}
