import Foundation
import RampartCore
import RampartStore

/// The input of an access package, as the API and the CLI take it: groups by id or name, organizations by id or domain.
public struct AccessPackageInput: Sendable, Decodable {
    public var name: String
    public var description: String?
    public var groups: [String]
    public var requestorOrganizations: [String]
    /// A group of the tenant; absent means the tenant's administrators approve.
    public var approverGroup: String?
    public var requiresJustification: Bool?
    public var expiryDays: Int?
    public var reviewIntervalDays: Int?

    public init(
        name: String, description: String? = nil, groups: [String], requestorOrganizations: [String],
        approverGroup: String? = nil, requiresJustification: Bool? = nil, expiryDays: Int? = nil,
        reviewIntervalDays: Int? = nil
    ) {
        self.name = name
        self.description = description
        self.groups = groups
        self.requestorOrganizations = requestorOrganizations
        self.approverGroup = approverGroup
        self.requiresJustification = requiresJustification
        self.expiryDays = expiryDays
        self.reviewIntervalDays = reviewIntervalDays
    }
}

/// Entitlement management: a customer offers packages to its connected organizations, their users request them,
/// approvers decide, and approval gives a guest account the package's groups until expiry or revocation.
public struct EntitlementService: Sendable {
    let directory: DirectoryRepository
    let rbac: RBACRepository
    let entitlements: EntitlementRepository
    let organizations: ConnectedOrganizationRepository
    let clock: WallClock

    public init(
        directory: DirectoryRepository, rbac: RBACRepository, entitlements: EntitlementRepository,
        organizations: ConnectedOrganizationRepository, clock: WallClock
    ) {
        self.directory = directory
        self.rbac = rbac
        self.entitlements = entitlements
        self.organizations = organizations
        self.clock = clock
    }

    // MARK: Packages (the customer's administrators)

    public func packages(in scope: AccessScope) async throws -> [AccessPackage] {
        try scope.require(.manageEntitlements)
        return try await entitlements.packages(tenantID: scope.tenantID)
    }

    public func package(in scope: AccessScope, id: ObjectID) async throws -> AccessPackage {
        try scope.require(.manageEntitlements)
        guard let package = try await entitlements.package(id: id), package.tenantID == scope.tenantID else {
            throw RampartError.notFound("Access package \(id) was not found.")
        }
        return package
    }

