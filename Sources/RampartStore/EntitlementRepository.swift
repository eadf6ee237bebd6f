import RampartCore

/// Access packages, requests for them, and the guest assignments approvals create.
public struct EntitlementRepository: Sendable {
    let db: any SQLExecutor

    public init(db: any SQLExecutor) { self.db = db }

    // MARK: Packages

    public func packages(tenantID: TenantID) async throws -> [AccessPackage] {
        try await Self.packages(db, "p.tenant_id = \(bind: tenantID)")
    }

    public func package(id: ObjectID) async throws -> AccessPackage? {
        try await Self.packages(db, "p.id = \(bind: id)").first
    }

    public func packages(ids: Set<ObjectID>) async throws -> [AccessPackage] {
        guard !ids.isEmpty else { return [] }
        let list = SQL.joined(ids.map { "\(bind: $0)" }, separator: ", ")
        return try await Self.packages(db, "p.id IN (" + list + ")")
    }

    /// Packages users of `organization` may request: named as requestor, and the organization still connected.
    public func requestable(by organization: TenantID) async throws -> [AccessPackage] {
        try await Self.packages(
            db,
            """
            EXISTS (SELECT 1 FROM access_package_requestors r WHERE r.package_id = p.id AND r.org_tenant_id = \(bind: organization))
            AND EXISTS (SELECT 1 FROM connected_orgs c WHERE c.tenant_id = p.tenant_id AND c.org_tenant_id = \(bind: organization))
            """)
    }

    static func packages(_ db: any SQLQuerying, _ condition: SQL) async throws -> [AccessPackage] {
        let rows = try await db.query("SELECT p.* FROM access_packages p WHERE " + condition + " ORDER BY p.name, p.id")
        guard !rows.isEmpty else { return [] }
        let ids = SQL.joined(rows.map { "\(bind: (try? $0.string("id")) ?? "")" }, separator: ", ")
        var groups: [String: Set<ObjectID>] = [:]
        for row in try await db.query("SELECT package_id, group_id FROM access_package_groups WHERE package_id IN (" + ids + ")")
        {
            groups[try row.string("package_id"), default: []].insert(try row.objectID("group_id"))
        }
        var requestors: [String: Set<TenantID>] = [:]
        for row in try await db.query(
            "SELECT package_id, org_tenant_id FROM access_package_requestors WHERE package_id IN (" + ids + ")")
        {
            requestors[try row.string("package_id"), default: []].insert(try row.tenantID("org_tenant_id"))
        }
        return try rows.map { row in
            let id = try row.string("id")
            return AccessPackage(
                id: try row.objectID("id"), tenantID: try row.tenantID("tenant_id"), name: try row.string("name"),
                description: try row.string("description"), groupIDs: groups[id] ?? [],
                requestorTenantIDs: requestors[id] ?? [],
                approverGroupID: row.optionalString("approver_group_id").flatMap(ObjectID.init),
                requiresJustification: try row.bool("requires_justification"), expiryDays: Int(try row.int("expiry_days")),
                reviewIntervalDays: row.optionalInt("review_interval_days").map { Int($0) },
                createdAt: try row.timestamp("created_at"))
        }
    }

    /// Inserts or replaces a package with its groups and requestors.
    public func save(_ package: AccessPackage, audit: AuditEntry) async throws {
        try await db.transaction { db in
            try await AuditRepository.append(audit, in: db)
            let existing = try await db.queryOne(
                "SELECT id FROM access_packages WHERE id = \(bind: package.id) AND tenant_id = \(bind: package.tenantID)")
            if existing == nil {
                try await db.execute(
                    """
                    INSERT INTO access_packages (id, tenant_id, name, description, approver_group_id, requires_justification,
                        expiry_days, review_interval_days, created_at)
                    VALUES (\(bind: package.id), \(bind: package.tenantID), \(bind: package.name), \(bind: package.description),
                        \(bind: package.approverGroupID), \(bind: package.requiresJustification), \(bind: package.expiryDays),
                        \(bind: package.reviewIntervalDays), \(bind: package.createdAt))
                    """)
            } else {
                try await db.execute(
                    """
                    UPDATE access_packages SET name = \(bind: package.name), description = \(bind: package.description),
                        approver_group_id = \(bind: package.approverGroupID),
                        requires_justification = \(bind: package.requiresJustification),
                        expiry_days = \(bind: package.expiryDays), review_interval_days = \(bind: package.reviewIntervalDays)
                    WHERE id = \(bind: package.id)
                    """)
            }
            try await db.execute("DELETE FROM access_package_groups WHERE package_id = \(bind: package.id)")
            try await db.execute("DELETE FROM access_package_requestors WHERE package_id = \(bind: package.id)")
            try await db.insert(
                into: "access_package_groups", columns: ["package_id", "group_id"],
                rows: package.groupIDs.map(\.description).sorted().map { [.text(package.id.description), .text($0)] })
            try await db.insert(
                into: "access_package_requestors", columns: ["package_id", "org_tenant_id"],
                rows: package.requestorTenantIDs.map(\.description).sorted().map { [.text(package.id.description), .text($0)] })
        }
    }

