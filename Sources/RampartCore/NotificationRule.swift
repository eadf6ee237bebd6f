import Foundation

/// How a rule's emails go out.
public enum NotificationDelivery: Sendable, Equatable, Codable {
    /// One email per alert and recipient, as soon as the alert arrives.
    case immediate
    /// One email per recipient every `minutes`, listing the alerts that matched since the last one.
    case digest(minutes: Int)
    /// One email per alert until `perHour` emails went out in the last hour; then one summary of the rest once the
    /// hour allows another email.
    case throttled(perHour: Int)

    public var mode: String {
        switch self {
        case .immediate: "immediate"
        case .digest: "digest"
        case .throttled: "throttled"
        }
    }

    /// The mode and its number as the API and the store spell them; nil with a reason when they do not fit.
    public static func parse(mode: String, minutes: Int?, perHour: Int?) -> Result<NotificationDelivery, RampartError> {
        switch mode.lowercased() {
        case "immediate": return .success(.immediate)
        case "digest":
            guard let minutes, (1...1440).contains(minutes) else {
                return .failure(.invalidInput(code: "InvalidInput", message: "digestMinutes must be between 1 and 1440."))
            }
            return .success(.digest(minutes: minutes))
        case "throttled":
            guard let perHour, (1...1000).contains(perHour) else {
                return .failure(.invalidInput(code: "InvalidInput", message: "maxEmailsPerHour must be between 1 and 1000."))
            }
            return .success(.throttled(perHour: perHour))
        default:
            return .failure(
                .invalidInput(
                    code: "InvalidInput", message: "deliveryMode must be immediate, digest or throttled, not '\(mode)'."))
        }
    }
}

/// Which devices' alerts a rule covers: all device groups (administrators only, as in Defender) or chosen ones.
public enum NotificationDeviceGroups: Sendable, Equatable {
    case all
    case only(Set<ObjectID>)
}

/// An email notification rule of one tenant (Defender's "Alert notifications" rule, §3.2, with description,
/// enabled, delivery mode and language added).
public struct NotificationRule: Sendable, Equatable {
    public var id: ObjectID
    public var tenantID: TenantID
    public var name: String
    public var description: String
    public var enabled: Bool
    public var includeOrganizationName: Bool
    public var includeTenantLink: Bool
    public var includeDeviceInformation: Bool
    public var deviceGroups: NotificationDeviceGroups
    public var severities: Set<AlertSeverity>
    public var recipients: [EmailAddress]
    public var delivery: NotificationDelivery
    /// The language of emails to recipients who are not known users (`en` or `ru`).
    public var language: String
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        id: ObjectID, tenantID: TenantID, name: String, description: String = "", enabled: Bool = true,
        includeOrganizationName: Bool = true, includeTenantLink: Bool = true, includeDeviceInformation: Bool = true,
        deviceGroups: NotificationDeviceGroups, severities: Set<AlertSeverity>, recipients: [EmailAddress],
        delivery: NotificationDelivery = .immediate, language: String = "en", createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.description = description
        self.enabled = enabled
        self.includeOrganizationName = includeOrganizationName
        self.includeTenantLink = includeTenantLink
        self.includeDeviceInformation = includeDeviceInformation
        self.deviceGroups = deviceGroups
        self.severities = severities
        self.recipients = recipients
        self.delivery = delivery
        self.language = language
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public static let maximumRecipients = 100
    public static let languages = UserPreferences.languages

    /// Whether an alert of `severity` on a device of `deviceGroup` (its id; nil when unplaced) is for this rule.
    public func matches(severity: AlertSeverity, deviceGroup: ObjectID?) -> Bool {
        guard enabled, severities.contains(severity) else { return false }
        switch deviceGroups {
        case .all: return true
        case .only(let chosen): return deviceGroup.map(chosen.contains) ?? false
        }
    }

    /// Whether an event tells this rule's recipients something new: a created alert, or one whose severity rose.
    public static func notifies(kind: String, severity: AlertSeverity, previous: AlertSeverity?) -> Bool {
        switch kind {
        case "created": true
        case "updated": previous.map { severity > $0 } ?? false
        default: false
        }
    }

    /// Who gets the test email: the one address asked for, or every recipient of the rule.
    public func testRecipients(override text: String?) throws(RampartError) -> [EmailAddress] {
        guard let text else { return recipients }
        guard let address = EmailAddress(text) else {
            throw .invalidInput(code: "InvalidInput", message: EmailAddress.problem(text) ?? text)
        }
        return [address]
    }

    /// Checks the fields a person typed; the first problem, as a Defender-style input error.
    public func validated() throws(RampartError) -> NotificationRule {
        var rule = self
        rule.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(rule.name.count) else {
            throw .invalidInput(code: "InvalidInput", message: "The rule name must be 1 to 100 characters.")
        }
        guard description.count <= 1000 else {
            throw .invalidInput(code: "InvalidInput", message: "The description must be at most 1000 characters.")
        }
        guard !severities.isEmpty else {
            throw .invalidInput(code: "InvalidInput", message: "Choose at least one alert severity.")
        }
        if case .only(let groups) = deviceGroups, groups.isEmpty {
            throw .invalidInput(code: "InvalidInput", message: "Choose at least one device group, or all device groups.")
        }
        var seen = Set<EmailAddress>()
        rule.recipients = recipients.filter { seen.insert($0).inserted }
        guard (1...Self.maximumRecipients).contains(rule.recipients.count) else {
            throw .invalidInput(
                code: "InvalidInput", message: "A rule needs 1 to \(Self.maximumRecipients) recipients.")
        }
        guard Self.languages.contains(language) else {
            throw .invalidInput(
                code: "InvalidInput", message: "language must be one of \(Self.languages.joined(separator: ", ")).")
        }
        return rule
    }
}
