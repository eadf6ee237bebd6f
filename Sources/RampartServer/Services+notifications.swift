import Foundation
import Logging
import RampartCore
import RampartDelivery
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