    public enum DeleteOutcome: Sendable, Equatable {
        case deleted
        case notFound
        case hasActiveAssignments
    }

    /// A package goes only when nobody holds it any more; its history (requests, past assignments) goes with it.
    public func deletePackage(id: ObjectID, tenantID: TenantID, now: Timestamp, audit: AuditEntry) async throws
        -> DeleteOutcome
    {
        try await db.transaction { db in
            guard
                try await db.queryOne("SELECT id FROM access_packages WHERE id = \(bind: id) AND tenant_id = \(bind: tenantID)")
                    != nil
            else { return .notFound }
            let active = try await db.queryOne(
                """
                SELECT id FROM access_assignments
                WHERE package_id = \(bind: id) AND revoked_at IS NULL AND expires_at > \(bind: now) LIMIT 1
                """)
            guard active == nil else { return .hasActiveAssignments }
            try await AuditRepository.append(audit, in: db)
            for table in ["access_assignments", "access_requests", "access_package_groups", "access_package_requestors"] {
                try await db.execute("DELETE FROM \(raw: table) WHERE package_id = \(bind: id)")
            }
            try await db.execute("DELETE FROM access_packages WHERE id = \(bind: id)")
            return .deleted
        }
    }

    // MARK: Requests

    /// Files a request unless the requester already has one pending for the package; returns whether it was filed.
    public func create(_ request: AccessRequest, audit: AuditEntry, notices: [AccessNotice]) async throws -> Bool {
        try await db.transaction { db in
            let pending = try await db.queryOne(
                """
                SELECT id FROM access_requests WHERE package_id = \(bind: request.packageID)
                AND requester_id = \(bind: request.requesterID) AND status = 'pending'
                """)
            guard pending == nil else { return false }
            try await AuditRepository.append(audit, in: db)
            try await db.execute(
                """
                INSERT INTO access_requests (id, tenant_id, package_id, requester_id, requester_tenant_id, requester_name,
                    justification, status, created_at)
                VALUES (\(bind: request.id), \(bind: request.tenantID), \(bind: request.packageID), \(bind: request.requesterID),
                    \(bind: request.requesterTenantID), \(bind: request.requesterName), \(bind: request.justification),
                    \(bind: request.status.rawValue), \(bind: request.createdAt))
                """)
            try await Self.insert(notices, in: db)
            return true
        }
    }

    public func request(id: ObjectID) async throws -> AccessRequest? {
        try await db.queryOne("SELECT * FROM access_requests WHERE id = \(bind: id)").map(Self.request)
    }

    public func requests(tenantID: TenantID, status: AccessRequestStatus? = nil) async throws -> [AccessRequest] {
        var sql: SQL = "SELECT * FROM access_requests WHERE tenant_id = \(bind: tenantID)"
        if let status { sql = sql + " AND status = \(bind: status.rawValue)" }
        return try await db.query(sql + " ORDER BY created_at DESC, id").map(Self.request)
    }

    public func requests(requesterID: ObjectID) async throws -> [AccessRequest] {
        try await db.query("SELECT * FROM access_requests WHERE requester_id = \(bind: requesterID) ORDER BY created_at DESC, id")
            .map(Self.request)
    }

    static func request(_ row: SQLRow) throws -> AccessRequest {
        AccessRequest(
            id: try row.objectID("id"), tenantID: try row.tenantID("tenant_id"), packageID: try row.objectID("package_id"),
            requesterID: try row.objectID("requester_id"), requesterTenantID: try row.tenantID("requester_tenant_id"),
            requesterName: try row.string("requester_name"), justification: try row.string("justification"),
            status: AccessRequestStatus(rawValue: try row.string("status")) ?? .pending,
            createdAt: try row.timestamp("created_at"), decidedAt: row.optionalTimestamp("decided_at"),
            decidedBy: row.optionalString("decided_by"), decisionReason: row.optionalString("decision_reason"))
    }

    /// What an approval needs to create or extend the guest's assignment.
    public struct Grant: Sendable {
        public var guest: User
        public var homeUser: User
        public var expiresAt: Timestamp

