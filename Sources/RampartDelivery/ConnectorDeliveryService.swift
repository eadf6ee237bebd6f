import Foundation
import Logging
import RampartCore
import RampartStore
import ServiceLifecycle

/// Pushes each active connector's changes from its own checkpoint. The checkpoint moves only after the receiver
/// took the batch; a failed batch is tried again with growing pauses, and after `maximumAttempts` its events go to
/// the dead letters so one poisoned event cannot stop the rest. Connectors are leased, so with several processes on
/// one PostgreSQL each connector is pushed by one of them, and a dead process's connectors pass to another when its
/// lease runs out. After a crash at most one batch is sent again, each message with its stable event id.
public struct ConnectorDeliveryService: Service {
    public struct Configuration: Sendable {
        public var pollInterval: Duration = .milliseconds(500)
        /// Changes per batch: syslog takes large batches over one connection; HTTP receivers cap request sizes
        /// (Splunk's default is about 1 MB), so webhooks and HEC get smaller ones.
        public var syslogBatchSize = 2000
        public var httpBatchSize = 500
        public var leaseSeconds: Int64 = 60
        public var maximumAttempts = 8
        public var retryBaseSeconds: Int64 = 5
        public var maximumRetrySeconds: Int64 = 300
        public init() {}
    }

    /// Resolves the scopes a connector reads: its own tenant, or every tenant that authorizes its MSSP app.
    public typealias ScopeResolver = @Sendable (Connector) async throws -> [AccessScope]

    let repository: ConnectorRepository
    let alerts: AlertRepository
    let scopes: ScopeResolver
    let secrets: SecretBox
    let configuration: Configuration
    let clock: WallClock
    let logger: Logger
    let owner: String
    let hostname: String
    let portalURL: String

    public init(
        repository: ConnectorRepository, alerts: AlertRepository, scopes: @escaping ScopeResolver, secrets: SecretBox,
        configuration: Configuration = .init(), clock: WallClock = .system, logger: Logger, hostname: String,
        portalURL: String
    ) {
        self.repository = repository
        self.alerts = alerts
        self.scopes = scopes
        self.secrets = secrets
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.hostname = hostname
        self.portalURL = portalURL
        owner = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
    }

    public func run() async throws {
        await PollingLoop.run(every: configuration.pollInterval, logger: logger, name: "connector") { try await pass() }
    }

    /// One batch for every due connector; true when any of them moved.
    @discardableResult
    public func pass() async throws -> Bool {
        let leased = try await repository.lease(
            owner: owner, now: clock.now(), limit: 20, leaseSeconds: configuration.leaseSeconds)
        var moved = false
        for record in leased {
            moved = try await push(record) || moved
        }
        return moved
    }

    /// Pushes batches while there are more and the lease is young, reading each next batch while the current one
    /// is sent: reading and sending then use both cores, and a connector that fell behind catches up in one pass.
    func push(_ record: ConnectorRecord) async throws -> Bool {
        let connector = record.connector
        let readable = try await scopes(connector)
        guard !readable.isEmpty else { return false }
        let limit: Int =
            switch connector.transport {
            case .syslog: configuration.syslogBatchSize
            case .webhook, .hec: configuration.httpBatchSize
            }
        let alerts = self.alerts
        let leaseEnds = clock.now().adding(seconds: configuration.leaseSeconds / 2)
        var position = record.position
        var attempts = record.health.attempts
        var page = try await alerts.changes(across: readable, after: position, limit: limit)
        var moved = false
        while page.next != position {
            let following = page
            async let next: AlertChangePage? =
                following.hasMore ? alerts.changes(across: readable, after: following.next, limit: limit) : nil
            guard try await send(page, record, attempts: attempts) else { return moved }
            moved = true
            position = page.next
            attempts = 0
            guard clock.now() < leaseEnds, let read = try await next else { break }
            page = read
        }
        return moved
    }

