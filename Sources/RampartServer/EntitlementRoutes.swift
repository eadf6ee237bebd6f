import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartIdentity
import RampartStore

/// `/manage/v1` for delegated access: packages and assignments (customer administrators), requests (users of
/// connected organizations, with a token of their home tenant) and decisions (approvers, in the customer tenant).
struct EntitlementRoutes {
    let services: Services
    let management: ManagementRoutes
    var service: EntitlementService { services.entitlements }

    init(services: Services) {
        self.services = services
        management = ManagementRoutes(services: services)
    }

    struct PackageBody: Encodable {
        let id: String
        let name: String
        let description: String
        let groupIds: [String]
        let requestorOrganizations: [String]
        let approverGroupId: String?
        let requiresJustification: Bool
        let expiryDays: Int
        let reviewIntervalDays: Int?
        let requestLink: String
        let createdAt: String

        init(_ package: AccessPackage, base: String) {
            id = package.id.description
            name = package.name
            description = package.description
            groupIds = package.groupIDs.map(\.description).sorted()
            requestorOrganizations = package.requestorTenantIDs.map(\.description).sorted()
            approverGroupId = package.approverGroupID?.description
            requiresJustification = package.requiresJustification
            expiryDays = package.expiryDays
            reviewIntervalDays = package.reviewIntervalDays
            requestLink = base + package.requestPath
            createdAt = package.createdAt.description
        }
    }

    struct RequestBody: Encodable {
        let id: String
        let tenantId: String
        let packageId: String
        let requesterId: String
        let requesterTenantId: String
        let requester: String
        let justification: String
        let status: String
        let createdAt: String
        let decidedAt: String?
        let decidedBy: String?
        let decisionReason: String?

        init(_ request: AccessRequest) {
            id = request.id.description
            tenantId = request.tenantID.description
            packageId = request.packageID.description
            requesterId = request.requesterID.description
            requesterTenantId = request.requesterTenantID.description
            requester = request.requesterName
            justification = request.justification
            status = request.status.rawValue
            createdAt = request.createdAt.description
            decidedAt = request.decidedAt?.description
            decidedBy = request.decidedBy
            decisionReason = request.decisionReason
        }
    }

    struct AssignmentBody: Encodable {
        let id: String
        let tenantId: String
        let packageId: String
        let guestUserId: String
        let homeUserId: String
        let homeTenantId: String
        let user: String
        let state: String
        let grantedAt: String
        let expiresAt: String
        let revokedAt: String?
        let revokedBy: String?

        init(_ assignment: AccessAssignment, now: Timestamp) {
            id = assignment.id.description
            tenantId = assignment.tenantID.description
            packageId = assignment.packageID.description
            guestUserId = assignment.guestUserID.description
            homeUserId = assignment.homeUserID.description
            homeTenantId = assignment.homeTenantID.description
            user = assignment.homeUserName
            state = assignment.state(at: now).rawValue
            grantedAt = assignment.grantedAt.description
            expiresAt = assignment.expiresAt.description
            revokedAt = assignment.revokedAt?.description
            revokedBy = assignment.revokedBy
        }
    }

    struct NewRequest: Decodable {
        let packageId: String
        let justification: String?
    }

    struct Decision: Decodable { let reason: String? }

