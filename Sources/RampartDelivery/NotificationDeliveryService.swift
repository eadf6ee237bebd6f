import Foundation
import Logging
import RampartCore
import RampartStore
import ServiceLifecycle

/// Turns the alert event log into emails and sends them: reads new events into per-recipient items, writes
/// emails by each rule's delivery mode, and sends due emails through the relay with retries. Every step is durable
/// in the database, so a restart or crash loses nothing; an email is sent again after a crash only when the crash
/// fell between the server's acceptance and our record of it, and then with the same Message-ID.
public struct NotificationDeliveryService: Service {
    public struct Configuration: Sendable {
        /// Pause between passes when there was nothing to do.
        public var pollInterval: Duration = .milliseconds(500)
        /// Events read per pass.
        public var eventBatch = 1000
        /// Emails sent over one connection per pass.
        public var sendBatch = 100
        /// How long a taken email is reserved for this process before another may take it.
        public var leaseSeconds: Int64 = 300
        /// The first retry waits this long, each next one twice as long, up to `maximumRetrySeconds`.
        public var retryBaseSeconds: Int64 = 30
        public var maximumRetrySeconds: Int64 = 3600

        public init() {}

        public func retryDelay(afterAttempts attempts: Int) -> Int64 {
            let exponent = min(max(attempts - 1, 0), 20)
            return min(maximumRetrySeconds, retryBaseSeconds << Int64(exponent))
        }
    }

    let repository: NotificationRepository
    let composer: NotificationComposer
    let client: SMTPClient?
    let configuration: Configuration
    let clock: WallClock
    let logger: Logger
    let messageIDDomain: String

    public init(
        repository: NotificationRepository, composer: NotificationComposer, client: SMTPClient?,
        configuration: Configuration = .init(), clock: WallClock = .system, logger: Logger
    ) {
        self.repository = repository
        self.composer = composer
        self.client = client
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        messageIDDomain = URL(string: composer.publicURL)?.host ?? "rampart.localhost"
    }

    public func run() async throws {
        await PollingLoop.run(every: configuration.pollInterval, logger: logger, name: "notification") { try await pass() }
    }

    /// One pass of the three steps; true when any of them found work.
    @discardableResult
    public func pass() async throws -> Bool {
        let now = clock.now()
        let events = try await repository.dispatch(limit: configuration.eventBatch, now: now)
        let written = try await repository.compose(now: now) { pending in emails(for: pending, now: now) }
        let sent = try await sendDue(now: clock.now())
        return events > 0 || written > 0 || sent > 0
    }

    /// The emails the rule's delivery mode writes now for one recipient's waiting items.
    func emails(for pending: PendingNotifications, now: Timestamp) -> [(OutboxEmail, [Int64])] {
        let plan = NotificationPlan.emails(
            for: pending.items, delivery: pending.rule.delivery, history: pending.history,
            waitingSince: pending.items.map(\.createdAt).min() ?? now, now: now)
        return plan.map { planned in
            let alerts = planned.items.compactMap { pending.alerts[$0.alertID] }
            let id = ObjectID.random()
            let kind: NotificationEmailKind =
                switch planned.kind {
                case .alert: .alert
                case .digest: .digest
                case .summary: .summary
                }
            let message = composer.email(
                kind, alerts: alerts,
                .init(
                    rule: pending.rule, organizationName: pending.organizationName, recipient: pending.recipient,
                    language: pending.language, messageID: messageID(id), now: now))
            let email = OutboxEmail(
                id: id, tenantID: pending.rule.tenantID, ruleID: pending.rule.id, ruleName: pending.rule.name,
                kind: kind.rawValue, recipient: pending.recipient.value, messageID: message.messageID,
                subject: message.subject, body: message.rendered(), alertIDs: alerts.map(\.id), nextAttemptAt: now,
                createdAt: now)
            return (email, planned.items.map(\.id))
        }
    }

    func messageID(_ id: ObjectID) -> String { "\(id.description.lowercased())@\(messageIDDomain)" }

