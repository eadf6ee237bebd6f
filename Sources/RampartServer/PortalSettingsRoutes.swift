import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartIdentity
import RampartStore

/// Portal pages for device groups (Defender's Settings › Device groups), for holders of "Manage portal system settings".
struct PortalSettingsRoutes {
    let services: Services
    let portal: PortalRoutes
    var access: RBACService { services.access }

    init(services: Services) {
        self.services = services
        portal = PortalRoutes(services: services)
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/settings/device-groups") { request, _ in try await page(request, error: nil) }
        router.post("/settings/device-groups") { request, _ in try await create(request) }
        router.post("/settings/device-groups/:id/delete") { request, context in try await delete(request, context) }
    }

    func signedIn(_ request: Request) async throws -> PortalRoutes.PortalSession? {
        guard let session = try await portal.session(request) else { return nil }
        try session.scope.require(.managePortalSettings)
        return session
    }

    func page(_ request: Request, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let language = portal.languageOf(request)
        let renderer = services.portal
        let groupNames = Dictionary(
            uniqueKeysWithValues: try await services.directory.groups(in: session.scope).map { ($0.0.id, $0.0.name) })
        let rows: [[String: Any]] = try await access.deviceGroups(in: session.scope).map { group in
            let rules = [
                ("names", group.rules.names), ("domains", group.rules.domains), ("tags", group.rules.tags),
                ("osPlatforms", group.rules.osPlatforms),
            ].filter { !$0.1.isEmpty }.map { "\($0.0): \($0.1.joined(separator: ", "))" }.joined(separator: "; ")
            let access =
                group.userGroupIDs.isEmpty
                ? renderer.text("dg_all_users", language)
                : group.userGroupIDs.compactMap { groupNames[$0] }.sorted().joined(separator: ", ")
            return [
                "id": group.id.description, "rank": group.rank, "name": group.name, "rules": rules, "access": access,
                "remediation": group.remediationLevel.rawValue, "isDefault": group.isDefault, "csrf": session.csrf,
            ]
        }
        let context = session.layout(["groups": rows, "csrf": session.csrf, "error": error ?? false])
        return PortalResponse.html(
            renderer.render("device-groups", context, language: language, back: "/settings/device-groups"), status: status)
    }

    func checkedForm(_ request: Request, _ session: PortalRoutes.PortalSession) async throws -> [String: String] {
        let form = try await FormBody.collect(request, limit: 16 * 1024)
        guard let sent = form["csrf"], Secrets.constantTimeEquals(sent, session.csrf) else {
            throw RampartError.invalidInput(code: "BadRequest", message: "CSRF token mismatch.")
        }
        return form
    }

    func create(_ request: Request) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let form = try await checkedForm(request, session)
        func list(_ key: String) -> [String] {
            (form[key] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let input = DeviceGroupInput(
            name: form["name"] ?? "", rank: form["rank"].flatMap { Int($0) }, description: nil, remediationLevel: nil,
            rules: DeviceGroupRules(
                names: list("names"), domains: list("domains"), tags: list("tags"), osPlatforms: list("osPlatforms")),
            userGroups: list("userGroups"))
        do {
            _ = try await access.saveDeviceGroup(in: session.scope, input)
        } catch let error as RampartError {
            // Show the reason on the form; the message names the field, as the API's does.
            return try await page(request, error: ErrorMappingMiddleware.describe(error).2, status: .badRequest)
        }
        return PortalResponse.redirect("/settings/device-groups")
    }

    func delete(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        _ = try await checkedForm(request, session)
        let text = try context.parameters.require("id")
        guard let id = ObjectID(text) else { throw RampartError.notFound("Device group \(text) was not found.") }
        try await access.deleteDeviceGroup(in: session.scope, id: id)
        return PortalResponse.redirect("/settings/device-groups")
    }
}
