import Foundation
import RampartCore
import RampartStore
import Testing

/// Packages, requests, approvals and assignments on both databases, with time passed in explicitly.
@Suite struct EntitlementContractTests {
    struct Fixture {
        let db: any SQLExecutor
        let directory: DirectoryRepository
        let entitlements: EntitlementRepository
        let rbac: RBACRepository
        let customer: Tenant
        let mssp: Tenant
        let analyst: User
        let analystsGroup: SecurityGroup
        let approversGroup: SecurityGroup
        let package: AccessPackage
    }

    static let t0 = Timestamp(iso8601: "2026-01-01T00:00:00Z")!
    static func day(_ n: Int64) -> Timestamp { t0.adding(seconds: n * 86_400) }

    func fixture(_ database: TestDatabase) async throws -> Fixture {
        let db = try await database.open()
        let directory = DirectoryRepository(db: db)
        let customer = try await makeTenant(directory)
        let mssp = try await makeTenant(directory, kind: .mssp)
        let analyst = User(
            id: .random(), tenantID: mssp.id, userPrincipalName: "analyst@\(mssp.domain)", displayName: "Analyst",
            role: .member, enabled: true, createdAt: Self.t0)
        try await directory.createUser(analyst, passwordHash: "x")
        let analysts = SecurityGroup(
            id: .random(), tenantID: customer.id, name: "MSSP analysts", description: "", createdAt: Self.t0)
        let approvers = SecurityGroup(
            id: .random(), tenantID: customer.id, name: "Approvers", description: "", createdAt: Self.t0)
        try await directory.createGroup(analysts)
        try await directory.createGroup(approvers)
        let admin = AccessScope(
            tenantID: customer.id, principal: .user(id: .random(), tenantID: customer.id, userPrincipalName: "admin"),
            capabilities: Capability.administrator, deviceGroups: .all)
        _ = try await ConnectedOrganizationRepository(db: db).add(
            mssp.id, in: admin, audit: .make(admin, action: "connectedOrganization.add", target: "x"))
        let package = AccessPackage(
            id: .random(), tenantID: customer.id, name: "Analysts", description: "d", groupIDs: [analysts.id],
            requestorTenantIDs: [mssp.id], approverGroupID: approvers.id, requiresJustification: true, expiryDays: 10,
            reviewIntervalDays: 5, createdAt: Self.t0)
        let entitlements = EntitlementRepository(db: db)
        try await entitlements.save(package, audit: .make(admin, action: "accessPackage.create", target: "Analysts"))
        return Fixture(
            db: db, directory: directory, entitlements: entitlements, rbac: RBACRepository(db: db), customer: customer,
            mssp: mssp, analyst: analyst, analystsGroup: analysts, approversGroup: approvers, package: package)
    }

    func request(_ f: Fixture, at time: Timestamp) -> AccessRequest {
        AccessRequest(
            id: .random(), tenantID: f.customer.id, packageID: f.package.id, requesterID: f.analyst.id,
            requesterTenantID: f.mssp.id, requesterName: f.analyst.userPrincipalName, justification: "rota", status: .pending,
            createdAt: time)
    }

    func audit(_ f: Fixture, _ action: String) -> AuditEntry {
        AuditEntry(
            tenantID: f.customer.id, actor: "someone", actorTenantID: f.customer.id, action: action, target: "t",
            details: "", requestID: nil, time: Self.t0)
    }

    func approve(_ f: Fixture, _ request: AccessRequest, at time: Timestamp) async throws -> AccessRequest? {
        let guest = User(
            id: .random(), tenantID: f.customer.id,
            userPrincipalName: GuestAccount.userPrincipalName(
                home: f.analyst.userPrincipalName, resourceDomain: f.customer.domain),
            displayName: "Analyst", role: .member, enabled: true, createdAt: time, homeUserID: f.analyst.id)
        return try await f.entitlements.decide(
            requestID: request.id, tenantID: f.customer.id,
            grant: .init(guest: guest, homeUser: f.analyst, expiresAt: AccessAssignment.expiry(of: f.package, approvedAt: time)),
            by: "approver", reason: "ok", now: time, audit: audit(f, "accessRequest.approve"), notices: [])
    }