        public init(guest: User, homeUser: User, expiresAt: Timestamp) {
            self.guest = guest
            self.homeUser = homeUser
            self.expiresAt = expiresAt
        }
    }

    /// Decides a pending request: `grant` approves it, `nil` denies it. Returns the decided request, or `nil` when it was
    /// no longer pending (another approver was first). Approval reuses the guest account and extends a live assignment.
    public func decide(
        requestID: ObjectID, tenantID: TenantID, grant: Grant?, by approver: String, reason: String, now: Timestamp,
        audit: AuditEntry, notices: [AccessNotice]
    ) async throws -> AccessRequest? {
        try await db.transaction { db in
            let status: AccessRequestStatus = grant == nil ? .denied : .approved
            let updated = try await db.query(
                """
                UPDATE access_requests SET status = \(bind: status.rawValue), decided_at = \(bind: now),
                    decided_by = \(bind: approver), decision_reason = \(bind: reason)
                WHERE id = \(bind: requestID) AND tenant_id = \(bind: tenantID) AND status = 'pending' RETURNING *
                """)
            guard let row = updated.first else { return nil }
            let request = try Self.request(row)
            try await AuditRepository.append(audit, in: db)
            try await Self.insert(notices, in: db)
            guard let grant else { return request }
            var guestID = grant.guest.id
            if let existing = try await db.queryOne(
                "SELECT id FROM users WHERE home_user_id = \(bind: grant.homeUser.id) AND tenant_id = \(bind: tenantID)")
            {
                guestID = try existing.objectID("id")
            } else {
                try await db.execute(
                    """
                    INSERT INTO users (id, tenant_id, upn, display_name, password_hash, role, enabled, created_at, home_user_id)
                    VALUES (\(bind: guestID), \(bind: tenantID), \(bind: grant.guest.userPrincipalName.lowercased()),
                        \(bind: grant.guest.displayName), '!', 'member', \(bind: true), \(bind: now), \(bind: grant.homeUser.id))
                    """)
            }
            let live = try await db.query(
                """
                UPDATE access_assignments SET expires_at = \(bind: grant.expiresAt), request_id = \(bind: request.id)
                WHERE package_id = \(bind: request.packageID) AND guest_user_id = \(bind: guestID)
                AND revoked_at IS NULL AND expires_at > \(bind: now) RETURNING id
                """)
            if live.isEmpty {
                try await db.execute(
                    """
                    INSERT INTO access_assignments (id, tenant_id, package_id, guest_user_id, home_user_id, home_tenant_id,
                        home_user_name, request_id, granted_at, expires_at)
                    VALUES (\(bind: ObjectID.random()), \(bind: tenantID), \(bind: request.packageID), \(bind: guestID),
                        \(bind: grant.homeUser.id), \(bind: grant.homeUser.tenantID), \(bind: grant.homeUser.userPrincipalName),
                        \(bind: request.id), \(bind: now), \(bind: grant.expiresAt))
                    """)
            }
            return request
        }
    }

    // MARK: Assignments

    public func assignments(tenantID: TenantID) async throws -> [AccessAssignment] {
        try await db.query("SELECT * FROM access_assignments WHERE tenant_id = \(bind: tenantID) ORDER BY granted_at DESC, id")
            .map(Self.assignment)
    }

    public func assignments(homeUserID: ObjectID) async throws -> [AccessAssignment] {
        try await db.query(
            "SELECT * FROM access_assignments WHERE home_user_id = \(bind: homeUserID) ORDER BY granted_at DESC, id"
        ).map(Self.assignment)
    }

    static func assignment(_ row: SQLRow) throws -> AccessAssignment {
        AccessAssignment(
            id: try row.objectID("id"), tenantID: try row.tenantID("tenant_id"), packageID: try row.objectID("package_id"),
            guestUserID: try row.objectID("guest_user_id"), homeUserID: try row.objectID("home_user_id"),
            homeTenantID: try row.tenantID("home_tenant_id"), homeUserName: try row.string("home_user_name"),
            requestID: try row.objectID("request_id"), grantedAt: try row.timestamp("granted_at"),
            expiresAt: try row.timestamp("expires_at"), revokedAt: row.optionalTimestamp("revoked_at"),
            revokedBy: row.optionalString("revoked_by"))
    }