    /// Creates a package, or replaces the package `id`; live assignments follow the new groups at their next request.
    public func savePackage(in scope: AccessScope, id: ObjectID? = nil, _ input: AccessPackageInput) async throws
        -> AccessPackage
    {
        try scope.require(.manageEntitlements)
        let name = try RBACService.name(input.name)
        let existing = try await entitlements.packages(tenantID: scope.tenantID)
        let previous = id.flatMap { id in existing.first { $0.id == id } }
        if let id, previous == nil { throw RampartError.notFound("Access package \(id) was not found.") }
        if existing.contains(where: { $0.name.lowercased() == name.lowercased() && $0.id != id }) {
            throw RampartError.conflict("An access package named \(name) already exists.")
        }
        guard !input.groups.isEmpty else {
            throw RampartError.invalidInput(
                code: "MissingRequiredParameter", message: "Parameter groups is missing: a package grants at least one group.")
        }
        let groups = try await RBACService(directory: directory, rbac: rbac).groupIDs(input.groups, in: scope)
        guard !input.requestorOrganizations.isEmpty else {
            throw RampartError.invalidInput(
                code: "MissingRequiredParameter",
                message: "Parameter requestorOrganizations is missing: name at least one connected organization.")
        }
        let connected = Set(try await organizations.list(scope).map(\.0.id))
        var requestors: Set<TenantID> = []
        for reference in input.requestorOrganizations {
            guard let organization = try await directory.tenant(named: reference), connected.contains(organization.id) else {
                throw RampartError.invalidInput(
                    code: "InvalidInput", message: "\(reference) is not a connected organization of this tenant.")
            }
            requestors.insert(organization.id)
        }
        var approver: ObjectID?
        if let reference = input.approverGroup, !reference.isEmpty {
            guard let group = try await directory.group(in: scope, reference: reference) else {
                throw RampartError.invalidInput(code: "InvalidInput", message: "Group \(reference) was not found in this tenant.")
            }
            approver = group.id
        }
        let expiry = input.expiryDays ?? previous?.expiryDays ?? AccessPackage.defaultExpiryDays
        guard (1...AccessPackage.maximumExpiryDays).contains(expiry) else {
            throw RampartError.invalidInput(
                code: "InvalidInput", message: "expiryDays must be between 1 and \(AccessPackage.maximumExpiryDays).")
        }
        if let review = input.reviewIntervalDays, !(1...AccessPackage.maximumExpiryDays).contains(review) {
            throw RampartError.invalidInput(
                code: "InvalidInput",
                message: "reviewIntervalDays must be between 1 and \(AccessPackage.maximumExpiryDays).")
        }
        let package = AccessPackage(
            id: id ?? .random(), tenantID: scope.tenantID, name: name, description: input.description ?? "",
            groupIDs: groups, requestorTenantIDs: requestors, approverGroupID: approver,
            requiresJustification: input.requiresJustification ?? previous?.requiresJustification ?? true,
            expiryDays: expiry, reviewIntervalDays: input.reviewIntervalDays, createdAt: previous?.createdAt ?? clock.now())
        try await entitlements.save(
            package,
            audit: .make(
                scope, action: id == nil ? "accessPackage.create" : "accessPackage.update", target: name,
                details:
                    "groups=\(groups.count) requestors=\(requestors.map(\.description).sorted().joined(separator: ",")) expiryDays=\(expiry)"
            ))
        return package
    }

    public func deletePackage(in scope: AccessScope, id: ObjectID) async throws {
        try scope.require(.manageEntitlements)
        switch try await entitlements.deletePackage(
            id: id, tenantID: scope.tenantID, now: clock.now(),
            audit: .make(scope, action: "accessPackage.delete", target: id.description))
        {
        case .deleted: return
        case .notFound: throw RampartError.notFound("Access package \(id) was not found.")
        case .hasActiveAssignments:
            throw RampartError.conflict("The access package still has active assignments; revoke them first.")
        }
    }

    // MARK: Requesting (a user signed in to their home tenant)

    /// Packages `home` may request, with the tenant that offers each.
    public func requestable(by home: User) async throws -> [(AccessPackage, Tenant)] {
        guard home.enabled, !home.isGuest else { return [] }
        var result: [(AccessPackage, Tenant)] = []
        for package in try await entitlements.requestable(by: home.tenantID) {
            if let tenant = try await directory.tenant(id: package.tenantID) { result.append((package, tenant)) }
        }
        return result
    }

    /// The package behind a request link, if `home` may request it; others learn nothing, not even that it exists.
    public func requestablePackage(id: ObjectID, by home: User) async throws -> (AccessPackage, Tenant)? {
        try await requestable(by: home).first { $0.0.id == id }
    }

