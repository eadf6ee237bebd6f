import Foundation
import Logging
import RampartCore
import RampartStore
import Testing

@Suite struct RateLimiterContractTests {
    static let t0 = Timestamp(iso8601: "2026-03-01T10:00:05Z")!

    func limiters(_ database: TestDatabase) async throws -> [(String, any RateLimiter, (any SQLExecutor)?)] {
        let db = try await database.open()
        return [("database", DatabaseRateLimiter(db: db), db), ("memory", InProcessRateLimiter(), nil)]
    }

    @Test(arguments: TestDatabase.available) func windowsFillAndReopen(database: TestDatabase) async throws {
        for (name, limiter, db) in try await limiters(database) {
            let key = "api|\(UUID())|app:x"
            let limit = RateLimit(perMinute: 3, perHour: 5)
            for _ in 0..<3 { #expect(try await limiter.acquire(key, limit: limit, now: Self.t0) == nil, "\(name)") }
            let wait = try await limiter.acquire(key, limit: limit, now: Self.t0)
            #expect(wait == 55, "\(name): the minute window ends 55 s after 10:00:05")
            #expect(try await limiter.acquire("other|\(UUID())", limit: limit, now: Self.t0) == nil, "\(name): keys are apart")
            let nextMinute = Self.t0.adding(seconds: 60)
            #expect(try await limiter.acquire(key, limit: limit, now: nextMinute) == nil, "\(name)")
            // Five calls in the hour, the refused one included: the hour window now decides.
            let hourWait = try await limiter.acquire(key, limit: limit, now: nextMinute)
            #expect(hourWait.map { $0 > 60 } == true, "\(name): \(String(describing: hourWait))")
            try await db?.close()
        }
    }

    /// Two "processes" (two connection pools) share the counters: together they allow exactly the limit.
    @Test func processesSharingPostgreSQLAllowExactlyTheLimit() async throws {
        guard let url = ProcessInfo.processInfo.environment["RAMPART_TEST_DATABASE_URL"] else { return }
        let first = try await TestDatabase.postgres.open()
        let second = try PostgresExecutor(url: url, logger: Logger(label: "test"), maximumConnections: 4)
        let limiters = [DatabaseRateLimiter(db: first), DatabaseRateLimiter(db: second)]
        let key = "api|\(UUID())|app:shared"
        let limit = RateLimit(perMinute: 25, perHour: 0)
        let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<80 {
                group.addTask { try await limiters[index % 2].acquire(key, limit: limit, now: Self.t0) == nil }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == 25)
        try await first.close()
        try await second.close()
    }
}
