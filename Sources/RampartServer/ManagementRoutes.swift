import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartIdentity
import RampartStore

/// Rampart's own management API (`/manage/v1`), described by `openapi.yaml`. Tenant administrators only.
struct ManagementRoutes {
    let services: Services
    var admin: DirectoryService { services.admin }

    func register(on router: Router<AppRequestContext>) {
        let manage = router.group("manage/v1")
        manage.get("openapi.yaml") { _, _ in
            JSONResponse.text(try OpenAPIDocument.text(), contentType: "application/yaml; charset=utf-8")
        }
        manage.get("tenants") { request, _ in try await listTenants(request) }
        manage.post("tenants") { request, _ in try await createTenant(request) }
        manage.get("users") { request, _ in
            let scope = try await scope(request)
            return try JSONResponse.encodable(["value": try await services.directory.users(in: scope).map(UserBody.init)])
        }
        manage.post("users") { request, _ in
            let scope = try await scope(request)
            let body = try await decode(CreateUserBody.self, request)
            let user = try await admin.createUser(
                in: scope, userPrincipalName: body.userPrincipalName, displayName: body.displayName ?? "",
                role: body.role ?? .member, password: body.password)
            return try JSONResponse.encodable(UserBody(user), status: .created)
        }
        manage.post("users/:user/password") { request, context in
            let scope = try await scope(request)
            let body = try await decode(SetPasswordBody.self, request)
            let user = try await admin.setPassword(
                in: scope, user: try context.parameters.require("user"), password: body.password)
            return try JSONResponse.encodable(UserBody(user))
        }
        manage.post("users/:user/revoke-sessions") { request, context in
            let scope = try await scope(request)
            let reference = try context.parameters.require("user")
            guard let user = try await services.directory.user(in: scope, reference: reference) else {
                throw RampartError.notFound("User \(reference) was not found.")
            }
            let revoked = try await OAuthGrantRepository(db: services.database).revokeEverywhere(
                userID: user.id, now: services.clock.now(),
                audit: .make(scope, action: "user.revokeSessions", target: user.userPrincipalName))
            return try JSONResponse.encodable(["revokedRefreshTokens": revoked])
        }
        manage.get("groups") { request, _ in
            let scope = try await scope(request)
            let groups = try await services.directory.groups(in: scope).map { GroupBody($0.0, members: $0.1) }
            return try JSONResponse.encodable(["value": groups])
        }
        manage.post("groups") { request, _ in
            let scope = try await scope(request)
            let body = try await decode(CreateGroupBody.self, request)
            let group = try await admin.createGroup(in: scope, name: body.name, description: body.description ?? "")
            return try JSONResponse.encodable(GroupBody(group, members: []), status: .created)
        }
        manage.post("groups/:group/members") { request, context in
            let scope = try await scope(request)
            let body = try await decode(AddMemberBody.self, request)
            let (group, user, added) = try await admin.addMember(
                in: scope, group: try context.parameters.require("group"), user: body.user)
            return try JSONResponse.encodable(
                MembershipBody(group: group.id.description, user: user.id.description, added: added),
                status: added ? .created : .ok)
        }
        manage.get("apps") { request, _ in
            let scope = try await scope(request)
            var bodies: [AppBody] = []
            for app in try await services.apps.apps(in: scope) {
                bodies.append(
                    AppBody(
                        app, permissions: try await services.apps.permissions(clientID: app.clientID, tenantID: scope.tenantID),
                        secrets: try await services.apps.secrets(clientID: app.clientID)))
            }
            return try JSONResponse.encodable(["value": bodies])
        }
        manage.post("apps") { request, _ in
            let scope = try await scope(request)
            let body = try await decode(CreateAppBody.self, request)
            let app = try await admin.createApp(in: scope, displayName: body.displayName)
            return try JSONResponse.encodable(AppBody(app, permissions: [], secrets: []), status: .created)
        }
        manage.post("apps/:app/secrets") { request, context in
            let scope = try await scope(request)
            let body = try await decodeOptional(AddSecretBody.self, request) ?? AddSecretBody(days: nil)
            let created = try await admin.addSecret(in: scope, clientID: try clientID(context), days: body.days ?? 730)
            return try JSONResponse.encodable(SecretBody(created), status: .created)
        }
        manage.get("apps/:app/redirect-uris") { request, context in
            let scope = try await scope(request)
            guard try await services.apps.app(in: scope, clientID: try clientID(context)) != nil else {
                throw RampartError.notFound("App was not found.")
            }
            return try JSONResponse.encodable(["value": try await services.apps.redirectURIs(clientID: try clientID(context))])
        }
        manage.post("apps/:app/redirect-uris") { request, context in
            let scope = try await scope(request)
            let body = try await decode(RedirectURIBody.self, request)
            let all = try await admin.setRedirectURI(in: scope, clientID: try clientID(context), uri: body.uri)
            return try JSONResponse.encodable(["value": all], status: .created)
        }
        manage.post("apps/:app/redirect-uris/remove") { request, context in
            let scope = try await scope(request)
            let body = try await decode(RedirectURIBody.self, request)
            let all = try await admin.setRedirectURI(in: scope, clientID: try clientID(context), uri: body.uri, present: false)
            return try JSONResponse.encodable(["value": all])
        }
        manage.post("apps/:app/grants") { request, context in
            let scope = try await scope(request)
            let body = try await decode(GrantBody.self, request)
            let permissions = try await admin.grant(in: scope, clientID: try clientID(context), permissions: body.permissions)
            return try JSONResponse.encodable(["permissions": permissions.map(\.rawValue).sorted()])
        }
    }

