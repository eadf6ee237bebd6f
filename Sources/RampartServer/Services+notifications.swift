import Foundation
import Logging
import RampartCore
import RampartDelivery
import RampartIdentity
import RampartStore

/// Email notifications: rules managed through the API, CLI and portal; the delivery service sends their emails.
extension Services {
    public var notificationRules: NotificationRuleService {
        NotificationRuleService(repository: NotificationRepository(db: database), rbac: rbac, clock: clock)
    }

    /// The delivery service over the configured relay; without `--smtp-url` emails wait in the outbox.
    public var notifications: NotificationDeliveryService {
        let smtp = configuration.smtp
        let renderer = portal
        var settings = NotificationDeliveryService.Configuration()
        settings.retryBaseSeconds = Int64(configuration.smtpRetryBaseSeconds)
        settings.maximumRetrySeconds = Int64(configuration.smtpRetryMaxSeconds)
        return NotificationDeliveryService(
            repository: NotificationRepository(db: database),
            composer: NotificationComposer(
                text: { key, language, values in renderer.text(key, language, replacing: values) },
                publicURL: configuration.resolvedPublicURL,
                from: smtp?.mailFrom ?? EmailAddress("rampart@localhost.localdomain")!),
            client: smtp.map { SMTPClient(configuration: $0, logger: logger) }, configuration: settings, clock: clock,
            logger: logger)
    }
}

/// Push connectors: managed through the API, pushed by the delivery service.
extension Services {
    public var connectorManagement: ConnectorManagementService {
        ConnectorManagementService(
            repository: ConnectorRepository(db: database), apps: apps, alerts: alerts, secrets: secrets, clock: clock)
    }

    /// What a connector may read, resolved at every batch so a withdrawn authorization stops it at once.
    public var connectorScopes: ConnectorDeliveryService.ScopeResolver {
        let delegated = delegatedScopes
        return { connector in
            guard let app = connector.delegatedApp else { return [DirectoryService.hostScope(connector.tenantID)] }
            let base = AccessScope.app(
                clientID: app, homeTenantID: connector.tenantID, tenantID: connector.tenantID, grantedNow: [], tokenRoles: [])
            return try await delegated.scopes(for: base).map(\.1).filter { $0.tenantID != connector.tenantID }
        }
    }

    public var connectorDelivery: ConnectorDeliveryService {
        var settings = ConnectorDeliveryService.Configuration()
        settings.retryBaseSeconds = Int64(configuration.connectorRetryBaseSeconds)
        settings.maximumRetrySeconds = Int64(configuration.connectorRetryMaxSeconds)
        settings.maximumAttempts = configuration.connectorMaxAttempts
        settings.leaseSeconds = Int64(configuration.connectorLeaseSeconds)
        return ConnectorDeliveryService(
            repository: ConnectorRepository(db: database), alerts: alerts, scopes: connectorScopes, secrets: secrets,
            configuration: settings,
            clock: clock,
            logger: logger, hostname: URL(string: configuration.resolvedPublicURL)?.host ?? "rampart",
            portalURL: configuration.resolvedPublicURL)
    }
}