    @Test(arguments: TestDatabase.available) func packagesRoundTripAndFollowTheConnection(database: TestDatabase) async throws {
        let f = try await fixture(database)
        #expect(try await f.entitlements.packages(tenantID: f.customer.id) == [f.package])
        #expect(try await f.entitlements.requestable(by: f.mssp.id).map(\.id) == [f.package.id])
        #expect(try await f.entitlements.requestable(by: f.customer.id).isEmpty)
        let admin = AccessScope(
            tenantID: f.customer.id, principal: .user(id: .random(), tenantID: f.customer.id, userPrincipalName: "admin"),
            capabilities: Capability.administrator, deviceGroups: .all)
        _ = try await ConnectedOrganizationRepository(db: f.db).remove(
            f.mssp.id, in: admin, audit: .make(admin, action: "connectedOrganization.remove", target: "x"))
        #expect(try await f.entitlements.requestable(by: f.mssp.id).isEmpty)
        try await f.db.close()
    }

    @Test(arguments: TestDatabase.available) func approvalGrantsGroupsUntilExpiry(database: TestDatabase) async throws {
        let f = try await fixture(database)
        let first = request(f, at: Self.t0)
        #expect(try await f.entitlements.create(first, audit: audit(f, "accessRequest.create"), notices: []))
        #expect(try await !f.entitlements.create(request(f, at: Self.t0), audit: audit(f, "x"), notices: []))

        let decided = try await approve(f, first, at: Self.day(1))
        #expect(decided?.status == .approved)
        #expect(try await approve(f, first, at: Self.day(1)) == nil, "a decided request cannot be decided again")

        let guest = try #require(try await f.entitlements.guest(homeUserID: f.analyst.id, tenantID: f.customer.id))
        #expect(guest.isGuest && guest.tenantID == f.customer.id)
        #expect(try await f.entitlements.liveGroups(guestUserID: guest.id, now: Self.day(2)) == [f.analystsGroup.id])
        #expect(try await f.entitlements.liveGroups(guestUserID: guest.id, now: Self.day(11)) == nil)
        let scope = try #require(try await f.rbac.scope(for: guest, now: Self.day(2)))
        #expect(scope.groupIDs == [f.analystsGroup.id])
        #expect(scope.principal == .user(id: f.analyst.id, tenantID: f.mssp.id, userPrincipalName: f.analyst.userPrincipalName))
        #expect(scope.isForeign)
        #expect(try await f.rbac.scope(for: guest, now: Self.day(11)) == nil, "expired: no scope, without any sweeper")
        // The batch resolution of every guest scope of the analyst answers as the per-tenant one does.
        #expect(try await f.rbac.guestScopes(home: f.analyst, now: Self.day(2)) == [f.customer.id: scope])
        #expect(try await f.rbac.guestScopes(home: f.analyst, now: Self.day(11)).isEmpty)
        var disabled = f.analyst
        disabled.enabled = false
        #expect(try await f.rbac.guestScopes(home: disabled, now: Self.day(2)).isEmpty)
        #expect(try await f.entitlements.guestTenants(homeUserID: f.analyst.id, now: Self.day(2)).map(\.0.id) == [f.customer.id])
        #expect(try await f.entitlements.guestTenants(homeUserID: f.analyst.id, now: Self.day(11)).isEmpty)

        // Extension: a new request, approved again, moves the expiry of the one live assignment.
        let second = request(f, at: Self.day(9))
        #expect(try await f.entitlements.create(second, audit: audit(f, "accessRequest.create"), notices: []))
        _ = try await approve(f, second, at: Self.day(9))
        let assignments = try await f.entitlements.assignments(tenantID: f.customer.id)
        #expect(assignments.count == 1)
        #expect(assignments.first?.expiresAt == Self.day(19))
        #expect(try await f.entitlements.liveGroups(guestUserID: guest.id, now: Self.day(11)) == [f.analystsGroup.id])
        #expect(assignments.first.map { $0.reviewDue(f.package) } == Self.day(6))
        try await f.db.close()
    }

