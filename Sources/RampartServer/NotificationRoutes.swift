import Foundation
import HTTPTypes
import Hummingbird
import RampartCore
import RampartDelivery
import RampartStore

/// Email notification rules under `/manage/v1/notification-rules` ("Manage security settings"): Defender has no
/// API for them (§3.5); Rampart has one.
struct NotificationRoutes {
    let services: Services
    let management: ManagementRoutes
    var rules: NotificationRuleService { services.notificationRules }

    init(services: Services) {
        self.services = services
        management = ManagementRoutes(services: services)
    }

    func register(on router: Router<AppRequestContext>) {
        let manage = router.group("manage/v1")
        manage.get("notification-rules") { request, _ in
            let scope = try await management.scope(request, requiring: .manageSecuritySettings)
            let names = try await rules.groupNames(scope.tenantID)
            return try JSONResponse.encodable(["value": try await rules.rules(in: scope).map { NotificationRuleBody($0, names) }])
        }
        manage.post("notification-rules") { request, _ in
            let scope = try await management.scope(request, requiring: .manageSecuritySettings)
            let rule = try await rules.create(in: scope, try await management.decode(NotificationRuleInput.self, request))
            return try JSONResponse.encodable(
                NotificationRuleBody(rule, try await rules.groupNames(scope.tenantID)), status: .created)
        }
        manage.get("notification-rules/:id") { request, context in
            let scope = try await management.scope(request, requiring: .manageSecuritySettings)
            let rule = try await rules.rule(in: scope, id: try id(context))
            return try JSONResponse.encodable(NotificationRuleBody(rule, try await rules.groupNames(scope.tenantID)))
        }
        manage.put("notification-rules/:id") { request, context in
            let scope = try await management.scope(request, requiring: .manageSecuritySettings)
            let rule = try await rules.update(
                in: scope, id: try id(context), try await management.decode(NotificationRuleInput.self, request))
            return try JSONResponse.encodable(NotificationRuleBody(rule, try await rules.groupNames(scope.tenantID)))
        }
        manage.delete("notification-rules/:id") { request, context in
            let scope = try await management.scope(request, requiring: .manageSecuritySettings)
            try await rules.delete(in: scope, id: try id(context))
            return Response(status: .noContent)
        }
        manage.post("notification-rules/:id/test") { request, context in
            let scope = try await management.scope(request, requiring: .manageSecuritySettings)
            let rule = try await rules.rule(in: scope, id: try id(context))
            let body = try await management.decodeOptional(TestEmailInput.self, request)
            let recipients = try rule.testRecipients(override: body?.recipient)
            let organization = try await services.directory.tenant(id: scope.tenantID)?.name ?? ""
            var sent: [DeliveryBody] = []
            for recipient in recipients {
                sent.append(
                    DeliveryBody(
                        try await services.notifications.sendTest(
                            rule: rule, organizationName: organization, recipient: recipient)))
            }
            return try JSONResponse.encodable(["value": sent])
        }
        manage.get("notification-rules/:id/deliveries") { request, context in
            let scope = try await management.scope(request, requiring: .manageSecuritySettings)
            return try JSONResponse.encodable([
                "value": try await rules.deliveries(in: scope, ruleID: try id(context)).map(DeliveryBody.init)
            ])
        }
    }

    func id(_ context: AppRequestContext) throws -> ObjectID {
        let text = try context.parameters.require("id")
        guard let id = ObjectID(text) else { throw RampartError.notFound("Notification rule \(text) was not found.") }
        return id
    }
}

struct TestEmailInput: Decodable {
    let recipient: String?
}

struct NotificationRuleBody: Encodable {
    let id: String
    let name: String
    let description: String
    let enabled: Bool
    let includeOrganizationName: Bool
    let includeTenantLink: Bool
    let includeDeviceInformation: Bool
    let allDeviceGroups: Bool
    let deviceGroups: [String]
    let severities: [String]
    let recipients: [String]
    let deliveryMode: String
    let digestMinutes: Int?
    let maxEmailsPerHour: Int?
    let language: String
    let createdAt: String
    let updatedAt: String

    init(_ rule: NotificationRule, _ names: [ObjectID: String]) {
        id = rule.id.description
        name = rule.name
        description = rule.description
        enabled = rule.enabled
        includeOrganizationName = rule.includeOrganizationName
        includeTenantLink = rule.includeTenantLink
        includeDeviceInformation = rule.includeDeviceInformation
        switch rule.deviceGroups {
        case .all:
            allDeviceGroups = true
            deviceGroups = []
        case .only(let ids):
            allDeviceGroups = false
            deviceGroups = ids.compactMap { names[$0] }.sorted()
        }
        severities = rule.severities.sorted().map(\.rawValue)
        recipients = rule.recipients.map(\.value)
        deliveryMode = rule.delivery.mode
        switch rule.delivery {
        case .digest(let minutes): (digestMinutes, maxEmailsPerHour) = (minutes, nil)
        case .throttled(let perHour): (digestMinutes, maxEmailsPerHour) = (nil, perHour)
        case .immediate: (digestMinutes, maxEmailsPerHour) = (nil, nil)
        }
        language = rule.language
        createdAt = rule.createdAt.description
        updatedAt = rule.updatedAt.description
    }
}

/// One email of the delivery log.
struct DeliveryBody: Encodable {
    let id: String
    let kind: String
    let recipient: String
    let subject: String
    let messageId: String
    let alertIds: [String]
    let status: String
    let attempts: Int
    let lastError: String?
    let reply: String?
    let createdAt: String
    let sentAt: String?
    let nextAttemptAt: String?

    init(_ email: OutboxEmail) {
        id = email.id.description
        kind = email.kind
        recipient = email.recipient
        subject = email.subject
        messageId = email.messageID
        alertIds = email.alertIDs
        status = email.status.rawValue
        attempts = email.attempts
        lastError = email.lastError
        reply = email.reply
        createdAt = email.createdAt.description
        sentAt = email.sentAt?.description
        nextAttemptAt = email.status == .queued ? email.nextAttemptAt.description : nil
    }
}
