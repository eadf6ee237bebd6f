import HTTPTypes
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import RampartStore
import ServiceLifecycle
import UnixSignals

/// The composition root: the server, the CLI and the tests all build Rampart here.
public enum RampartApplication {
    public static func buildRouter(services: Services) -> Router<AppRequestContext> {
        MetricsRegistry.bootstrap()
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: SecurityHeadersMiddleware())
        let routes = RouteTable()
        router.add(middleware: ErrorMappingMiddleware(renderer: services.portal, routes: routes))
        router.add(middleware: PortalTenantMiddleware(services: services))
        OperationsRoutes(services: services).register(on: router)
        TokenRoutes(services: services).register(on: router)
        DefenderAPIRoutes(services: services).register(on: router)
        GraphRoutes(services: services).register(on: router)
        SIEMRoutes(services: services).register(on: router)
        IngestRoutes(services: services).register(on: router)
        ManagementRoutes(services: services).register(on: router)
        AccessManagementRoutes(services: services).register(on: router)
        AuditRoutes(services: services).register(on: router)
        AppAuthorizationRoutes(services: services).register(on: router)
        ConnectedOrganizationRoutes(services: services).register(on: router)
        EntitlementRoutes(services: services).register(on: router)
        PortalRoutes(services: services).register(on: router)
        PortalSettingsRoutes(services: services).register(on: router)
        PortalAccessRoutes(services: services).register(on: router)
        PortalPackageRoutes(services: services).register(on: router)
        PortalPartnerRoutes(services: services).register(on: router)
        PortalProfileRoutes(services: services).register(on: router)
        PortalQueueRoutes(services: services).register(on: router)
        NotificationRoutes(services: services).register(on: router)
        PortalNotificationRoutes(services: services).register(on: router)
        ConnectorRoutes(services: services).register(on: router)
        PortalConnectorRoutes(services: services).register(on: router)
        PortalDeviceRoutes(services: services).register(on: router)
        PortalIncidentRoutes(services: services).register(on: router)
        PortalOverviewRoutes(services: services).register(on: router)
        routes.set(router.routes.map { ($0.method, "\($0.path)") })
        return router
    }

    /// The HTTP(S) application; `onServerRunning` receives the port actually bound (for `--port 0`).
    public static func buildApplication(
        services: Services, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> Application<RouterResponder<AppRequestContext>> {
        let configuration = services.configuration
        let router = buildRouter(services: services)
        let settings = ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: "Rampart")
        let running: @Sendable (any Channel) async -> Void = { channel in
            await onServerRunning(channel.localAddress?.port ?? configuration.port)
        }
        guard let tls = try TLSFiles.resolve(configuration, logger: services.logger) else {
            return Application(router: router, configuration: settings, onServerRunning: running, logger: services.logger)
        }
        let tlsConfiguration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.key, format: .pem)))
        return Application(
            router: router, server: try .tls(.http1(), tlsConfiguration: tlsConfiguration), configuration: settings,
            onServerRunning: running, logger: services.logger)
    }

    /// Runs the server until SIGTERM or SIGINT; then the server drains first and the database closes last.
    public static func run(services: Services, onServerRunning: @escaping @Sendable (Int) async -> Void) async throws {
        let application = try buildApplication(services: services, onServerRunning: onServerRunning)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: DatabaseService(services: services)), .init(service: services.notifications),
                    .init(service: EventLogRetentionService(services: services)), .init(service: services.connectorDelivery),
                    .init(service: application),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: services.logger))
        try await group.run()
    }
}

/// Owns the database connection: closed after the HTTP server has stopped, so in-flight requests finish.
struct DatabaseService: Service {
    let services: Services

    func run() async throws {
        try? await gracefulShutdown()
        try await services.database.close()
    }
}
