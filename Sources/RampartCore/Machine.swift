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
