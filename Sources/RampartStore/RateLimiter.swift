import RampartCore
import Synchronization

/// Counts calls in fixed windows and says how long to wait once a window is full. Every call counts, refused or
/// not, so a client that ignores 429 stays refused until the window ends.
public protocol RateLimiter: Sendable {
    /// Counts one call; returns nil when allowed, else the seconds until the full window ends.
    func acquire(_ key: String, limit: RateLimit, now: Timestamp) async throws -> Int?
}

/// For one process (SQLite deployments): counters in memory.
public final class InProcessRateLimiter: RateLimiter {
    private let counters = Mutex<[String: Int]>([:])

    public init() {}

    public func acquire(_ key: String, limit: RateLimit, now: Timestamp) async throws -> Int? {
        let seconds = now.unixSeconds
        return counters.withLock { counters in
            // Every call counts, refused or not: a client that ignores 429 stays refused (as Defender documents).
            var wait: Int?
            for (length, allowed) in limit.windows {
                let start = seconds - seconds % length
                let windowKey = "\(key)|\(length)|\(start)"
                counters[windowKey, default: 0] += 1
                if counters[windowKey, default: 0] > allowed { wait = max(wait ?? 0, Int(start + length - seconds)) }
            }
            // Old windows are dropped when the map grows; a minute's keys are few per client.
            if counters.count > 100_000 {
                counters = counters.filter { entry in
                    let parts = entry.key.split(separator: "|")
                    guard parts.count >= 2, let length = Int64(parts[parts.count - 2]), let start = Int64(parts[parts.count - 1])
                    else { return false }
                    return start + length > seconds
                }
            }
            return wait
        }
    }
}

/// For several processes sharing PostgreSQL: each call increments its windows' rows atomically, so the processes
/// together allow exactly the limit.
public struct DatabaseRateLimiter: RateLimiter {
    let db: any SQLExecutor

    public init(db: any SQLExecutor) { self.db = db }

    public func acquire(_ key: String, limit: RateLimit, now: Timestamp) async throws -> Int? {
        let seconds = now.unixSeconds
        return try await db.transaction { db in
            var wait: Int?
            for (length, allowed) in limit.windows {
                let start = seconds - seconds % length
                let row = try await db.queryOne(
                    """
                    INSERT INTO rate_counters (key, window_start, length, count) VALUES (\(bind: key), \(bind: start), \(bind: length), 1)
                    ON CONFLICT (key, window_start, length) DO UPDATE SET count = rate_counters.count + 1
                    RETURNING count
                    """)
                let count = Int(row?.optionalInt("count") ?? 0)
                if count == 1, length == 60 {
                    // A new minute for this caller: clear windows that ended long ago (theirs and anyone's).
                    try await db.execute("DELETE FROM rate_counters WHERE window_start + length < \(bind: seconds - 3_600)")
                }
                if count > allowed { wait = max(wait ?? 0, Int(start + length - seconds)) }
            }
            return wait
        }
    }
}
