/// A push connector: where a tenant's (or, for an MSSP, every delegated tenant's) alert changes go, in which
/// format, filtered how. Its position in the event log is its checkpoint.
public struct Connector: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable, Codable {
        case cef
        case leef
        case json
        case ocsf
    }

    public enum State: String, Sendable, Codable {
        case active
        case paused
    }

    /// Syslog over TCP with octet counting, in clear or over TLS (RFC 5425).
    public struct SyslogTarget: Sendable, Equatable, Codable {
        public var host: String
        public var port: Int
        public var tls: Bool
        /// PEM roots that must have signed the receiver's certificate; the system's when nil.
        public var caFile: String?

        public init(host: String, port: Int, tls: Bool, caFile: String? = nil) {
            self.host = host
            self.port = port
            self.tls = tls
            self.caFile = caFile
        }
    }

    public var id: ObjectID
    /// The tenant that owns the connector.
    public var tenantID: TenantID
    public var name: String
    /// For an MSSP: every customer tenant that authorizes the app `delegatedApp`, each under that tenant's grant.
    public var delegatedApp: ObjectID?
    public var target: SyslogTarget
    public var format: Format
    /// Empty: every severity.
    public var severities: Set<AlertSeverity>
    /// Device-group names; empty: every group.
    public var deviceGroups: Set<String>
    /// `created`, `updated`, `resolved`; empty: every kind.
    public var kinds: Set<String>
    public var state: State
    public var createdAt: Timestamp

    public init(
        id: ObjectID, tenantID: TenantID, name: String, delegatedApp: ObjectID?, target: SyslogTarget, format: Format,
        severities: Set<AlertSeverity>, deviceGroups: Set<String>, kinds: Set<String>, state: State, createdAt: Timestamp
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.delegatedApp = delegatedApp
        self.target = target
        self.format = format
        self.severities = severities
        self.deviceGroups = deviceGroups
        self.kinds = kinds
        self.state = state
        self.createdAt = createdAt
    }

    public static let eventKinds: Set<String> = ["created", "updated", "resolved"]

    /// Whether an event of `kind` on `alert` passes the connector's filters.
    public func accepts(kind: String, severity: AlertSeverity, deviceGroup: String?) -> Bool {
        (kinds.isEmpty || kinds.contains(kind)) && (severities.isEmpty || severities.contains(severity))
            && (deviceGroups.isEmpty || deviceGroup.map(deviceGroups.contains) == true)
    }

    /// Checks what a person typed.
    public func validated() throws(RampartError) -> Connector {
        guard (1...100).contains(name.count) else {
            throw .invalidInput(code: "InvalidInput", message: "The connector name must be 1 to 100 characters.")
        }
        guard !target.host.isEmpty, target.host.count <= 255, !target.host.contains(where: { $0 == " " || $0 == "/" }) else {
            throw .invalidInput(code: "InvalidInput", message: "The receiver host is not a host name or address.")
        }
        guard (1...65535).contains(target.port) else {
            throw .invalidInput(code: "InvalidInput", message: "The receiver port must be between 1 and 65535.")
        }
        guard kinds.isSubset(of: Self.eventKinds) else {
            throw .invalidInput(code: "InvalidInput", message: "Event kinds are created, updated and resolved.")
        }
        return self
    }
}

/// What a connector has done: for the portal, the API and `/metrics`.
public struct ConnectorHealth: Sendable, Equatable {
    public var sent: Int64
    public var failed: Int64
    public var deadLettered: Int64
    public var attempts: Int
    public var lastError: String?
    public var lastSentAt: Timestamp?
    /// Settled events not yet read by the connector (any tenant's; a bound on what it still has to do).
    public var lag: Int64

    public init(
        sent: Int64, failed: Int64, deadLettered: Int64, attempts: Int, lastError: String?, lastSentAt: Timestamp?, lag: Int64
    ) {
        self.sent = sent
        self.failed = failed
        self.deadLettered = deadLettered
        self.attempts = attempts
        self.lastError = lastError
        self.lastSentAt = lastSentAt
        self.lag = lag
    }
}
