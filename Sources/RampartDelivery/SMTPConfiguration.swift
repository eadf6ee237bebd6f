import Foundation
import RampartCore

/// The installation's SMTP relay, from `--smtp-url`:
/// `smtp://host:25` (plain), `smtp+starttls://user:pass@host:587` (STARTTLS required),
/// `smtp+starttls-optional://…` (STARTTLS when offered), `smtps://user:pass@host:465` (implicit TLS).
/// Query options: `ca=/path/ca.pem` (trust these roots instead of the system's), `timeout=30` (seconds per
/// reply), `helo=name`, `auth=plain|login` (force a mechanism).
public struct SMTPConfiguration: Sendable, Equatable, CustomStringConvertible {
    public enum Security: String, Sendable, Equatable {
        case plain
        case startTLS
        case startTLSIfOffered
        case implicitTLS
    }

    public enum AuthMechanism: String, Sendable, Equatable {
        case plain = "PLAIN"
        case login = "LOGIN"
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    public var caFile: String?
    public var timeoutSeconds: Int64
    public var heloName: String
    public var forcedMechanism: AuthMechanism?
    public var mailFrom: EmailAddress
    /// The name shown beside the sender address.
    public var fromName: String

    public init(
        host: String, port: Int, security: Security, username: String? = nil, password: String? = nil,
        caFile: String? = nil, timeoutSeconds: Int64 = 30, heloName: String = "rampart.localhost",
        forcedMechanism: AuthMechanism? = nil, mailFrom: EmailAddress, fromName: String = "Rampart"
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.caFile = caFile
        self.timeoutSeconds = timeoutSeconds
        self.heloName = heloName
        self.forcedMechanism = forcedMechanism
        self.mailFrom = mailFrom
        self.fromName = fromName
    }

    /// Parses `--smtp-url` and `--mail-from`; errors name the problem and never echo the password.
    public static func parse(url text: String, mailFrom: String) throws(ConfigurationProblem) -> SMTPConfiguration {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else { throw ConfigurationProblem("--smtp-url must look like smtp+starttls://user:password@host:587") }
        let security: Security
        let defaultPort: Int
        switch scheme {
        case "smtp": (security, defaultPort) = (.plain, 25)
        case "smtp+starttls": (security, defaultPort) = (.startTLS, 587)
        case "smtp+starttls-optional": (security, defaultPort) = (.startTLSIfOffered, 587)
        case "smtps": (security, defaultPort) = (.implicitTLS, 465)
        default:
            throw ConfigurationProblem(
                "--smtp-url scheme must be smtp, smtp+starttls, smtp+starttls-optional or smtps, not \(scheme)")
        }
        guard let from = EmailAddress(mailFrom) else {
            throw ConfigurationProblem("--mail-from must be an email address")
        }
        var configuration = SMTPConfiguration(
            host: host, port: components.port ?? defaultPort, security: security,
            username: components.user.flatMap { $0.removingPercentEncoding }.flatMap { $0.isEmpty ? nil : $0 },
            password: components.password.flatMap { $0.removingPercentEncoding }, mailFrom: from)
        guard (1...65535).contains(configuration.port) else { throw ConfigurationProblem("--smtp-url port is out of range") }
        for item in components.queryItems ?? [] {
            switch item.name {
            case "ca": configuration.caFile = item.value
            case "timeout":
                guard let seconds = item.value.flatMap(Int64.init), (1...600).contains(seconds) else {
                    throw ConfigurationProblem("--smtp-url timeout must be 1 to 600 seconds")
                }
                configuration.timeoutSeconds = seconds
            case "helo": configuration.heloName = item.value ?? configuration.heloName
            case "auth":
                guard let mechanism = item.value.flatMap({ AuthMechanism(rawValue: $0.uppercased()) }) else {
                    throw ConfigurationProblem("--smtp-url auth must be plain or login")
                }
                configuration.forcedMechanism = mechanism
            default: throw ConfigurationProblem("--smtp-url has an unknown option \(item.name)")
            }
        }
        if configuration.username != nil && configuration.security == .plain && !Self.isLoopback(host) {
            throw ConfigurationProblem(
                "--smtp-url sends a password without TLS to \(host): use smtp+starttls:// or smtps://")
        }
        return configuration
    }

    static func isLoopback(_ host: String) -> Bool { host == "localhost" || host == "127.0.0.1" || host == "::1" }

    /// The relay without the password, for logs and the portal.
    public var description: String {
        let scheme =
            switch security {
            case .plain: "smtp"
            case .startTLS: "smtp+starttls"
            case .startTLSIfOffered: "smtp+starttls-optional"
            case .implicitTLS: "smtps"
            }
        return "\(scheme)://\(username.map { "\($0)@" } ?? "")\(host):\(port)"
    }
}

public struct ConfigurationProblem: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