    /// Sends the due emails over one connection and records each outcome; returns how many were tried.
    func sendDue(now: Timestamp) async throws -> Int {
        guard let client else { return 0 }
        let due = try await repository.leaseDue(
            now: now, limit: configuration.sendBatch, leaseSeconds: configuration.leaseSeconds)
        guard !due.isEmpty else { return 0 }
        let from = client.configuration.mailFrom
        let results = await client.send(
            due.map { SMTPEnvelope(from: from, recipients: [EmailAddress($0.recipient)!], data: $0.body) })
        for (email, result) in zip(due, results) {
            switch result {
            case .success(let reply):
                try await repository.markSent(id: email.id, reply: reply.description, now: clock.now())
            case .failure(let error) where error.isPermanent:
                logger.warning(
                    "email refused for good",
                    metadata: ["tenant": "\(email.tenantID)", "email": "\(email.id)", "error": "\(error)"])
                try await repository.markFailed(id: email.id, error: error.description, retryAt: nil)
            case .failure(let error):
                let delay = configuration.retryDelay(afterAttempts: email.attempts + 1)
                try await repository.markFailed(
                    id: email.id, error: error.description, retryAt: clock.now().adding(seconds: delay))
            }
        }
        return due.count
    }

    /// Sends the rule's test email at once and records it in the delivery log with the relay's answer.
    public func sendTest(rule: NotificationRule, organizationName: String, recipient: EmailAddress) async throws
        -> OutboxEmail
    {
        let now = clock.now()
        let id = ObjectID.random()
        let message = composer.email(
            .test, alerts: [],
            .init(
                rule: rule, organizationName: organizationName, recipient: recipient,
                language: try await repository.recipientLanguage(recipient, tenantID: rule.tenantID) ?? rule.language,
                messageID: messageID(id), now: now))
        var email = OutboxEmail(
            id: id, tenantID: rule.tenantID, ruleID: rule.id, ruleName: rule.name, kind: NotificationEmailKind.test.rawValue,
            recipient: recipient.value, messageID: message.messageID, subject: message.subject, body: message.rendered(),
            alertIDs: [], status: .failed, attempts: 1, nextAttemptAt: now, createdAt: now)
        if let client {
            let result = await client.send([
                SMTPEnvelope(from: client.configuration.mailFrom, recipients: [recipient], data: email.body)
            ])
            switch result.first ?? .failure(SMTPError(.connection, "no outcome")) {
            case .success(let reply):
                email.status = .sent
                email.reply = reply.description
                email.sentAt = clock.now()
            case .failure(let error):
                email.lastError = error.description
            }
        } else {
            email.lastError = "No SMTP relay is configured (--smtp-url)."
        }
        try await repository.record(email)
        return email
    }
}

/// Runs `pass` until a graceful shutdown, pausing when a pass found nothing to do; a pass in progress finishes.
enum PollingLoop {
    static func run(every interval: Duration, logger: Logger, name: String, _ pass: @Sendable () async throws -> Bool) async {
        let stop = StopSignal()
        await withGracefulShutdownHandler {
            while !(await stop.requested) {
                var busy = false
                do {
                    busy = try await pass()
                } catch {
                    logger.error("\(name) pass failed", metadata: ["error": "\(error)"])
                }
                if !busy { await stop.sleep(interval) }
            }
        } onGracefulShutdown: {
            Task { await stop.request() }
        }
    }
}

/// A stop request that also cuts a pause short.
actor StopSignal {
    private(set) var requested = false
    private var sleeper: CheckedContinuation<Void, Never>?

    func request() {
        requested = true
        sleeper?.resume()
        sleeper = nil
    }

    func sleep(_ duration: Duration) async {
        guard !requested else { return }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: duration)
            await self?.wake()
        }
        await withCheckedContinuation { sleeper = $0 }
        timer.cancel()
    }

    private func wake() {
        sleeper?.resume()
        sleeper = nil
    }
}
