import Logging
import RampartCore
import RampartStore
import ServiceLifecycle

/// Deletes consumed events older than the retention window, once at start and then hourly.
struct EventLogRetentionService: Service {
    let services: Services

    func run() async throws {
        let retention = EventLogRetention(db: services.database)
        while !Task.isShuttingDownGracefully {
            let before = services.clock.now().adding(seconds: -Int64(services.configuration.eventRetentionDays) * 86_400)
            do {
                var deleted = 0
                while case let count = try await retention.prune(before: before), count > 0 {
                    deleted += count
                    if Task.isShuttingDownGracefully { break }
                }
                if deleted > 0 { services.logger.info("event log pruned", metadata: ["events": "\(deleted)"]) }
            } catch {
                services.logger.error("event log pruning failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}
