import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import Prometheus
import RampartCore
import RampartStore

/// `/healthz` and `/metrics`.
struct OperationsRoutes {
    let services: Services

    func register(on router: Router<AppRequestContext>) {
        router.get("/healthz") { _, context in
            do {
                try await services.database.ping()
                return JSONResponse.text(#"{"status":"ok","database":"ok"}"#)
            } catch {
                context.logger.error("health check failed: database unreachable")
                return JSONResponse.text(#"{"status":"unavailable","database":"unreachable"}"#, status: .serviceUnavailable)
            }
        }
        router.get("/metrics") { _, _ in
            JSONResponse.text(
                MetricsRegistry.shared.registry.emitToString() + (try await deliveryMetrics()),
                contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }
}

extension OperationsRoutes {
    /// Connector health and the email outbox, read from the database at each scrape (so every process reports
    /// the same figures, whoever pushes).
    func deliveryMetrics() async throws -> String {
        var lines: [String] = []
        let connectors = try await ConnectorRepository(db: services.database).all()
        let families: [(String, String, String, (ConnectorRecord) -> Int64)] = [
            ("rampart_connector_sent_total", "counter", "Events a connector's receiver took.", { $0.health.sent }),
            ("rampart_connector_failed_total", "counter", "Failed push attempts.", { $0.health.failed }),
            (
                "rampart_connector_dead_letters_total", "counter", "Events given up on after every attempt.",
                { $0.health.deadLettered }
            ),
            (
                "rampart_connector_lag_events", "gauge", "Events in the log after the connector's checkpoint.",
                { $0.health.lag }
            ),
            (
                "rampart_connector_active", "gauge", "1 while the connector is active, 0 while paused.",
                {
                    $0.connector.state == .active ? 1 : 0
                }
            ),
        ]
        for (name, type, help, value) in families {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for record in connectors {
                let labels =
                    "connector=\"\(record.connector.id)\",tenant=\"\(record.connector.tenantID)\",name=\"\(Self.label(record.connector.name))\""
                lines.append("\(name){\(labels)} \(value(record))")
            }
        }
        lines.append("# HELP rampart_email_outbox Emails in the notification outbox by status.")
        lines.append("# TYPE rampart_email_outbox gauge")
        let counts = try await NotificationRepository(db: services.database).outboxCounts()
        for status in ["queued", "sent", "failed"] {
            lines.append("rampart_email_outbox{status=\"\(status)\"} \(counts[OutboxEmail.Status(rawValue: status)!] ?? 0)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Prometheus label values escape `\`, `"` and line feeds.
    static func label(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// One Prometheus registry for the process; swift-metrics may be bootstrapped only once.
final class MetricsRegistry: Sendable {
    static let shared = MetricsRegistry()
    let registry = PrometheusCollectorRegistry()

    private init() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    /// Makes sure the factory is in place before the first metric is created.
    static func bootstrap() { _ = shared }
}
