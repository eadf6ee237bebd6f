import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartIdentity
import RampartStore

/// The customer's administration of delegated access: packages, every request, and assignments to revoke.
struct PortalPackageRoutes: PortalFeature {
    let portal: PortalRoutes
    var entitlements: EntitlementService { services.entitlements }

    func register(on router: Router<AppRequestContext>) {
        router.get("/settings/access") { request, _ in try await page(request, error: nil) }
        router.post("/settings/access/packages") { request, _ in try await create(request) }
        router.post("/settings/access/packages/:id/delete") { request, context in try await delete(request, context) }
        router.post("/settings/access/assignments/:id/revoke") { request, context in try await revoke(request, context) }
    }

    func signedIn(_ request: Request) async throws -> PortalRoutes.PortalSession? {
        guard let session = try await portal.session(request) else { return nil }
        try session.scope.require(.manageEntitlements)
        return session
    }

    func page(_ request: Request, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let language = session.language
        let scope = session.scope
        let groupNames = Dictionary(
            uniqueKeysWithValues: try await services.directory.groups(in: scope).map { ($0.0.id, $0.0.name) })
        let tenantNames = Dictionary(
            uniqueKeysWithValues: try await services.directory.allTenants().map { ($0.id, $0.domain) })
        let base = services.configuration.resolvedPublicURL
        let packages = try await entitlements.packages(in: scope)
        let packageRows: [[String: Any]] = packages.map { package in
            [
                "id": package.id.description, "name": package.name, "description": package.description,
                "groups": package.groupIDs.compactMap { groupNames[$0] }.sorted().joined(separator: ", "),
                "requestors": package.requestorTenantIDs.compactMap { tenantNames[$0] }.sorted().joined(separator: ", "),
                "approvers": package.approverGroupID.flatMap { groupNames[$0] }
                    ?? renderer.text("packages_admins", language),
                "expiryDays": package.expiryDays,
                "review": package.reviewIntervalDays.map(String.init) ?? "—", "link": base + package.requestPath,
                "csrf": session.csrf, "tid": session.tenant.id.description,
            ]
        }
        let names = Dictionary(uniqueKeysWithValues: packages.map { ($0.id, $0) })
        let now = services.clock.now()
        let assignmentRows: [[String: Any]] = try await entitlements.assignments(in: scope).map { item in
            let state = item.state(at: now)
            let review = names[item.packageID].flatMap { item.reviewDue($0) }
            return [
                "id": item.id.description, "package": names[item.packageID]?.name ?? "", "user": item.homeUserName,
                "state": renderer.text("state_\(state.rawValue)", language), "active": state == .active,
                "granted": session.time(item.grantedAt), "expires": session.time(item.expiresAt),
                "review": session.time(review), "csrf": session.csrf,
                "tid": session.tenant.id.description,
            ]
        }
        let requestRows: [[String: Any]] = try await entitlements.requests(in: scope).map { item in
            [
                "package": names[item.packageID]?.name ?? "", "requester": item.requesterName,
                "status": renderer.text("status_\(item.status.rawValue)", language),
                "created": session.time(item.createdAt),
                "decidedBy": item.decidedBy ?? "", "reason": item.decisionReason ?? "",
            ]
        }
        let context = session.layout([
            "packages": packageRows, "hasPackages": !packageRows.isEmpty, "assignments": assignmentRows,
            "hasAssignments": !assignmentRows.isEmpty, "requests": requestRows, "hasRequests": !requestRows.isEmpty,
            "csrf": session.csrf, "error": error ?? false,
        ])
        return PortalResponse.html(
            renderer.render("packages", context, language: language, back: "/settings/access"), status: status)
    }

    func create(_ request: Request) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let form = try await portal.checkedForm(request, session)
        func list(_ key: String) -> [String] {
            (form[key] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let input = AccessPackageInput(
            name: form["name"] ?? "", description: form["description"], groups: list("groups"),
            requestorOrganizations: list("organizations"), approverGroup: form["approverGroup"],
            requiresJustification: form["requiresJustification"] != nil,
            expiryDays: form["expiryDays"].flatMap { Int($0) }, reviewIntervalDays: form["reviewIntervalDays"].flatMap { Int($0) }
        )
        do {
            _ = try await entitlements.savePackage(in: session.scope, input)
        } catch let error as RampartError {
            return try await page(request, error: ErrorMappingMiddleware.describe(error).2, status: .badRequest)
        }
        return PortalResponse.redirect("/settings/access?tid=\(session.tenant.id)")
    }

    func delete(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        _ = try await portal.checkedForm(request, session)
        let text = try context.parameters.require("id")
        guard let id = ObjectID(text) else { throw RampartError.notFound("Access package \(text) was not found.") }
        do {
            try await entitlements.deletePackage(in: session.scope, id: id)
        } catch let error as RampartError {
            if case .conflict = error {
                return try await page(request, error: ErrorMappingMiddleware.describe(error).2, status: .conflict)
            }
            throw error
        }
        return PortalResponse.redirect("/settings/access?tid=\(session.tenant.id)")
    }

    func revoke(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        _ = try await portal.checkedForm(request, session)
        let text = try context.parameters.require("id")
        guard let id = ObjectID(text) else { throw RampartError.notFound("Access assignment \(text) was not found.") }
        _ = try await entitlements.revoke(in: session.scope, assignmentID: id)
        return PortalResponse.redirect("/settings/access?tid=\(session.tenant.id)")
    }
}
