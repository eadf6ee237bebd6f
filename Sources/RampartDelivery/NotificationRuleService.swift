import Foundation
import RampartCore
import RampartStore

/// A rule as the API, the CLI and the portal's forms give it; every field but the name, severities, recipients and
/// device groups has a default.
public struct NotificationRuleInput: Sendable, Codable {
    public var name: String
    public var description: String?
    public var enabled: Bool?
    public var includeOrganizationName: Bool?
    public var includeTenantLink: Bool?
    public var includeDeviceInformation: Bool?
    /// All device groups (administrators only); otherwise `deviceGroups` names the chosen ones (names or ids).
    public var allDeviceGroups: Bool?
    public var deviceGroups: [String]?
    public var severities: [String]
    public var recipients: [String]
    public var deliveryMode: String?
    public var digestMinutes: Int?
    public var maxEmailsPerHour: Int?
    public var language: String?

    public init(
        name: String, description: String? = nil, enabled: Bool? = nil, includeOrganizationName: Bool? = nil,
        includeTenantLink: Bool? = nil, includeDeviceInformation: Bool? = nil, allDeviceGroups: Bool? = nil,
        deviceGroups: [String]? = nil, severities: [String], recipients: [String], deliveryMode: String? = nil,
        digestMinutes: Int? = nil, maxEmailsPerHour: Int? = nil, language: String? = nil
    ) {
        self.name = name
        self.description = description
        self.enabled = enabled
        self.includeOrganizationName = includeOrganizationName
        self.includeTenantLink = includeTenantLink
        self.includeDeviceInformation = includeDeviceInformation
        self.allDeviceGroups = allDeviceGroups
        self.deviceGroups = deviceGroups
        self.severities = severities
        self.recipients = recipients
        self.deliveryMode = deliveryMode
        self.digestMinutes = digestMinutes
        self.maxEmailsPerHour = maxEmailsPerHour
        self.language = language
    }
}

/// Email notification rules under the caller's scope: "Manage security settings", and only the device groups the
/// caller sees (Defender §3.2). A guest with the permission manages them as a member does; every change is audited.
public struct NotificationRuleService: Sendable {
    let repository: NotificationRepository
    let rbac: RBACRepository
    let clock: WallClock

    public init(repository: NotificationRepository, rbac: RBACRepository, clock: WallClock) {
        self.repository = repository
        self.rbac = rbac
        self.clock = clock
    }

    /// The rules the caller may manage: all of them for a caller who sees every device group, else the rules whose
    /// device groups are all within the caller's.
    public func rules(in scope: AccessScope) async throws -> [NotificationRule] {
        try scope.require(.manageSecuritySettings)
        let names = try await groupNames(scope.tenantID)
        return try await repository.rules(tenantID: scope.tenantID).filter { Self.within(scope, $0, names) }
    }

    public func rule(in scope: AccessScope, id: ObjectID) async throws -> NotificationRule {
        try scope.require(.manageSecuritySettings)
        let names = try await groupNames(scope.tenantID)
        guard let rule = try await repository.rule(id: id, tenantID: scope.tenantID), Self.within(scope, rule, names)
        else { throw RampartError.notFound("Notification rule \(id) was not found.") }
        return rule
    }

    public func create(in scope: AccessScope, _ input: NotificationRuleInput) async throws -> NotificationRule {
        try scope.require(.manageSecuritySettings)
        let now = clock.now()
        let rule = try await build(in: scope, input, id: .random(), createdAt: now, now: now)
        try await repository.save(
            rule, audit: .make(scope, action: "notificationRule.create", target: rule.name, details: summary(rule)))
        return rule
    }

    public func update(in scope: AccessScope, id: ObjectID, _ input: NotificationRuleInput) async throws -> NotificationRule {
        let existing = try await rule(in: scope, id: id)
        let rule = try await build(in: scope, input, id: id, createdAt: existing.createdAt, now: clock.now())
        try await repository.save(
            rule, audit: .make(scope, action: "notificationRule.update", target: rule.name, details: summary(rule)))
        return rule
    }

