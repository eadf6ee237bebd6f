/// A tenant's state at a glance: open alerts by severity, the oldest unassigned one, new alerts per day.
public struct AlertOverview: Sendable, Equatable {
    public var openBySeverity: [AlertSeverity: Int]
    public var oldestUnassigned: (id: String, title: String, created: Timestamp)?
    /// New alerts per UTC day, oldest first; the last entry is today.
    public var newPerDay: [Int]

    public init(
        openBySeverity: [AlertSeverity: Int], oldestUnassigned: (id: String, title: String, created: Timestamp)?,
        newPerDay: [Int]
    ) {
        self.openBySeverity = openBySeverity
        self.oldestUnassigned = oldestUnassigned
        self.newPerDay = newPerDay
    }

    public static func == (lhs: AlertOverview, rhs: AlertOverview) -> Bool {
        lhs.openBySeverity == rhs.openBySeverity && lhs.newPerDay == rhs.newPerDay
            && lhs.oldestUnassigned?.id == rhs.oldestUnassigned?.id
    }

    public var openTotal: Int { openBySeverity.values.reduce(0, +) }
}
