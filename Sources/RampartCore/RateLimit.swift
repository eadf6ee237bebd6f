/// How many calls a client may make to a group of endpoints: per minute and per hour, in fixed windows.
public struct RateLimit: Sendable, Equatable, Codable {
    public var perMinute: Int
    public var perHour: Int

    public init(perMinute: Int, perHour: Int) {
        self.perMinute = perMinute
        self.perHour = perHour
    }

    /// Defender's published allowances (reference §5.2).
    public static let defenderAlerts = RateLimit(perMinute: 100, perHour: 1_500)
    public static let defenderBatchUpdate = RateLimit(perMinute: 10, perHour: 500)
    /// Graph's "Security detections and incidents" allowance: 150 requests a minute per app and tenant.
    public static let graphSecurity = RateLimit(perMinute: 150, perHour: 0)
    /// Defender XDR's incidents API: 50 calls a minute and 1,500 an hour (reference §4.6.2).
    public static let defenderIncidents = RateLimit(perMinute: 50, perHour: 1_500)

    /// The windows to count in, with their length in seconds; a limit of 0 means none.
    public var windows: [(seconds: Int64, allowed: Int)] {
        [(60, perMinute), (3_600, perHour)].filter { $0.1 > 0 }
    }
}

/// Which allowance a request counts against.
public enum RateLimitBucket: String, Sendable {
    case api
    case batchUpdate
    case graph
    case incidents
}

/// The caller a limit is kept for: one principal in one tenant (an MSSP app has a separate allowance in each
/// customer, as in Defender).
public enum RateLimitKey {
    public static func key(_ scope: AccessScope, _ bucket: RateLimitBucket) -> String {
        let who: String
        switch scope.principal {
        case .app(let clientID, _): who = "app:\(clientID)"
        case .user(let id, _, _): who = "user:\(id)"
        }
        return "\(bucket.rawValue)|\(scope.tenantID)|\(who)"
    }
}
