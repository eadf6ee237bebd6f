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
        /// A client certificate and key (PEM files) for receivers that authenticate senders (RFC 5425 §5.2).
        public var clientCertFile: String?
        public var clientKeyFile: String?
        /// `rfc3164` for receivers that want the old BSD header; RFC 5424 otherwise.
        public var header: String?
        /// UDP (RFC 5426) as an explicit legacy choice: no TLS, no delivery guarantee, messages above
        /// `maximumDatagramBytes` replaced by a short record that stays valid in its format.
        public var udp: Bool?
        public var maximumDatagramBytes: Int?

        public init(
            host: String, port: Int, tls: Bool, caFile: String? = nil, clientCertFile: String? = nil,
            clientKeyFile: String? = nil, header: String? = nil, udp: Bool? = nil, maximumDatagramBytes: Int? = nil
        ) {
            self.host = host
            self.port = port
            self.tls = tls
            self.caFile = caFile
            self.clientCertFile = clientCertFile
            self.clientKeyFile = clientKeyFile
            self.header = header
            self.udp = udp
            self.maximumDatagramBytes = maximumDatagramBytes
        }

        public var usesRFC3164: Bool { header?.lowercased() == "rfc3164" }
        public var datagramLimit: Int { maximumDatagramBytes ?? 2048 }
    }

    /// A JSON POST to any HTTPS endpoint, signed with HMAC-SHA256 over the timestamp and the body.
    public struct WebhookTarget: Sendable, Equatable, Codable {
        public var url: String
        public var caFile: String?

        public init(url: String, caFile: String? = nil) {
            self.url = url
            self.caFile = caFile
        }
    }

    /// Splunk's HTTP Event Collector: batched envelopes, optionally confirmed by indexer acknowledgement.
    public struct HECTarget: Sendable, Equatable, Codable {
        /// The collector's base URL, e.g. `https://splunk.example:8088`.
        public var url: String
        public var useAck: Bool
        public var index: String?
        public var sourcetype: String?
        public var caFile: String?

        public init(url: String, useAck: Bool, index: String? = nil, sourcetype: String? = nil, caFile: String? = nil) {
            self.url = url
            self.useAck = useAck
            self.index = index
            self.sourcetype = sourcetype
            self.caFile = caFile
        }
    }

    public enum Transport: Sendable, Equatable, Codable {
        case syslog(SyslogTarget)
        case webhook(WebhookTarget)
        case hec(HECTarget)

        public var name: String {
            switch self {
            case .syslog: "syslog"
            case .webhook: "webhook"
            case .hec: "hec"
            }
        }
    }

    public var id: ObjectID
    /// The tenant that owns the connector.
    public var tenantID: TenantID
    public var name: String
    /// For an MSSP: every customer tenant that authorizes the app `delegatedApp`, each under that tenant's grant.
    public var delegatedApp: ObjectID?
    public var transport: Transport
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
        id: ObjectID, tenantID: TenantID, name: String, delegatedApp: ObjectID?, transport: Transport, format: Format,
        severities: Set<AlertSeverity>, deviceGroups: Set<String>, kinds: Set<String>, state: State, createdAt: Timestamp
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.delegatedApp = delegatedApp
        self.transport = transport
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

    static func checkURL(_ text: String) throws(RampartError) {
        let lower = text.lowercased()
        guard text.count <= 2000, lower.hasPrefix("https://") || lower.hasPrefix("http://"),
            !text.contains(where: { $0 == " " || $0 == "\n" || $0 == "\r" })
        else {
            throw .invalidInput(code: "InvalidInput", message: "The receiver URL must be an http:// or https:// URL.")
        }
    }

    /// Checks what a person typed.
    public func validated() throws(RampartError) -> Connector {
        guard (1...100).contains(name.count) else {
            throw .invalidInput(code: "InvalidInput", message: "The connector name must be 1 to 100 characters.")
        }
        switch transport {
        case .syslog(let target):
            guard !target.host.isEmpty, target.host.count <= 255, !target.host.contains(where: { $0 == " " || $0 == "/" })
            else {
                throw .invalidInput(code: "InvalidInput", message: "The receiver host is not a host name or address.")
            }
            guard (1...65535).contains(target.port) else {
                throw .invalidInput(code: "InvalidInput", message: "The receiver port must be between 1 and 65535.")
            }
            guard (target.clientCertFile == nil) == (target.clientKeyFile == nil) else {
                throw .invalidInput(
                    code: "InvalidInput", message: "A client certificate needs its key, and the key its certificate.")
            }
            guard target.header == nil || ["rfc5424", "rfc3164"].contains(target.header!.lowercased()) else {
                throw .invalidInput(code: "InvalidInput", message: "header must be rfc5424 or rfc3164.")
            }
            if target.udp == true {
                guard !target.tls else {
                    throw .invalidInput(code: "InvalidInput", message: "UDP carries no TLS: choose tls=false for a UDP receiver.")
                }
                guard (1200...65_000).contains(target.datagramLimit) else {
                    throw .invalidInput(code: "InvalidInput", message: "maximumDatagramBytes must be 1200 to 65000.")
                }
            }
        case .webhook(let target):
            try Self.checkURL(target.url)
        case .hec(let target):
            try Self.checkURL(target.url)
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
    /// Events after the checkpoint; measured when connectors are listed for people (0 on records taken for pushing).
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