    /// Only tokens for the management resource, held by an enabled administrator of the tenant.
    func scope(_ request: Request) async throws -> AccessScope {
        try await scope(request, requiring: .manageDirectory)
    }

    /// Only tokens for the management resource whose holder has `capability` in the tenant now.
    func scope(_ request: Request, requiring capability: Capability) async throws -> AccessScope {
        let scope = try await foreignAudited(request)
        try scope.require(capability)
        return scope
    }

    /// Any valid management token; a guest's or another tenant's app's call is written to the tenant's audit log
    /// before anything else happens, refused or not.
    func foreignAudited(_ request: Request) async throws -> AccessScope {
        let scope = try await services.authenticator.scope(authorization: request.headers[.authorization]) { resource in
            resource == .management
        }
        if scope.isForeign {
            try await AuditRepository(db: services.database).append(
                .make(scope, action: "api.request", target: request.uri.path, details: request.method.rawValue))
        }
        return scope
    }

    func listTenants(_ request: Request) async throws -> Response {
        let scope = try await scope(request)
        guard let own = try await services.directory.tenant(id: scope.tenantID) else {
            throw RampartError.unauthorized("Unknown tenant.")
        }
        let tenants = own.isOperator ? try await services.directory.allTenants() : [own]
        return try JSONResponse.encodable(["value": tenants.map(TenantBody.init)])
    }

    func createTenant(_ request: Request) async throws -> Response {
        let scope = try await scope(request)
        guard let own = try await services.directory.tenant(id: scope.tenantID), own.isOperator else {
            throw RampartError.forbidden("Only administrators of an operator tenant may create tenants.")
        }
        let body = try await decode(CreateTenantBody.self, request)
        let created = try await admin.createTenant(name: body.name, domain: body.domain, kind: body.kind ?? .customer)
        return try JSONResponse.encodable(
            CreatedTenantBody(
                tenant: TenantBody(created.tenant), admin: UserBody(created.admin), adminPassword: created.adminPassword),
            status: .created)
    }

    func clientID(_ context: AppRequestContext) throws -> ObjectID {
        let text = try context.parameters.require("app")
        guard let id = ObjectID(text) else { throw RampartError.notFound("App \(text) was not found.") }
        return id
    }

    func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        guard let value = try await decodeOptional(type, request) else {
            throw RampartError.invalidInput(
                code: "InvalidRequestBody", message: "Invalid request body: a JSON object is required.")
        }
        return value
    }

    func decodeOptional<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T? {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        guard buffer.readableBytes > 0 else { return nil }
        do {
            return try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
        } catch let DecodingError.keyNotFound(key, _) {
            throw RampartError.invalidInput(code: "MissingRequiredParameter", message: "Parameter \(key.stringValue) is missing.")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw RampartError.invalidInput(
                code: "InvalidRequestBody", message: "Invalid request body\(path.isEmpty ? "" : " at \(path)").")
        } catch {
            throw RampartError.invalidInput(code: "InvalidRequestBody", message: "Invalid request body.")
        }
    }
}

struct RedirectURIBody: Decodable {
    let uri: String
}
