import Foundation
import RampartCore
import RampartStore

/// A connector as the API and the CLI give it.
public struct ConnectorInput: Sendable, Codable {
    public var name: String
    /// `syslog` (default), `webhook` or `hec`.
    public var transport: String?
    public var host: String?
    public var port: Int?
    public var tls: Bool?
    /// syslog: `rfc5424` (default) or `rfc3164`; UDP as a legacy choice with a datagram size limit.
    public var header: String?
    /// syslog over TLS: a client certificate and key (PEM paths on the Rampart host) for receivers that want one.
    public var clientCertFile: String?
    public var clientKeyFile: String?
    public var udp: Bool?
    public var maximumDatagramBytes: Int?
    /// Webhook and HEC: the receiver's URL.
    public var url: String?
    /// HEC: the collector token (stored sealed, never shown again), indexer acknowledgement, index, sourcetype.
    public var token: String?
    public var useAck: Bool?
    public var index: String?
    public var sourcetype: String?
    public var caFile: String?
    public var format: String
    public var severities: [String]?
    public var deviceGroups: [String]?
    public var kinds: [String]?
    /// An MSSP's app (client id) whose authorizations decide which customers' alerts the connector pushes.
    public var delegatedApp: String?
    /// `latest` (default): only what happens from now on; `earliest`: the whole retained event log.
    public var start: String?

    public init(
        name: String, transport: String? = nil, host: String? = nil, port: Int? = nil, tls: Bool? = nil, url: String? = nil,
        token: String? = nil, useAck: Bool? = nil, index: String? = nil, sourcetype: String? = nil, caFile: String? = nil,
        format: String,
        severities: [String]? = nil, deviceGroups: [String]? = nil, kinds: [String]? = nil, delegatedApp: String? = nil,
        start: String? = nil
    ) {
        self.name = name
        self.transport = transport
        self.host = host
        self.port = port
        self.tls = tls
        self.url = url
        self.token = token
        self.useAck = useAck
        self.index = index
        self.sourcetype = sourcetype
        self.caFile = caFile
        self.format = format
        self.severities = severities
        self.deviceGroups = deviceGroups
        self.kinds = kinds
        self.delegatedApp = delegatedApp
        self.start = start
    }
}

/// Connectors under a scope ("Manage portal system settings"): create, list with health, pause, resume, rewind,
/// dead letters; every change audited.
public struct ConnectorManagementService: Sendable {
    let repository: ConnectorRepository
    let apps: AppRepository
    let alerts: AlertRepository
    let secrets: SecretBox
    let clock: WallClock

    public init(
        repository: ConnectorRepository, apps: AppRepository, alerts: AlertRepository, secrets: SecretBox, clock: WallClock
    ) {
        self.repository = repository
        self.apps = apps
        self.alerts = alerts
        self.secrets = secrets
        self.clock = clock
    }

    public func connectors(in scope: AccessScope) async throws -> [ConnectorRecord] {
        try scope.require(.managePortalSettings)
        return try await repository.connectors(tenantID: scope.tenantID)
    }

    public func connector(in scope: AccessScope, id: ObjectID) async throws -> ConnectorRecord {
        try scope.require(.managePortalSettings)
        guard let record = try await repository.connector(id: id, tenantID: scope.tenantID) else {
            throw RampartError.notFound("Connector \(id) was not found.")
        }
        return record
    }