    func register(on router: Router<AppRequestContext>) {
        let manage = router.group("manage/v1")
        let base = services.configuration.resolvedPublicURL
        manage.get("access-packages") { request, _ in
            let scope = try await scope(request)
            return try JSONResponse.encodable([
                "value": try await service.packages(in: scope).map { PackageBody($0, base: base) }
            ])
        }
        manage.post("access-packages") { request, _ in
            let scope = try await scope(request)
            let package = try await service.savePackage(in: scope, try await management.decode(AccessPackageInput.self, request))
            return try JSONResponse.encodable(PackageBody(package, base: base), status: .created)
        }
        manage.get("access-packages/:id") { request, context in
            let scope = try await scope(request)
            return try JSONResponse.encodable(
                PackageBody(try await service.package(in: scope, id: try id(context, "Access package")), base: base))
        }
        manage.put("access-packages/:id") { request, context in
            let scope = try await scope(request)
            let id = try id(context, "Access package")
            let package = try await service.savePackage(
                in: scope, id: id, try await management.decode(AccessPackageInput.self, request))
            return try JSONResponse.encodable(PackageBody(package, base: base))
        }
        manage.delete("access-packages/:id") { request, context in
            try await service.deletePackage(in: try await scope(request), id: try id(context, "Access package"))
            return Response(status: .noContent)
        }
        manage.get("access-requests") { request, _ in
            let scope = try await scope(request)
            return try JSONResponse.encodable(["value": try await service.requests(in: scope).map(RequestBody.init)])
        }
        manage.post("access-requests") { request, _ in
            let home = try await homeUser(request)
            let input = try await management.decode(NewRequest.self, request)
            guard let packageID = ObjectID(input.packageId) else {
                throw RampartError.notFound("Access package \(input.packageId) was not found.")
            }
            let created = try await service.request(by: home, packageID: packageID, justification: input.justification ?? "")
            return try JSONResponse.encodable(RequestBody(created), status: .created)
        }
        manage.get("access-approvals") { request, _ in
            let scope = try await anyScope(request)
            return try JSONResponse.encodable([
                "value": try await service.approvals(in: scope).map { RequestBody($0.0) }
            ])
        }
        for (verb, approve) in [("approve", true), ("deny", false)] {
            manage.post("access-requests/:id/\(verb)") { request, context in
                let scope = try await anyScope(request)
                let decision = try await management.decodeOptional(Decision.self, request)
                let decided = try await service.decide(
                    in: scope, requestID: try id(context, "Access request"), approve: approve,
                    reason: decision?.reason ?? "")
                return try JSONResponse.encodable(RequestBody(decided))
            }
        }
        manage.get("access-assignments") { request, _ in
            let scope = try await scope(request)
            let now = services.clock.now()
            return try JSONResponse.encodable([
                "value": try await service.assignments(in: scope).map { AssignmentBody($0, now: now) }
            ])
        }
        manage.post("access-assignments/:id/revoke") { request, context in
            let scope = try await scope(request)
            let revoked = try await service.revoke(in: scope, assignmentID: try id(context, "Access assignment"))
            return try JSONResponse.encodable(AssignmentBody(revoked, now: services.clock.now()))
        }
        manage.get("me/access") { request, _ in
            let home = try await homeUser(request)
            let now = services.clock.now()
            let offered = try await service.requestable(by: home).map { PackageBody($0.0, base: base) }
            let tenants = try await service.tenants(for: home).map { tenant, expires in
                TenantAccessBody(tenantId: tenant.id.description, name: tenant.name, expiresAt: expires?.description)
            }
            return try JSONResponse.encodable(
                MyAccessBody(
                    tenants: tenants, requestable: offered,
                    requests: try await service.requests(of: home).map(RequestBody.init),
                    assignments: try await service.assignments(of: home).map { AssignmentBody($0, now: now) }))
        }
    }

    struct TenantAccessBody: Encodable {
        let tenantId: String
        let name: String
        let expiresAt: String?
    }

    struct MyAccessBody: Encodable {
        let tenants: [TenantAccessBody]
        let requestable: [PackageBody]
        let requests: [RequestBody]
        let assignments: [AssignmentBody]
    }

    func scope(_ request: Request) async throws -> AccessScope {
        try await management.scope(request, requiring: .manageEntitlements)
    }

    /// Any valid management token: what it may do is decided by the service (approvers need no capability).
    func anyScope(_ request: Request) async throws -> AccessScope {
        try await management.foreignAudited(request)
    }

    /// The caller's own account in its home tenant; guests' tokens request nothing on their own behalf.
    func homeUser(_ request: Request) async throws -> User {
        let scope = try await anyScope(request)
        guard case .user(let id, let home, _) = scope.principal, home == scope.tenantID,
            let user = try await services.directory.user(id: id), !user.isGuest
        else { throw RampartError.forbidden("Requests are made by users with a token of their home tenant.") }
        return user
    }

    func id(_ context: AppRequestContext, _ kind: String) throws -> ObjectID {
        let text = try context.parameters.require("id")
        guard let id = ObjectID(text) else { throw RampartError.notFound("\(kind) \(text) was not found.") }
        return id
    }
}
