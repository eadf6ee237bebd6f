/// A device as Defender's Machine resource shows it: the inventory row plus what is derived when it is read.
public struct Machine: Sendable, Equatable {
    public var device: Device
    /// The device group's number in its tenant (Defender's integer `rbacGroupId`).
    public var rbacGroupID: Int64?
    /// The highest severity of the device's open alerts: `None`, `Informational`, `Low`, `Medium` or `High`.
    public var riskScore: String
    /// `Active` when the device reported in the last seven days, else `Inactive`.
    public var healthStatus: String

    public static let activeWindowSeconds: Int64 = 7 * 86_400
    public static let riskScores = ["None", "Informational", "Low", "Medium", "High"]
    public static let healthStatuses = ["Active", "Inactive"]

    public init(device: Device, rbacGroupID: Int64?, riskScore: String, healthStatus: String) {
        self.device = device
        self.rbacGroupID = rbacGroupID
        self.riskScore = riskScore
        self.healthStatus = healthStatus
    }
}

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
