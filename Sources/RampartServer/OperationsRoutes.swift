import HTTPTypes
import Hummingbird
import Logging
import Metrics
import Prometheus
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
                MetricsRegistry.shared.registry.emitToString(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
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
