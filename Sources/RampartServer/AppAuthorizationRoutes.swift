import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartIdentity
import RampartStore

/// `/manage/v1/app-authorizations`: the apps a tenant lets in, its own and MSSPs'.
struct AppAuthorizationRoutes {
    let services: Services
    let management: ManagementRoutes
    var service: AppAuthorizationService { services.appAuthorizations }

    init(services: Services) {
        self.services = services
        management = ManagementRoutes(services: services)
    }

    struct Input: Decodable {
        let permissions: [String]
        let deviceGroups: [String]?
    }

    func register(on router: Router<AppRequestContext>) {
        let manage = router.group("manage/v1")
        manage.get("app-authorizations") { request, _ in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            return try JSONResponse.encodable(["value": try await service.list(in: scope).map(AuthorizationBody.init)])
        }
        manage.put("app-authorizations/:app") { request, context in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            let input = try await management.decode(Input.self, request)
            let authorization = try await service.authorize(
                in: scope, clientID: try management.clientID(context), permissions: input.permissions,
                deviceGroups: input.deviceGroups ?? [])
            return try JSONResponse.encodable(AuthorizationBody(authorization))
        }
        manage.delete("app-authorizations/:app") { request, context in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            try await service.remove(in: scope, clientID: try management.clientID(context))
            return Response(status: .noContent)
        }
    }
}

struct AuthorizationBody: Encodable {
    let appId: String
    let displayName: String
    let homeTenantId: String
    let permissions: [String]
    /// Device group names, or null when the app sees all.
    let deviceGroups: [String]?
    init(_ authorization: AppAuthorizationService.Authorization) {
        appId = authorization.app.clientID.description
        displayName = authorization.app.displayName
        homeTenantId = authorization.app.homeTenantID.description
        permissions = authorization.permissions.map(\.rawValue).sorted()
        deviceGroups = authorization.deviceGroups?.sorted()
    }
}