    public func request(by home: User, packageID: ObjectID, justification: String) async throws -> AccessRequest {
        guard let (package, tenant) = try await requestablePackage(id: packageID, by: home) else {
            throw RampartError.notFound("Access package \(packageID) was not found.")
        }
        let justification = justification.trimmingCharacters(in: .whitespacesAndNewlines)
        if package.requiresJustification, justification.isEmpty {
            throw RampartError.invalidInput(
                code: "MissingRequiredParameter", message: "Parameter justification is missing: this package requires one.")
        }
        guard justification.count <= 2000 else {
            throw RampartError.invalidInput(code: "InvalidInput", message: "A justification has at most 2000 characters.")
        }
        let now = clock.now()
        let request = AccessRequest(
            id: .random(), tenantID: tenant.id, packageID: package.id, requesterID: home.id,
            requesterTenantID: home.tenantID, requesterName: home.userPrincipalName, justification: justification,
            status: .pending, createdAt: now)
        let notices = try await entitlements.approverRecipients(of: package, now: now).map { recipient in
            AccessNotice(
                recipientID: recipient, tenantID: tenant.id, kind: .approvalNeeded, packageName: package.name,
                subject: home.userPrincipalName, at: now)
        }
        guard
            try await entitlements.create(
                request,
                audit: .make(
                    Self.visitor(home, in: tenant.id), action: "accessRequest.create", target: package.name,
                    details: "request=\(request.id)"),
                notices: notices)
        else { throw RampartError.conflict("You already have a pending request for this access package.") }
        return request
    }

    public func requests(of home: User) async throws -> [AccessRequest] {
        try await entitlements.requests(requesterID: home.id)
    }

    public func assignments(of home: User) async throws -> [AccessAssignment] {
        try await entitlements.assignments(homeUserID: home.id)
    }

    public func notices(of home: User) async throws -> [AccessNotice] {
        try await entitlements.notices(recipientID: home.id)
    }

    // MARK: Deciding (approvers, in the customer tenant)

    /// Pending requests `scope` may decide.
    public func approvals(in scope: AccessScope) async throws -> [(AccessRequest, AccessPackage)] {
        let packages = Dictionary(
            uniqueKeysWithValues: try await entitlements.packages(tenantID: scope.tenantID).map { ($0.id, $0) })
        return try await entitlements.requests(tenantID: scope.tenantID, status: .pending).compactMap { request in
            guard let package = packages[request.packageID], package.isApprover(scope),
                !Self.isRequester(scope, of: request)
            else { return nil }
            return (request, package)
        }
    }