    /// One batch: delivered and the checkpoint moved (true), dead-lettered after its last attempt (true), or
    /// failed and scheduled again (false).
    func send(_ page: AlertChangePage, _ record: ConnectorRecord, attempts: Int) async throws -> Bool {
        let connector = record.connector
        let chosen = page.changes.filter {
            connector.accepts(kind: $0.event.kind, severity: $0.alert.severity, deviceGroup: $0.alert.rbacGroupName)
        }
        do {
            try await deliver(chosen, record)
            try await repository.advance(id: connector.id, owner: owner, to: page.next, sent: chosen.count, now: clock.now())
            return true
        } catch {
            let description = String(describing: error).prefix(500)
            if attempts + 1 >= configuration.maximumAttempts {
                logger.warning(
                    "connector batch dead-lettered",
                    metadata: ["connector": "\(connector.id)", "tenant": "\(connector.tenantID)", "events": "\(chosen.count)"])
                try await repository.deadLetter(
                    id: connector.id, owner: owner, events: chosen.map { ($0.event, String(description)) }, through: page.next,
                    now: clock.now())
                return true
            }
            let exponent = min(attempts, 16)
            let delay = min(configuration.maximumRetrySeconds, configuration.retryBaseSeconds << Int64(exponent))
            try await repository.fail(
                id: connector.id, owner: owner, error: String(description), retryAt: clock.now().adding(seconds: delay))
            return false
        }
    }

    /// Sends a connector's dead letters again (the alerts as they are now); those the receiver took are removed.
    public func replay(_ record: ConnectorRecord, readable: [AccessScope]) async throws -> Int {
        let letters = try await repository.deadLetters(connectorID: record.connector.id)
        guard !letters.isEmpty else { return 0 }
        var changes: [AlertChange] = []
        var replayed: [Int64] = []
        for letter in letters {
            guard let scope = readable.first(where: { $0.tenantID == letter.tenantID }),
                let alert = try await alerts.get(scope, id: letter.alertID)
            else { continue }
            let event = AlertEvent(
                position: letter.position, tenantID: letter.tenantID, alertID: letter.alertID, kind: letter.kind,
                severity: alert.severity, previousSeverity: nil, occurredAt: letter.createdAt)
            changes.append(AlertChange(event: event, alert: alert))
            replayed.append(letter.id)
        }
        try await deliver(changes, record)
        try await repository.removeDeadLetters(ids: replayed)
        return replayed.count
    }

    /// Hands changes to the connector's receiver; returns only once the receiver took them.
    func deliver(_ changes: [AlertChange], _ record: ConnectorRecord) async throws {
        let connector = record.connector
        guard !changes.isEmpty else { return }
        switch connector.transport {
        case .syslog(let target):
            let (format, hostname, portalURL) = (connector.format, hostname, portalURL)
            try await SyslogSender(target: target).send(
                await Self.inParallel(changes) { change in
                    target.udp == true
                        ? ConnectorPayload.datagram(
                            change, format: format, hostname: hostname, portalURL: portalURL,
                            rfc3164: target.usesRFC3164, limit: target.datagramLimit)
                        : ConnectorPayload.message(
                            change, format: format, hostname: hostname, portalURL: portalURL, rfc3164: target.usesRFC3164)
                })
        case .webhook(let target):
            try await WebhookSender(target: target, key: try secret(record)).send(
                changes, format: connector.format, portalURL: portalURL, now: clock.now())
        case .hec(let target):
            try await HECSender(target: target, token: try secret(record), hostname: hostname, ackTimeout: .seconds(30))
                .send(changes, format: connector.format, portalURL: portalURL)
        }
    }

    /// `transform` over `items` in two halves at once (formatting a batch is pure work on two cores), in order.
    static func inParallel<Item: Sendable, Result: Sendable>(
        _ items: [Item], _ transform: @escaping @Sendable (Item) -> Result
    ) async -> [Result] {
        guard items.count >= 200 else { return items.map(transform) }
        let middle = items.count / 2
        async let first = items[..<middle].map(transform)
        let second = items[middle...].map(transform)
        return await first + second
    }

    func secret(_ record: ConnectorRecord) throws -> String {
        guard let sealed = record.sealedSecret else { throw HTTPPost.Failure("the connector has no secret") }
        return try secrets.open(sealed)
    }
}