    /// Ends a live assignment now; returns it, or `nil` when the tenant has no live assignment with this id.
    public func revoke(
        assignmentID: ObjectID, tenantID: TenantID, by actor: String, now: Timestamp, audit: AuditEntry,
        notices: @escaping @Sendable (AccessAssignment) -> [AccessNotice]
    ) async throws -> AccessAssignment? {
        try await db.transaction { db in
            let rows = try await db.query(
                """
                UPDATE access_assignments SET revoked_at = \(bind: now), revoked_by = \(bind: actor)
                WHERE id = \(bind: assignmentID) AND tenant_id = \(bind: tenantID)
                AND revoked_at IS NULL AND expires_at > \(bind: now) RETURNING *
                """)
            guard let row = rows.first else { return nil }
            let assignment = try Self.assignment(row)
            try await AuditRepository.append(audit, in: db)
            try await Self.insert(notices(assignment), in: db)
            return assignment
        }
    }

    /// The groups a guest holds through live assignments, or `nil` when the guest holds no live assignment at all.
    public func liveGroups(guestUserID: ObjectID, now: Timestamp) async throws -> Set<ObjectID>? {
        let rows = try await db.query(
            """
            SELECT a.id, g.group_id FROM access_assignments a
            LEFT JOIN access_package_groups g ON g.package_id = a.package_id
            WHERE a.guest_user_id = \(bind: guestUserID) AND a.revoked_at IS NULL AND a.expires_at > \(bind: now)
            """)
        guard !rows.isEmpty else { return nil }
        return Set(rows.compactMap { $0.optionalString("group_id").flatMap(ObjectID.init) })
    }

    /// Tenants where the home user holds a live assignment, with the latest expiry there.
    public func guestTenants(homeUserID: ObjectID, now: Timestamp) async throws -> [(Tenant, Timestamp)] {
        try await db.query(
            """
            SELECT t.*, MAX(a.expires_at) AS expires FROM access_assignments a JOIN tenants t ON t.id = a.tenant_id
            WHERE a.home_user_id = \(bind: homeUserID) AND a.revoked_at IS NULL AND a.expires_at > \(bind: now)
            GROUP BY t.id, t.name, t.domain, t.kind, t.is_operator, t.created_at ORDER BY t.name
            """
        ).map { (try DirectoryRepository.tenant($0), try $0.timestamp("expires")) }
    }

    /// The guest account standing for `homeUserID` in `tenantID`, if one was ever made.
    public func guest(homeUserID: ObjectID, tenantID: TenantID) async throws -> User? {
        try await db.queryOne(
            "SELECT * FROM users WHERE home_user_id = \(bind: homeUserID) AND tenant_id = \(bind: tenantID)"
        ).map(DirectoryRepository.user)
    }

    /// Home accounts of the people who decide the package's requests: the tenant's administrators, the approver group's
    /// direct members, and guests who hold that group through a live assignment.
    public func approverRecipients(of package: AccessPackage, now: Timestamp) async throws -> Set<ObjectID> {
        var recipients = Set(
            try await db.query(
                "SELECT id FROM users WHERE tenant_id = \(bind: package.tenantID) AND role = 'admin' AND enabled = \(bind: true)"
            ).map { try $0.objectID("id") })
        guard let group = package.approverGroupID else { return recipients }
        for row in try await db.query(
            """
            SELECT COALESCE(u.home_user_id, u.id) AS person FROM group_members m JOIN users u ON u.id = m.user_id
            WHERE m.group_id = \(bind: group)
            UNION
            SELECT a.home_user_id AS person FROM access_assignments a
            JOIN access_package_groups g ON g.package_id = a.package_id
            WHERE g.group_id = \(bind: group) AND a.revoked_at IS NULL AND a.expires_at > \(bind: now)
            """)
        {
            recipients.insert(try row.objectID("person"))
        }
        return recipients
    }

    // MARK: Notices

    public func notices(recipientID: ObjectID, limit: Int = 50) async throws -> [AccessNotice] {
        try await db.query(
            "SELECT * FROM access_notices WHERE recipient_id = \(bind: recipientID) ORDER BY at DESC, id LIMIT \(bind: limit)"
        ).map { row in
            AccessNotice(
                id: try row.objectID("id"), recipientID: try row.objectID("recipient_id"),
                tenantID: try row.tenantID("tenant_id"),
                kind: AccessNoticeKind(rawValue: try row.string("kind")) ?? .approvalNeeded,
                packageName: try row.string("package_name"), subject: try row.string("subject"), at: try row.timestamp("at"))
        }
    }

    static func insert(_ notices: [AccessNotice], in db: any SQLQuerying) async throws {
        try await db.insert(
            into: "access_notices", columns: ["id", "recipient_id", "tenant_id", "kind", "package_name", "subject", "at"],
            rows: notices.map { notice in
                [
                    .text(notice.id.description), .text(notice.recipientID.description), .text(notice.tenantID.description),
                    .text(notice.kind.rawValue), .text(notice.packageName), .text(notice.subject), .integer(notice.at.ticks),
                ]
            })
    }
}