    public func decide(in scope: AccessScope, requestID: ObjectID, approve: Bool, reason: String) async throws
        -> AccessRequest
    {
        guard let request = try await entitlements.request(id: requestID), request.tenantID == scope.tenantID,
            let package = try await entitlements.package(id: request.packageID)
        else { throw RampartError.notFound("Access request \(requestID) was not found.") }
        guard package.isApprover(scope) else {
            throw RampartError.forbidden("Only the approvers of \(package.name) decide its requests.")
        }
        guard !Self.isRequester(scope, of: request) else {
            throw RampartError.forbidden("Requesters cannot decide their own requests.")
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard approve || !reason.isEmpty else {
            throw RampartError.invalidInput(code: "MissingRequiredParameter", message: "Parameter reason is missing: say why.")
        }
        let now = clock.now()
        var grant: EntitlementRepository.Grant?
        if approve {
            guard let home = try await directory.user(id: request.requesterID), home.enabled,
                let tenant = try await directory.tenant(id: scope.tenantID)
            else { throw RampartError.conflict("The requester's account no longer exists or is disabled.") }
            let guest = User(
                id: .random(), tenantID: scope.tenantID,
                userPrincipalName: GuestAccount.userPrincipalName(home: home.userPrincipalName, resourceDomain: tenant.domain),
                displayName: home.displayName, role: .member, enabled: true, createdAt: now, homeUserID: home.id)
            grant = .init(guest: guest, homeUser: home, expiresAt: AccessAssignment.expiry(of: package, approvedAt: now))
        }
        let admins = try await entitlements.approverRecipients(of: package, now: now)
        let recipients = admins.union([request.requesterID])
        let notices = recipients.map { recipient in
            AccessNotice(
                recipientID: recipient, tenantID: scope.tenantID, kind: approve ? .requestApproved : .requestDenied,
                packageName: package.name,
                subject: recipient == request.requesterID ? scope.principal.displayName : request.requesterName,
                at: now)
        }
        guard
            let decided = try await entitlements.decide(
                requestID: requestID, tenantID: scope.tenantID, grant: grant, by: scope.principal.displayName, reason: reason,
                now: now,
                audit: .make(
                    scope, action: approve ? "accessRequest.approve" : "accessRequest.deny", target: package.name,
                    details: "request=\(requestID) requester=\(request.requesterName)"
                        + (grant.map { " expires=\($0.expiresAt)" } ?? "")),
                notices: notices)
        else { throw RampartError.conflict("The request was already decided.") }
        return decided
    }

    // MARK: Administration of requests and assignments

    public func requests(in scope: AccessScope) async throws -> [AccessRequest] {
        try scope.require(.manageEntitlements)
        return try await entitlements.requests(tenantID: scope.tenantID)
    }

    public func assignments(in scope: AccessScope) async throws -> [AccessAssignment] {
        try scope.require(.manageEntitlements)
        return try await entitlements.assignments(tenantID: scope.tenantID)
    }

    /// Ends an assignment at once: the guest's next request no longer carries its groups.
    public func revoke(in scope: AccessScope, assignmentID: ObjectID) async throws -> AccessAssignment {
        try scope.require(.manageEntitlements)
        let now = clock.now()
        let packages = try await entitlements.packages(tenantID: scope.tenantID)
        let actor = scope.principal.displayName
        let tenantID = scope.tenantID
        let admins = try await directory.users(in: scope).filter { $0.role == .admin && !$0.isGuest }.map(\.id)
        guard
            let revoked = try await entitlements.revoke(
                assignmentID: assignmentID, tenantID: scope.tenantID, by: actor, now: now,
                audit: .make(scope, action: "accessAssignment.revoke", target: assignmentID.description),
                notices: { assignment in
                    let name = packages.first { $0.id == assignment.packageID }?.name ?? ""
                    return Set(admins + [assignment.homeUserID]).map { recipient in
                        AccessNotice(
                            recipientID: recipient, tenantID: tenantID, kind: .assignmentRevoked, packageName: name,
                            subject: recipient == assignment.homeUserID ? actor : assignment.homeUserName, at: now)
                    }
                })
        else { throw RampartError.notFound("No active access assignment \(assignmentID) in this tenant.") }
        return revoked
    }

    // MARK: Acting in a tenant

    /// The scope `home` acts with in `tenantID` now: their own in the home tenant, their guest account's elsewhere.
    /// `nil` when they hold no live assignment there, whether or not the tenant exists.
    public func actingScope(home: User, tenantID: TenantID) async throws -> AccessScope? {
        guard !home.isGuest else { return nil }
        if tenantID == home.tenantID { return try await rbac.scope(for: home, now: clock.now()) }
        guard let guest = try await entitlements.guest(homeUserID: home.id, tenantID: tenantID) else { return nil }
        return try await rbac.scope(for: guest, now: clock.now())
    }

    /// The tenants `home` may switch to: their home tenant (no expiry) and every tenant with a live assignment.
    public func tenants(for home: User) async throws -> [(Tenant, expires: Timestamp?)] {
        var result: [(Tenant, expires: Timestamp?)] = []
        if let own = try await directory.tenant(id: home.tenantID) { result.append((own, nil)) }
        for (tenant, expires) in try await entitlements.guestTenants(homeUserID: home.id, now: clock.now()) {
            result.append((tenant, expires))
        }
        return result
    }

    /// Someone from another organization who is not (yet) a guest: enough to name them in the audit log.
    static func visitor(_ home: User, in tenantID: TenantID) -> AccessScope {
        AccessScope(
            tenantID: tenantID,
            principal: .user(id: home.id, tenantID: home.tenantID, userPrincipalName: home.userPrincipalName),
            capabilities: [], deviceGroups: .only([]))
    }

    static func isRequester(_ scope: AccessScope, of request: AccessRequest) -> Bool {
        if case .user(let id, _, _) = scope.principal { return id == request.requesterID }
        return false
    }
}