    @Test(arguments: TestDatabase.available) func revocationEndsAccessAtOnce(database: TestDatabase) async throws {
        let f = try await fixture(database)
        let first = request(f, at: Self.t0)
        _ = try await f.entitlements.create(first, audit: audit(f, "accessRequest.create"), notices: [])
        _ = try await approve(f, first, at: Self.t0)
        let assignment = try #require(try await f.entitlements.assignments(homeUserID: f.analyst.id).first)
        #expect(
            try await f.entitlements.deletePackage(
                id: f.package.id, tenantID: f.customer.id, now: Self.day(1), audit: audit(f, "accessPackage.delete"))
                == .hasActiveAssignments)
        let notice = AccessNotice(
            recipientID: f.analyst.id, tenantID: f.customer.id, kind: .assignmentRevoked, packageName: "Analysts",
            subject: "admin", at: Self.day(1))
        let other = try await makeTenant(f.directory)
        #expect(
            try await f.entitlements.revoke(
                assignmentID: assignment.id, tenantID: other.id, by: "x", now: Self.day(1), audit: audit(f, "x"),
                notices: { _ in [] }) == nil, "another tenant cannot revoke it")
        let revoked = try await f.entitlements.revoke(
            assignmentID: assignment.id, tenantID: f.customer.id, by: "admin", now: Self.day(1),
            audit: audit(f, "accessAssignment.revoke"), notices: { _ in [notice] })
        #expect(revoked?.state(at: Self.day(1)) == .revoked)
        #expect(try await f.entitlements.liveGroups(guestUserID: assignment.guestUserID, now: Self.day(1)) == nil)
        #expect(try await f.entitlements.notices(recipientID: f.analyst.id) == [notice])
        #expect(
            try await f.entitlements.deletePackage(
                id: f.package.id, tenantID: f.customer.id, now: Self.day(1), audit: audit(f, "accessPackage.delete"))
                == .deleted)
        try await f.db.close()
    }

    @Test(arguments: TestDatabase.available) func approversIncludeGuestsHoldingTheApproverGroup(database: TestDatabase)
        async throws
    {
        let f = try await fixture(database)
        let approverPackage = AccessPackage(
            id: .random(), tenantID: f.customer.id, name: "Approvers", description: "", groupIDs: [f.approversGroup.id],
            requestorTenantIDs: [f.mssp.id], approverGroupID: nil, requiresJustification: false, expiryDays: 30,
            reviewIntervalDays: nil, createdAt: Self.t0)
        try await f.entitlements.save(approverPackage, audit: audit(f, "accessPackage.create"))
        let asked = AccessRequest(
            id: .random(), tenantID: f.customer.id, packageID: approverPackage.id, requesterID: f.analyst.id,
            requesterTenantID: f.mssp.id, requesterName: f.analyst.userPrincipalName, justification: "", status: .pending,
            createdAt: Self.t0)
        _ = try await f.entitlements.create(asked, audit: audit(f, "accessRequest.create"), notices: [])
        #expect(try await !f.entitlements.approverRecipients(of: f.package, now: Self.t0).contains(f.analyst.id))
        let guest = User(
            id: .random(), tenantID: f.customer.id, userPrincipalName: "g#EXT#@\(f.customer.domain)", displayName: "",
            role: .member, enabled: true, createdAt: Self.t0, homeUserID: f.analyst.id)
        _ = try await f.entitlements.decide(
            requestID: asked.id, tenantID: f.customer.id,
            grant: .init(guest: guest, homeUser: f.analyst, expiresAt: Self.day(30)), by: "admin", reason: "",
            now: Self.t0, audit: audit(f, "accessRequest.approve"), notices: [])
        #expect(try await f.entitlements.approverRecipients(of: f.package, now: Self.day(1)).contains(f.analyst.id))
        #expect(try await !f.entitlements.approverRecipients(of: f.package, now: Self.day(31)).contains(f.analyst.id))
        try await f.db.close()
    }
}
