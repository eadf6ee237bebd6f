import Foundation
import RampartCore
import RampartStore

/// A connector as the API and the CLI give it.
public struct ConnectorInput: Sendable, Codable {
    public var name: String
    public var host: String
    public var port: Int
    public var tls: Bool?
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
        name: String, host: String, port: Int, tls: Bool? = nil, caFile: String? = nil, format: String,
        severities: [String]? = nil, deviceGroups: [String]? = nil, kinds: [String]? = nil, delegatedApp: String? = nil,
        start: String? = nil
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.tls = tls
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
    let clock: WallClock

    public init(repository: ConnectorRepository, apps: AppRepository, alerts: AlertRepository, clock: WallClock) {
        self.repository = repository
        self.apps = apps
        self.alerts = alerts
        self.clock = clock
    }

    public func connectors(in scope: AccessScope) async throws -> [ConnectorRecord] {
        try scope.require(.managePortalSettings)
        let latest = try await alerts.latestPosition()
        return try await repository.connectors(tenantID: scope.tenantID).map { record in
            var record = record
            record.health.lag = max(0, latest.seq - record.position.seq)
            return record
        }
    }

    public func connector(in scope: AccessScope, id: ObjectID) async throws -> ConnectorRecord {
        try scope.require(.managePortalSettings)
        guard let record = try await connectors(in: scope).first(where: { $0.connector.id == id }) else {
            throw RampartError.notFound("Connector \(id) was not found.")
        }
        return record
    }

    public func create(in scope: AccessScope, _ input: ConnectorInput) async throws -> ConnectorRecord {
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
        let connector = try Connector(
            id: .random(), tenantID: scope.tenantID, name: input.name.trimmingCharacters(in: .whitespaces),
            delegatedApp: delegatedApp,
            target: Connector.SyslogTarget(host: input.host, port: input.port, tls: input.tls ?? true, caFile: input.caFile),
            format: format, severities: severities, deviceGroups: Set(input.deviceGroups ?? []),
            kinds: Set((input.kinds ?? []).map { $0.lowercased() }), state: .active, createdAt: clock.now()
        ).validated()
        let start: EventLogPosition
        switch input.start ?? "latest" {
        case "latest": start = try await alerts.latestPosition()
        case "earliest": start = try await repository.retainedStart()
        default: throw RampartError.invalidInput(code: "InvalidInput", message: "start must be latest or earliest.")
        }
        try await repository.create(
            connector, startingAt: start,
            audit: .make(
                scope, action: "connector.create", target: connector.name,
                details:
                    "\(connector.format.rawValue) to \(connector.target.host):\(connector.target.port) tls=\(connector.target.tls)"
            ))
        return try await self.connector(in: scope, id: connector.id)
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
}
