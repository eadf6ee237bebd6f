import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartIdentity
import RampartStore

/// The customer's side of working with an MSSP in the portal: connected organizations (administrators) and the
/// MSSP's authorized apps, Defender's SIEM "MSSP" tab (holders of "Manage portal system settings").
struct PortalPartnerRoutes: PortalFeature {
    let portal: PortalRoutes

    func register(on router: Router<AppRequestContext>) {
        router.get("/settings/partners") { request, _ in try await page(request, error: nil) }
        router.post("/settings/partners/organizations") { request, _ in try await connect(request) }
        router.post("/settings/partners/organizations/:tenant/remove") { request, context in
            try await disconnect(request, context)
        }
        router.post("/settings/partners/apps") { request, _ in try await authorize(request) }
        router.post("/settings/partners/apps/:app/remove") { request, context in try await deauthorize(request, context) }
    }

    func signedIn(_ request: Request) async throws -> PortalRoutes.PortalSession? {
        guard let session = try await portal.session(request) else { return nil }
        guard session.scope.allows(.manageDirectory) || session.scope.allows(.managePortalSettings) else {
            throw RampartError.forbidden("The caller lacks the permission for this action.")
        }
        return session
    }

    func page(_ request: Request, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let language = session.language
        let scope = session.scope
        let tid = session.tenant.id.description
        var context: [String: Any] = ["csrf": session.csrf, "error": error ?? false]
        if scope.allows(.manageDirectory) {
            context["organizations"] = [
                "rows": try await services.connectedOrganizations.list(in: scope).map { tenant, added -> [String: Any] in
                    [
                        "id": tenant.id.description, "name": tenant.name, "domain": tenant.domain,
                        "added": session.time(added), "csrf": session.csrf, "tid": tid,
                    ]
                }
            ]
        }
        if scope.allows(.managePortalSettings) {
            context["apps"] = [
                "rows": try await services.appAuthorizations.list(in: scope).map { item -> [String: Any] in
                    [
                        "id": item.app.clientID.description, "name": item.app.displayName,
                        "home": item.app.homeTenantID.description,
                        "permissions": item.permissions.map(\.rawValue).sorted().joined(separator: ", "),
                        "deviceGroups": item.deviceGroups?.sorted().joined(separator: ", ")
                            ?? renderer.text("partners_all_device_groups", language),
                        "csrf": session.csrf, "tid": tid,
                    ]
                },
                "permissions": AppPermission.allCases.map(\.rawValue),
            ]
        }
        return PortalResponse.html(
            renderer.render("partners", session.layout(context), language: language, back: "/settings/partners"),
            status: status)
    }

    /// Runs a change; a refused input shows on the page with the reason, as the API words it.
    func change(_ request: Request, _ body: (PortalRoutes.PortalSession, [(String, String)]) async throws -> Void)
        async throws -> Response
    {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let fields = try await portal.checkedFields(request, session)
        do {
            try await body(session, fields)
        } catch let error as RampartError {
            if case .forbidden = error { throw error }
            return try await page(request, error: ErrorMappingMiddleware.describe(error).2, status: .badRequest)
        }
        return PortalResponse.redirect("/settings/partners?tid=\(session.tenant.id)")
    }

    func value(_ fields: [(String, String)], _ name: String) -> String {
        fields.first { $0.0 == name }?.1.trimmingCharacters(in: .whitespaces) ?? ""
    }

    func connect(_ request: Request) async throws -> Response {
        try await change(request) { session, fields in
            _ = try await services.connectedOrganizations.add(in: session.scope, reference: value(fields, "organization"))
        }
    }

    func disconnect(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let tenant = try context.parameters.require("tenant")
        return try await change(request) { session, _ in
            try await services.connectedOrganizations.remove(in: session.scope, reference: tenant)
        }
    }

    func authorize(_ request: Request) async throws -> Response {
        try await change(request) { session, fields in
            let text = value(fields, "app")
            guard let clientID = ObjectID(text) else {
                throw RampartError.invalidInput(code: "InvalidInput", message: "\(text) is not an application id.")
            }
            let groups = value(fields, "deviceGroups").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
            _ = try await services.appAuthorizations.authorize(
                in: session.scope, clientID: clientID, permissions: fields.filter { $0.0 == "permission" }.map(\.1),
                deviceGroups: groups)
        }
    }

    func deauthorize(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let text = try context.parameters.require("app")
        return try await change(request) { session, _ in
            guard let clientID = ObjectID(text) else { throw RampartError.notFound("Application \(text) was not found.") }
            try await services.appAuthorizations.remove(in: session.scope, clientID: clientID)
        }
    }
}