    public func delete(in scope: AccessScope, id: ObjectID) async throws {
        let existing = try await rule(in: scope, id: id)
        guard
            try await repository.delete(
                id: id, tenantID: scope.tenantID, audit: .make(scope, action: "notificationRule.delete", target: existing.name))
        else { throw RampartError.notFound("Notification rule \(id) was not found.") }
    }

    public func deliveries(in scope: AccessScope, ruleID: ObjectID, limit: Int = 200) async throws -> [OutboxEmail] {
        _ = try await rule(in: scope, id: ruleID)
        return try await repository.deliveries(tenantID: scope.tenantID, ruleID: ruleID, limit: limit)
    }

    /// Device-group names by id, to show rules and to compare with a scope (which lists names).
    public func groupNames(_ tenantID: TenantID) async throws -> [ObjectID: String] {
        Dictionary(uniqueKeysWithValues: try await rbac.deviceGroups(tenantID: tenantID).map { ($0.id, $0.name) })
    }

    static func within(_ scope: AccessScope, _ rule: NotificationRule, _ names: [ObjectID: String]) -> Bool {
        switch (scope.deviceGroups, rule.deviceGroups) {
        case (.all, _): true
        case (.only, .all): false
        case (.only(let visible), .only(let chosen)): chosen.allSatisfy { names[$0].map(visible.contains) ?? false }
        }
    }

    func build(in scope: AccessScope, _ input: NotificationRuleInput, id: ObjectID, createdAt: Timestamp, now: Timestamp)
        async throws -> NotificationRule
    {
        var severities: Set<AlertSeverity> = []
        for name in input.severities {
            guard let severity = AlertSeverity(caseInsensitive: name), severity != .unspecified else {
                throw RampartError.invalidInput(
                    code: "InvalidInput", message: "Unknown severity \(name); use Informational, Low, Medium or High.")
            }
            severities.insert(severity)
        }
        var recipients: [EmailAddress] = []
        for text in input.recipients {
            guard let address = EmailAddress(text.trimmingCharacters(in: .whitespaces)) else {
                throw RampartError.invalidInput(code: "InvalidInput", message: EmailAddress.problem(text) ?? text)
            }
            recipients.append(address)
        }
        let deviceGroups: NotificationDeviceGroups
        if input.allDeviceGroups ?? false {
            guard scope.deviceGroups == .all else {
                throw RampartError.forbidden("Only a user who sees every device group can choose all device groups.")
            }
            deviceGroups = .all
        } else {
            let groups = try await rbac.deviceGroups(tenantID: scope.tenantID)
            var chosen: Set<ObjectID> = []
            for reference in input.deviceGroups ?? [] {
                guard
                    let group = groups.first(where: {
                        $0.id.description.caseInsensitiveCompare(reference) == .orderedSame || $0.name == reference
                    })
                else {
                    throw RampartError.invalidInput(code: "InvalidInput", message: "Device group \(reference) was not found.")
                }
                if case .only(let visible) = scope.deviceGroups, !visible.contains(group.name) {
                    throw RampartError.forbidden("The device group \(group.name) is outside your access.")
                }
                chosen.insert(group.id)
            }
            deviceGroups = .only(chosen)
        }
        let delivery = try NotificationDelivery.parse(
            mode: input.deliveryMode ?? "immediate", minutes: input.digestMinutes, perHour: input.maxEmailsPerHour
        ).get()
        return try NotificationRule(
            id: id, tenantID: scope.tenantID, name: input.name, description: input.description ?? "",
            enabled: input.enabled ?? true, includeOrganizationName: input.includeOrganizationName ?? true,
            includeTenantLink: input.includeTenantLink ?? true, includeDeviceInformation: input.includeDeviceInformation ?? true,
            deviceGroups: deviceGroups, severities: severities, recipients: recipients, delivery: delivery,
            language: input.language ?? "en", createdAt: createdAt, updatedAt: now
        ).validated()
    }

    func summary(_ rule: NotificationRule) -> String {
        let groups =
            switch rule.deviceGroups {
            case .all: "all"
            case .only(let ids): ids.map(\.description).sorted().joined(separator: ",")
            }
        return "enabled=\(rule.enabled) severities=\(rule.severities.map(\.rawValue).sorted().joined(separator: ",")) "
            + "deviceGroups=\(groups) recipients=\(rule.recipients.count) delivery=\(rule.delivery.mode)"
    }
}
