/// One entry of a tenant's audit log: who did what to which object, when, in which request.
public struct AuditEntry: Sendable, Equatable, Codable {
    public var tenantID: TenantID
    public var actor: String
    /// The actor's home tenant: differs from `tenantID` for guests and foreign apps.
    public var actorTenantID: TenantID
    /// A dotted verb such as `role.create` or `deviceGroup.delete`.
    public var action: String
    public var target: String
    public var details: String
    public var requestID: String?
    public var time: Timestamp

    public init(
        tenantID: TenantID, actor: String, actorTenantID: TenantID, action: String, target: String, details: String,
        requestID: String?, time: Timestamp
    ) {
        self.tenantID = tenantID
        self.actor = actor
        self.actorTenantID = actorTenantID
        self.action = action
        self.target = target
        self.details = details
        self.requestID = requestID
        self.time = time
    }

    /// An entry for an action taken with `scope` in its tenant, now, in the current request.
    public static func make(_ scope: AccessScope, action: String, target: String, details: String = "") -> AuditEntry {
        AuditEntry(
            tenantID: scope.tenantID, actor: scope.principal.displayName, actorTenantID: scope.principal.tenantID,
            action: action, target: target, details: details, requestID: RequestTrace.requestID, time: .now())
    }

    /// The text the chain hashes: every field, unambiguously separated.
    public var canonicalText: String {
        [
            tenantID.description, actor, actorTenantID.description, action, target, details, requestID ?? "",
            String(time.ticks),
        ].map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
    }
}

/// The id of the request being served, for the audit log and the logs; set by the server for each request.
public enum RequestTrace {
    @TaskLocal public static var requestID: String?
}
