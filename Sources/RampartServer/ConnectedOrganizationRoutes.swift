import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartIdentity
import RampartStore

/// `/manage/v1/connected-organizations`: the MSSP tenants a customer works with.
struct ConnectedOrganizationRoutes {
    let services: Services
    let management: ManagementRoutes
    var service: ConnectedOrganizationService { services.connectedOrganizations }

    init(services: Services) {
        self.services = services
        management = ManagementRoutes(services: services)
    }

    struct Input: Decodable { let tenant: String }

    struct Body: Encodable {
        let tenantId: String
        let name: String
        let domain: String
        let kind: String
        let addedAt: String?
    }

    func register(on router: Router<AppRequestContext>) {
        let manage = router.group("manage/v1")
        manage.get("connected-organizations") { request, _ in
            let scope = try await management.scope(request)
            let value = try await service.list(in: scope).map { tenant, added in
                Body(
                    tenantId: tenant.id.description, name: tenant.name, domain: tenant.domain, kind: tenant.kind.rawValue,
                    addedAt: added.description)
            }
            return try JSONResponse.encodable(["value": value])
        }
        manage.post("connected-organizations") { request, _ in
            let scope = try await management.scope(request)
            let input = try await management.decode(Input.self, request)
            let (tenant, added) = try await service.add(in: scope, reference: input.tenant)
            return try JSONResponse.encodable(
                Body(
                    tenantId: tenant.id.description, name: tenant.name, domain: tenant.domain, kind: tenant.kind.rawValue,
                    addedAt: nil),
                status: added ? .created : .ok)
        }
        manage.delete("connected-organizations/:tenant") { request, context in
            let scope = try await management.scope(request)
            try await service.remove(in: scope, reference: try context.parameters.require("tenant"))
            return Response(status: .noContent)
        }
    }
}