    /// The new connector, and for a webhook its signing key: shown this once, stored sealed.
    public func create(in scope: AccessScope, _ input: ConnectorInput) async throws -> (ConnectorRecord, String?) {
        try scope.require(.managePortalSettings)
        guard let format = Connector.Format(rawValue: input.format.lowercased()) else {
            throw RampartError.invalidInput(code: "InvalidInput", message: "format must be cef, leef, json or ocsf.")
        }
        var severities: Set<AlertSeverity> = []
        for name in input.severities ?? [] {
            guard let severity = AlertSeverity(caseInsensitive: name) else {
                throw RampartError.invalidInput(code: "InvalidInput", message: "Unknown severity \(name).")
            }
            severities.insert(severity)
        }
        var delegatedApp: ObjectID?
        if let text = input.delegatedApp {
            guard let clientID = ObjectID(text), try await apps.app(in: scope, clientID: clientID) != nil else {
                throw RampartError.invalidInput(code: "InvalidInput", message: "App \(text) is not an app of this tenant.")
            }
            delegatedApp = clientID
        }
        let deviceGroups = Set(input.deviceGroups ?? [])
        // A caller who sees only some device groups (a guest with a limited package, a scoped role) may push only
        // those: a connector with no device-group filter would carry every alert of the tenant.
        if case .only(let visible) = scope.deviceGroups {
            guard !deviceGroups.isEmpty else {
                throw RampartError.forbidden(
                    "You see only some device groups of this tenant: name the device groups this connector pushes.")
            }
            if let outside = deviceGroups.subtracting(visible).sorted().first {
                throw RampartError.forbidden("Device group \(outside) is not one you can see.")
            }
        }
        let transport: Connector.Transport
        var secret: String?
        var shown: String?
        switch (input.transport ?? "syslog").lowercased() {
        case "syslog":
            guard let host = input.host, let port = input.port else {
                throw RampartError.invalidInput(code: "InvalidInput", message: "A syslog connector needs host and port.")
            }
            transport = .syslog(
                .init(
                    host: host, port: port, tls: input.udp == true ? false : (input.tls ?? true), caFile: input.caFile,
                    clientCertFile: input.clientCertFile, clientKeyFile: input.clientKeyFile, header: input.header,
                    udp: input.udp, maximumDatagramBytes: input.maximumDatagramBytes))
        case "webhook":
            transport = .webhook(.init(url: input.url ?? "", caFile: input.caFile))
            let key = Self.makeKey()
            secret = key
            shown = key
        case "hec":
            guard let token = input.token, !token.isEmpty, token.count <= 256 else {
                throw RampartError.invalidInput(code: "InvalidInput", message: "An HEC connector needs its collector token.")
            }
            transport = .hec(
                .init(
                    url: input.url ?? "", useAck: input.useAck ?? false, index: input.index, sourcetype: input.sourcetype,
                    caFile: input.caFile))
            secret = token
        default:
            throw RampartError.invalidInput(code: "InvalidInput", message: "transport must be syslog, webhook or hec.")
        }
        let connector = try Connector(
            id: .random(), tenantID: scope.tenantID, name: input.name.trimmingCharacters(in: .whitespaces),
            delegatedApp: delegatedApp, transport: transport, format: format, severities: severities,
            deviceGroups: deviceGroups, kinds: Set((input.kinds ?? []).map { $0.lowercased() }),
            state: .active, createdAt: clock.now()
        ).validated()
        let start: EventLogPosition
        switch input.start ?? "latest" {
        case "latest": start = try await alerts.latestPosition()
        case "earliest": start = try await repository.retainedStart()
        default: throw RampartError.invalidInput(code: "InvalidInput", message: "start must be latest or earliest.")
        }
        try await repository.create(
            connector, sealedSecret: try secret.map(secrets.seal), startingAt: start,
            audit: .make(
                scope, action: "connector.create", target: connector.name,
                details: "\(connector.transport.name) \(connector.format.rawValue)"))
        return (try await self.connector(in: scope, id: connector.id), shown)
    }

    public func delete(in scope: AccessScope, id: ObjectID) async throws {
        let record = try await connector(in: scope, id: id)
        _ = try await repository.delete(
            id: id, tenantID: scope.tenantID, audit: .make(scope, action: "connector.delete", target: record.connector.name))
    }

    public func setState(in scope: AccessScope, id: ObjectID, _ state: Connector.State) async throws -> ConnectorRecord {
        let record = try await connector(in: scope, id: id)
        _ = try await repository.update(
            id: id, tenantID: scope.tenantID, state: state,
            audit: .make(scope, action: state == .paused ? "connector.pause" : "connector.resume", target: record.connector.name))
        return try await connector(in: scope, id: id)
    }

    /// Moves the checkpoint back (or forward) so that pushing starts again with the first event at `time`.
    public func rewind(in scope: AccessScope, id: ObjectID, to time: Timestamp) async throws -> ConnectorRecord {
        let record = try await connector(in: scope, id: id)
        let position = max(try await repository.position(before: time), try await repository.retainedStart())
        _ = try await repository.update(
            id: id, tenantID: scope.tenantID, position: position,
            audit: .make(scope, action: "connector.rewind", target: record.connector.name, details: "to \(time)"))
        return try await connector(in: scope, id: id)
    }

    public func deadLetters(in scope: AccessScope, id: ObjectID) async throws -> [DeadLetter] {
        _ = try await connector(in: scope, id: id)
        return try await repository.deadLetters(connectorID: id)
    }

    /// 32 random bytes, base64url: a webhook signing key.
    static func makeKey() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
