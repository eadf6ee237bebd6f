import RampartCore

/// Slows password guessing: after `limit` failures for an account (or from an address) within `window`,
/// further attempts are refused until the window has passed.
public actor LoginThrottle {
    let limit: Int
    let window: Int64
    private var failures: [String: [Timestamp]] = [:]

    public init(limit: Int = 5, windowSeconds: Int64 = 900) {
        self.limit = limit
        self.window = windowSeconds
    }

    /// Seconds to wait before the next attempt may be made, or nil when it may be made now.
    public func retryAfter(keys: [String], now: Timestamp = .now()) -> Int? {
        var wait: Int64 = 0
        for key in keys {
            let recent = prune(key, now: now)
            if recent.count >= limit, let oldest = recent.first {
                wait = max(wait, oldest.adding(seconds: window).unixSeconds - now.unixSeconds)
            }
        }
        return wait > 0 ? Int(wait) : nil
    }

    public func recordFailure(keys: [String], now: Timestamp = .now()) {
        for key in keys { failures[key, default: []].append(now) }
    }

    public func recordSuccess(keys: [String]) {
        for key in keys { failures[key] = nil }
    }

    private func prune(_ key: String, now: Timestamp) -> [Timestamp] {
        let cutoff = now.adding(seconds: -window)
        let recent = (failures[key] ?? []).filter { $0 > cutoff }
        failures[key] = recent.isEmpty ? nil : recent
        return recent
    }
}
