import RampartCore
import RampartStore

extension Services {
    /// Counts one call of `scope`'s principal against the bucket's allowance; 429 with the wait once it is used up.
    func throttle(_ scope: AccessScope, _ bucket: RateLimitBucket) async throws {
        let limit =
            switch bucket {
            case .api: configuration.apiRateLimit
            case .batchUpdate: configuration.batchRateLimit
            case .graph: configuration.graphRateLimit
            case .incidents: configuration.incidentRateLimit
            }
        if let wait = try await rateLimiter.acquire(RateLimitKey.key(scope, bucket), limit: limit, now: clock.now()) {
            throw RampartError.tooManyRequests(retryAfterSeconds: wait)
        }
    }
}
