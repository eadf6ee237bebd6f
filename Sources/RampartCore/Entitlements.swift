/// A bundle of group memberships a customer offers to users of its connected organizations (Entra's access package).
public struct AccessPackage: Sendable, Equatable, Codable {
    public static let defaultExpiryDays = 365
    public static let maximumExpiryDays = 3650

    public var id: ObjectID
    public var tenantID: TenantID
    public var name: String
    public var description: String
    /// The security groups an assignment makes the guest a member of, and so its roles and device groups.
    public var groupIDs: Set<ObjectID>
    /// Users of these tenants may request the package; each must be a connected organization.
    public var requestorTenantIDs: Set<TenantID>
    /// Members of this group decide requests; `nil` means the tenant's administrators.
    public var approverGroupID: ObjectID?
    public var requiresJustification: Bool
    public var expiryDays: Int
    /// How often assignments should be reviewed; `nil` for no review.
    public var reviewIntervalDays: Int?
    public var createdAt: Timestamp

    public init(
        id: ObjectID, tenantID: TenantID, name: String, description: String, groupIDs: Set<ObjectID>,
        requestorTenantIDs: Set<TenantID>, approverGroupID: ObjectID?, requiresJustification: Bool,
        expiryDays: Int = AccessPackage.defaultExpiryDays, reviewIntervalDays: Int?, createdAt: Timestamp
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.description = description
        self.groupIDs = groupIDs
        self.requestorTenantIDs = requestorTenantIDs
        self.approverGroupID = approverGroupID
        self.requiresJustification = requiresJustification
        self.expiryDays = expiryDays
        self.reviewIntervalDays = reviewIntervalDays
        self.createdAt = createdAt
    }

    /// Whether someone acting in the package's tenant with `scope` may approve or deny its requests.
    public func isApprover(_ scope: AccessScope) -> Bool {
        guard scope.tenantID == tenantID else { return false }
        if scope.allows(.manageEntitlements) { return true }
        guard let approverGroupID else { return false }
        return scope.groupIDs.contains(approverGroupID)
    }

    /// The path of the durable request link, valid for as long as the package exists.
    public var requestPath: String { "/access/request/\(id)" }
}

public enum AccessRequestStatus: String, Sendable, Codable, CaseIterable {
    case pending
    case approved
    case denied
    case cancelled
}

/// A user of a connected organization asking for a package.
public struct AccessRequest: Sendable, Equatable, Codable {
    public var id: ObjectID
    /// The customer tenant that owns the package.
    public var tenantID: TenantID
    public var packageID: ObjectID
    /// The requester's account in their home tenant.
    public var requesterID: ObjectID
    public var requesterTenantID: TenantID
    public var requesterName: String
    public var justification: String
    public var status: AccessRequestStatus
    public var createdAt: Timestamp
    public var decidedAt: Timestamp?
    public var decidedBy: String?
    public var decisionReason: String?

    public init(
        id: ObjectID, tenantID: TenantID, packageID: ObjectID, requesterID: ObjectID, requesterTenantID: TenantID,
        requesterName: String, justification: String, status: AccessRequestStatus, createdAt: Timestamp,
        decidedAt: Timestamp? = nil, decidedBy: String? = nil, decisionReason: String? = nil
    ) {
        self.id = id
        self.tenantID = tenantID
        self.packageID = packageID
        self.requesterID = requesterID
        self.requesterTenantID = requesterTenantID
        self.requesterName = requesterName
        self.justification = justification
        self.status = status
        self.createdAt = createdAt
        self.decidedAt = decidedAt
        self.decidedBy = decidedBy
        self.decisionReason = decisionReason
    }
}

public enum AccessAssignmentState: String, Sendable, Codable {
    case active
    case expired
    case revoked
}

/// A guest's hold on a package: its group memberships, from approval until expiry or revocation.
public struct AccessAssignment: Sendable, Equatable, Codable {
    public var id: ObjectID
    public var tenantID: TenantID
    public var packageID: ObjectID
    /// The guest account in `tenantID`, linked to the home user.
    public var guestUserID: ObjectID
    public var homeUserID: ObjectID
    public var homeTenantID: TenantID
    public var homeUserName: String
    public var requestID: ObjectID
    public var grantedAt: Timestamp
    public var expiresAt: Timestamp
    public var revokedAt: Timestamp?
    public var revokedBy: String?

    public init(
        id: ObjectID, tenantID: TenantID, packageID: ObjectID, guestUserID: ObjectID, homeUserID: ObjectID,
        homeTenantID: TenantID, homeUserName: String, requestID: ObjectID, grantedAt: Timestamp, expiresAt: Timestamp,
        revokedAt: Timestamp? = nil, revokedBy: String? = nil
    ) {
        self.id = id
        self.tenantID = tenantID
        self.packageID = packageID
        self.guestUserID = guestUserID
        self.homeUserID = homeUserID
        self.homeTenantID = homeTenantID
        self.homeUserName = homeUserName
        self.requestID = requestID
        self.grantedAt = grantedAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.revokedBy = revokedBy
    }

    /// Judged at every request against the clock, so that no sweeper has to run for access to end.
    public func state(at now: Timestamp) -> AccessAssignmentState {
        if revokedAt != nil { return .revoked }
        return now < expiresAt ? .active : .expired
    }

    public func isActive(at now: Timestamp) -> Bool { state(at: now) == .active }

    /// When the assignment is next due for review, if the package asks for reviews.
    public func reviewDue(_ package: AccessPackage) -> Timestamp? {
        package.reviewIntervalDays.map { grantedAt.adding(seconds: Int64($0) * 86_400) }
    }

    /// The expiry an approval at `now` gives: the package's period from now.
    public static func expiry(of package: AccessPackage, approvedAt now: Timestamp) -> Timestamp {
        now.adding(seconds: Int64(package.expiryDays) * 86_400)
    }
}

/// The guest user name Entra gives an external user: `alice_mssp.example#EXT#@contoso.example`.
public enum GuestAccount {
    public static func userPrincipalName(home: String, resourceDomain: String) -> String {
        String(home.map { $0 == "@" ? "_" : $0 }) + "#EXT#@" + resourceDomain
    }
}

/// The time as the server sees it; tests inject their own to move past expiry dates.
public struct WallClock: Sendable {
    public let now: @Sendable () -> Timestamp

    public init(_ now: @escaping @Sendable () -> Timestamp) { self.now = now }

    public static let system = WallClock { .now() }
}

public enum AccessNoticeKind: String, Sendable, Codable, CaseIterable {
    /// To approvers and administrators: a request waits for a decision.
    case approvalNeeded
    case requestApproved
    case requestDenied
    case assignmentRevoked
}

/// What a requester, an approver or an administrator is told about a request or an assignment.
public struct AccessNotice: Sendable, Equatable, Codable {
    public var id: ObjectID
    /// A home account: the person who reads the notice.
    public var recipientID: ObjectID
    /// The customer tenant the notice is about.
    public var tenantID: TenantID
    public var kind: AccessNoticeKind
    public var packageName: String
    /// The other person: the requester for approvers, the approver for requesters.
    public var subject: String
    public var at: Timestamp

    public init(
        id: ObjectID = .random(), recipientID: ObjectID, tenantID: TenantID, kind: AccessNoticeKind, packageName: String,
        subject: String, at: Timestamp
    ) {
        self.id = id
        self.recipientID = recipientID
        self.tenantID = tenantID
        self.kind = kind
        self.packageName = packageName
        self.subject = subject
        self.at = at
    }
}
