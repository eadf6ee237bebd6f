import ArgumentParser
import Foundation
import RampartCore
import RampartDelivery
import RampartServer
import RampartStore

/// Email notification rules from the host's shell, with the authority of a tenant administrator.
struct NotificationRuleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notification-rule", abstract: "Email notification rules of a tenant.",
        subcommands: [Create.self, List.self, Delete.self, Test.self, Log.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a rule; prints its id.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Option(help: "The rule name.") var name: String
        @Option(help: "What the rule is for.") var description: String?
        @Option(name: .customLong("severity"), help: "Informational, Low, Medium or High; repeatable.") var severities: [String]
        @Option(name: .customLong("recipient"), help: "An email address; repeatable.") var recipients: [String]
        @Option(name: .customLong("device-group"), help: "A device group (name or id); repeatable. Default: all.")
        var deviceGroups: [String] = []
        @Flag(help: "Leave the organization name out of the emails.") var noOrganizationName = false
        @Flag(help: "Leave the tenant-specific link (?tid=) out of the emails.") var noTenantLink = false
        @Flag(help: "Leave device information out of the emails.") var noDeviceInformation = false
        @Option(help: "immediate, digest or throttled.") var delivery: String = "immediate"
        @Option(help: "Minutes between digests (digest delivery).") var digestMinutes: Int?
        @Option(help: "Emails per hour before a summary (throttled delivery).") var maxPerHour: Int?
        @Option(help: "Language of the emails: en or ru.") var language: String = "en"

        func run() async throws {
            try await withServices(storage) { services in
                let rule = try await services.notificationRules.create(
                    in: try await tenant.scope(services),
                    NotificationRuleInput(
                        name: name, description: description, includeOrganizationName: !noOrganizationName,
                        includeTenantLink: !noTenantLink, includeDeviceInformation: !noDeviceInformation,
                        allDeviceGroups: deviceGroups.isEmpty, deviceGroups: deviceGroups, severities: severities,
                        recipients: recipients, deliveryMode: delivery, digestMinutes: digestMinutes,
                        maxEmailsPerHour: maxPerHour, language: language))
                Console.line(CLIText().format("cli_rule_created", rule.name, rule.id.description))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tenant's rules.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption

        func run() async throws {
            try await withServices(storage) { services in
                for rule in try await services.notificationRules.rules(in: try await tenant.scope(services)) {
                    let severities = rule.severities.sorted().map(\.rawValue).joined(separator: ",")
                    Console.line(
                        "\(rule.id)  \(rule.name)  enabled=\(rule.enabled)  severities=\(severities)  "
                            + "recipients=\(rule.recipients.map(\.value).joined(separator: ","))  delivery=\(rule.delivery.mode)")
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a rule.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Argument(help: "The rule id.") var id: String

        func run() async throws {
            try await withServices(storage) { services in
                try await services.notificationRules.delete(in: try await tenant.scope(services), id: try Self.ruleID(id))
                Console.line(CLIText().format("cli_deleted", id))
            }
        }

        static func ruleID(_ text: String) throws -> ObjectID {
            guard let id = ObjectID(text) else { throw CLIFailure(CLIText().format("cli_bad_id", text)) }
            return id
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send the rule's test email now and show the SMTP outcome.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Argument(help: "The rule id.") var id: String
        @Option(help: "Send to this address instead of the rule's recipients.") var to: String?

        func run() async throws {
            try await withServices(storage) { services in
                let scope = try await tenant.scope(services)
                let rule = try await services.notificationRules.rule(in: scope, id: try Delete.ruleID(id))
                let recipients = try rule.testRecipients(override: to)
                let organization = try await services.directory.tenant(id: scope.tenantID)?.name ?? ""
                for recipient in recipients {
                    let email = try await services.notifications.sendTest(
                        rule: rule, organizationName: organization, recipient: recipient)
                    Console.line("\(recipient)  \(email.status.rawValue)  \(email.reply ?? email.lastError ?? "")")
                }
            }
        }
    }

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The rule's delivery log, newest first.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var tenant: TenantOption
        @Argument(help: "The rule id.") var id: String

        func run() async throws {
            try await withServices(storage) { services in
                for email in try await services.notificationRules.deliveries(
                    in: try await tenant.scope(services), ruleID: try Delete.ruleID(id))
                {
                    Console.line(
                        "\(email.createdAt)  \(email.kind)  \(email.recipient)  \(email.status.rawValue)  attempts=\(email.attempts)  "
                            + "alerts=\(email.alertIDs.joined(separator: ","))  \(email.reply ?? email.lastError ?? "")")
                }
            }
        }
    }
}
