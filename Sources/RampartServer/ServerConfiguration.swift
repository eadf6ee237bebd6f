import Logging
import RampartCore
import RampartDelivery
import RampartStore

/// Everything `rampart serve` can be told; see the configuration table in the README.
public struct ServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var dataDirectory: String = "./rampart-data"
    /// `postgres://…`; SQLite in the data directory when nil.
    public var databaseURL: String?
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// Generate (once) and use a self-signed certificate for localhost.
    public var developmentTLS: Bool = false
    /// The URL clients reach this server at; derived from host, port and TLS when nil.
    public var publicURL: String?
    /// The largest ingest body accepted, in bytes.
    public var maximumIngestBytes: Int = 16 << 20
    public var logLevel: String = "info"
    /// Seed the demo world on start.
    public var demo: Bool = false
    /// Calls per principal and tenant to the Defender API (alerts, machines); 0 turns a window off.
    public var apiRateLimit: RateLimit = .defenderAlerts
    /// Calls per principal and tenant to `POST /api/alerts/batchUpdate`.
    public var batchRateLimit: RateLimit = .defenderBatchUpdate
    /// Calls per principal and tenant to Graph's `/v1.0/security/alerts_v2`.
    public var graphRateLimit: RateLimit = .graphSecurity
    /// Calls per principal and tenant to Defender XDR's `/api/incidents`.
    public var incidentRateLimit: RateLimit = .defenderIncidents
    /// How far apart in event time alerts sharing a device, user or indicator may be to join one incident.
    public var incidentWindowSeconds: Int64 = IncidentCorrelation.defaultWindowSeconds
    /// The SMTP relay for notification emails (`smtp+starttls://user:password@host:587`); a secret, never logged.
    public var smtpURL: String?
    /// The sender address of notification emails; required with `smtpURL`.
    public var mailFrom: String?
    /// First retry delay of an email the relay did not take; doubles per attempt up to `smtpRetryMaxSeconds`.
    public var smtpRetryBaseSeconds: Int = 30
    public var smtpRetryMaxSeconds: Int = 3600
    /// 32 bytes in base64 that seal stored secrets; a key file in the data directory is made when absent. Processes
    /// sharing one PostgreSQL must be given the same key.
    public var secretKey: String?
    /// A connector's first retry delay, doubling per failed attempt up to `connectorRetryMaxSeconds`.
    public var connectorRetryBaseSeconds: Int = 5
    public var connectorRetryMaxSeconds: Int = 300
    /// Failed attempts after which a connector's batch goes to its dead letters.
    public var connectorMaxAttempts: Int = 8
    /// How long a process holds a connector: another process takes over a dead one's connectors after this.
    public var connectorLeaseSeconds: Int = 60
    /// Days the alert event log (the cursor API's history) is kept; older events are deleted once consumed.
    public var eventRetentionDays: Int = 30

    public init() {}

    /// The parsed relay; nil when none is configured or it does not parse (`validate` reports why).
    public var smtp: SMTPConfiguration? {
        guard let smtpURL, !smtpURL.isEmpty else { return nil }
        return try? SMTPConfiguration.parse(url: smtpURL, mailFrom: mailFrom ?? "")
    }

    public var usesTLS: Bool { developmentTLS || tlsCertificatePath != nil }

    /// The base URL without a trailing slash.
    public var resolvedPublicURL: String {
        if let publicURL, !publicURL.isEmpty {
            return publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        }
        let shownHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        return "\(usesTLS ? "https" : "http")://\(shownHost):\(port)"
    }

    /// Checks combinations that cannot work, with a message for the operator.
    public func validate() throws(ConfigurationError) {
        guard (1...65535).contains(port) else { throw ConfigurationError("port must be between 1 and 65535, not \(port)") }
        if (tlsCertificatePath == nil) != (tlsKeyPath == nil) {
            throw ConfigurationError("--tls-cert and --tls-key must be given together")
        }
        if developmentTLS && tlsCertificatePath != nil {
            throw ConfigurationError("--dev-tls and --tls-cert exclude each other")
        }
        if let databaseURL, !databaseURL.isEmpty, !databaseURL.hasPrefix("postgres://"), !databaseURL.hasPrefix("postgresql://") {
            throw ConfigurationError("--database-url must start with postgres://")
        }
        guard maximumIngestBytes >= 1024 else { throw ConfigurationError("the ingest body limit must be at least 1024 bytes") }
        for limit in [apiRateLimit, batchRateLimit, graphRateLimit, incidentRateLimit]
        where limit.perMinute < 0 || limit.perHour < 0 {
            throw ConfigurationError("rate limits cannot be negative (0 turns a window off)")
        }
        if let smtpURL, !smtpURL.isEmpty {
            do {
                _ = try SMTPConfiguration.parse(url: smtpURL, mailFrom: mailFrom ?? "")
            } catch {
                throw ConfigurationError(error.description)
            }
        }
        guard connectorRetryBaseSeconds >= 1, connectorRetryMaxSeconds >= connectorRetryBaseSeconds, connectorMaxAttempts >= 1,
            connectorLeaseSeconds >= 5
        else {
            throw ConfigurationError("connector retry delays must be at least 1 s, attempts at least 1 and leases at least 5 s")
        }
        guard (60...30 * 86_400).contains(incidentWindowSeconds) else {
            throw ConfigurationError("the incident correlation window must be 60 seconds to 30 days")
        }
        guard (1...3650).contains(eventRetentionDays) else {
            throw ConfigurationError("the event retention must be 1 to 3650 days")
        }
        guard smtpRetryBaseSeconds >= 1, smtpRetryMaxSeconds >= smtpRetryBaseSeconds else {
            throw ConfigurationError("SMTP retry delays must be at least 1 s, the maximum no less than the first")
        }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
