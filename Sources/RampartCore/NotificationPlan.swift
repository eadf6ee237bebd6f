/// Decides which emails to write for one rule and one recipient from the alerts waiting for them, the rule's
/// delivery mode and the emails already sent: pure, so the rules of digests and hourly limits are tested alone.
public enum NotificationPlan {
    public enum EmailKind: String, Sendable, Equatable {
        case alert
        case digest
        case summary
    }

    public struct Email<Item: Sendable & Equatable>: Sendable, Equatable {
        public var kind: EmailKind
        public var items: [Item]
    }

    /// What the recipient already received from the rule.
    public struct History: Sendable, Equatable {
        /// Creation times of the alert and summary emails of the last hour.
        public var lastHour: [Timestamp]
        /// When the last digest was written.
        public var lastDigest: Timestamp?

        public init(lastHour: [Timestamp], lastDigest: Timestamp?) {
            self.lastHour = lastHour
            self.lastDigest = lastDigest
        }
    }

    /// Emails to write now; items not in any of them wait for a later pass. `waitingSince` is the creation time of
    /// the oldest waiting item (a digest's period counts from it when no digest was sent yet).
    public static func emails<Item: Sendable & Equatable>(
        for items: [Item], delivery: NotificationDelivery, history: History, waitingSince: Timestamp, now: Timestamp
    ) -> [Email<Item>] {
        guard !items.isEmpty else { return [] }
        switch delivery {
        case .immediate:
            return items.map { Email(kind: .alert, items: [$0]) }
        case .digest(let minutes):
            let start = history.lastDigest ?? waitingSince
            guard now >= start.adding(seconds: Int64(minutes) * 60) else { return [] }
            return [Email(kind: .digest, items: items)]
        case .throttled(let perHour):
            let hourAgo = now.adding(seconds: -3600)
            let sent = history.lastHour.filter { $0 > hourAgo }.count
            let room = max(0, perHour - sent)
            // Below the limit: one email each while there is room, keeping the last email of the hour for a
            // summary when more are waiting than fit.
            if items.count <= room { return items.map { Email(kind: .alert, items: [$0]) } }
            guard room > 0 else { return [] }
            return items.prefix(room - 1).map { Email(kind: .alert, items: [$0]) }
                + [Email(kind: .summary, items: Array(items.dropFirst(room - 1)))]
        }
    }
}
