import Logging
import RampartCore
import RampartIdentity
import RampartStore

/// The dependencies every route shares; built once by `buildServices`, also by tests.
public struct Services: Sendable {
    public let configuration: ServerConfiguration
    public let database: any SQLExecutor
    public let directory: DirectoryRepository
    public let apps: AppRepository
    public let alerts: AlertRepository
    public let sessions: SessionRepository
    public let rbac: RBACRepository
    public let keys: SigningKeys
    public let passwords: PasswordHasher
    public let throttle: LoginThrottle
    public let tokens: TokenService
    public let authenticator: BearerAuthenticator
    public let portal: PortalRenderer
    public let logger: Logger
    public let clock: WallClock
    /// In memory for SQLite (one process); in the database for PostgreSQL, where several processes share it.
    public let rateLimiter: any RateLimiter
    /// Seals the secrets Rampart must use again (webhook keys, HEC tokens) before they are stored.
    public let secrets: SecretBox

    /// Opens the database, applies migrations and loads the signing keys.
    /// `clock` is the time access expiry is judged by; tests pass their own.
    public static func build(
        configuration: ServerConfiguration, logger: Logger, passwordCost: UInt8 = 10, clock: WallClock = .system
    ) async throws -> Services {
        // Metrics made before the factory is in place would go nowhere.
        MetricsRegistry.bootstrap()
        let raw = try OpenDatabase.open(
            databaseURL: configuration.databaseURL, dataDirectory: configuration.dataDirectory, logger: logger)
        let database = InstrumentedExecutor(base: raw)
        try await Migrator(executor: database).migrate()
        let directory = DirectoryRepository(db: database)
        let apps = AppRepository(db: database)
        let keys = SigningKeys(repository: KeyRepository(db: database))
        try await keys.load()
        let passwords = PasswordHasher(cost: passwordCost)
        let throttle = LoginThrottle()
        let issuer = configuration.resolvedPublicURL
        let rbac = RBACRepository(db: database)
        return Services(
            configuration: configuration, database: database, directory: directory, apps: apps,
            alerts: AlertRepository(
                db: database, correlation: IncidentCorrelation(windowSeconds: configuration.incidentWindowSeconds)),
            sessions: SessionRepository(db: database), rbac: rbac, keys: keys,
            passwords: passwords, throttle: throttle,
            tokens: TokenService(
                directory: directory, apps: apps, entitlements: EntitlementRepository(db: database),
                grants: OAuthGrantRepository(db: database), keys: keys, passwords: passwords, throttle: throttle,
                issuerBase: issuer, clock: clock),
            authenticator: BearerAuthenticator(
                keys: keys, directory: directory, apps: apps, rbac: rbac, issuerBase: issuer, clock: clock),
            portal: try PortalRenderer(), logger: logger, clock: clock,
            rateLimiter: configuration.databaseURL.map { _ in DatabaseRateLimiter(db: database) } ?? InProcessRateLimiter(),
            secrets: try SecretBox.load(base64: configuration.secretKey, dataDirectory: configuration.dataDirectory))
    }
}

extension Services {
    public var incidents: IncidentRepository { IncidentRepository(db: database) }
}
