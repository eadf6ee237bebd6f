import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartIdentity
import RampartStore

/// Portal pages for device groups (Defender's Settings › Device groups), for holders of "Manage portal system settings".
struct PortalSettingsRoutes: PortalFeature {
    let portal: PortalRoutes
    var access: RBACService { services.access }

    func register(on router: Router<AppRequestContext>) {
        router.get("/settings/device-groups") { request, _ in try await page(request, error: nil) }
        router.post("/settings/device-groups") { request, _ in try await create(request) }
        router.post("/settings/device-groups/:id/delete") { request, context in try await delete(request, context) }
        router.get("/settings/roles") { request, _ in try await rolesPage(request, error: nil) }
        router.post("/settings/roles") { request, _ in try await createRole(request) }
        router.post("/settings/roles/:id/delete") { request, context in try await deleteRole(request, context) }
    }

    func signedIn(_ request: Request) async throws -> PortalRoutes.PortalSession? {
        guard let session = try await portal.session(request) else { return nil }
        try session.scope.require(.managePortalSettings)
        return session
    }

    /// `preview` lists the devices the posted rules match, shown before saving; `values` refill the form.
    func page(
        _ request: Request, error: String?, status: HTTPResponse.Status = .ok, preview: [String]? = nil,
        values: [String: String] = [:]
    ) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let language = session.language
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
                "tid": session.tenant.id.description,
            ]
        }
        var context = session.layout(["groups": rows, "csrf": session.csrf, "error": error ?? false, "form": values])
        if let preview {
            context["preview"] = ["devices": preview, "empty": preview.isEmpty]
        }
        return PortalResponse.html(
            renderer.render("device-groups", context, language: language, back: "/settings/device-groups"), status: status)
    }

    func create(_ request: Request) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let form = try await portal.checkedForm(request, session)
        func list(_ key: String) -> [String] {
            (form[key] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let input = DeviceGroupInput(
            name: form["name"] ?? "", rank: form["rank"].flatMap { Int($0) }, description: nil, remediationLevel: nil,
            rules: DeviceGroupRules(
                names: list("names"), domains: list("domains"), tags: list("tags"), osPlatforms: list("osPlatforms")),
            userGroups: list("userGroups"))
        do {
            if form["preview"] != nil {
                let devices = try await access.preview(in: session.scope, rules: input.rules)
                return try await page(request, error: nil, preview: devices.map(\.computerDnsName), values: form)
            }
            _ = try await access.saveDeviceGroup(in: session.scope, input)
        } catch let error as RampartError {
            // Show the reason on the form; the message names the field, as the API's does.
            return try await page(request, error: ErrorMappingMiddleware.describe(error).2, status: .badRequest)
        }
        return PortalResponse.redirect("/settings/device-groups?tid=\(session.tenant.id)")
    }

    func delete(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        _ = try await portal.checkedForm(request, session)
        let text = try context.parameters.require("id")
        guard let id = ObjectID(text) else { throw RampartError.notFound("Device group \(text) was not found.") }
        try await access.deleteDeviceGroup(in: session.scope, id: id)
        return PortalResponse.redirect("/settings/device-groups?tid=\(session.tenant.id)")
    }

    // MARK: Roles

    func rolesPage(_ request: Request, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let language = session.language
        let renderer = services.portal
        let groupNames = Dictionary(
            uniqueKeysWithValues: try await services.directory.groups(in: session.scope).map { ($0.0.id, $0.0.name) })
        let rows: [[String: Any]] = try await access.roles(in: session.scope).map { role in
            [
                "id": role.id.description, "name": role.name, "description": role.description,
                "permissions": role.permissions.sorted().map { renderer.text("perm_\($0.rawValue)", language) }
                    .joined(separator: ", "),
                "groups": role.groupIDs.compactMap { groupNames[$0] }.sorted().joined(separator: ", "),
                "csrf": session.csrf, "tid": session.tenant.id.description,
            ]
        }
        let permissions: [[String: Any]] = RolePermission.allCases.map { permission in
            ["value": permission.rawValue, "label": renderer.text("perm_\(permission.rawValue)", language)]
        }
        let context = session.layout([
            "roles": rows, "hasRoles": !rows.isEmpty, "permissions": permissions, "csrf": session.csrf,
            "error": error ?? false,
        ])
        return PortalResponse.html(
            renderer.render("roles", context, language: language, back: "/settings/roles"), status: status)
    }

    func createRole(_ request: Request) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let fields = try await portal.checkedFields(request, session)
        let form = Dictionary(fields, uniquingKeysWith: { first, _ in first })
        let groups = (form["groups"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        let input = RoleInput(
            name: form["name"] ?? "", description: form["description"],
            permissions: fields.filter { $0.0 == "permission" }.map(\.1), groups: groups)
        do {
            _ = try await access.saveRole(in: session.scope, input)
        } catch let error as RampartError {
            return try await rolesPage(request, error: ErrorMappingMiddleware.describe(error).2, status: .badRequest)
        }
        return PortalResponse.redirect("/settings/roles?tid=\(session.tenant.id)")
    }

    func deleteRole(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        _ = try await portal.checkedForm(request, session)
        let text = try context.parameters.require("id")
        guard let id = ObjectID(text) else { throw RampartError.notFound("Role \(text) was not found.") }
        try await access.deleteRole(in: session.scope, id: id)
        return PortalResponse.redirect("/settings/roles?tid=\(session.tenant.id)")
    }
}
