import Foundation
import RampartCore

/// The catalog entry for a key in a language, with `{name}` placeholders filled; the server passes its catalogs.
public typealias NotificationText = @Sendable (_ key: String, _ language: String, _ values: [String: String]) -> String

/// What an email is about.
public enum NotificationEmailKind: String, Sendable {
    /// One alert, sent as it arrives.
    case alert
    /// The alerts of a digest period.
    case digest
    /// The alerts held back by a rule's hourly limit.
    case summary
    /// "Send test email" from the rule's page.
    case test
}

/// Writes the notification emails: subject with severity, title and (when chosen) the organization name; body
/// with title, severity, category, detection source, time, description, device (when chosen) and a link to the
/// alert in this Rampart's portal, with `?tid=` when chosen (Defender §3.1). Every text comes from the catalog;
/// alert text is escaped in HTML and cleaned of line breaks in headers.
public struct NotificationComposer: Sendable {
    public let text: NotificationText
    public let publicURL: String
    public let from: EmailAddress
    public let fromName: String

    public init(text: @escaping NotificationText, publicURL: String, from: EmailAddress, fromName: String = "Rampart") {
        self.text = text
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.from = from
        self.fromName = fromName
    }

    public struct Context: Sendable {
        public var rule: NotificationRule
        public var organizationName: String
        public var recipient: EmailAddress
        public var language: String
        public var messageID: String
        public var now: Timestamp

        public init(
            rule: NotificationRule, organizationName: String, recipient: EmailAddress, language: String, messageID: String,
            now: Timestamp
        ) {
            self.rule = rule
            self.organizationName = organizationName
            self.recipient = recipient
            self.language = language
            self.messageID = messageID
            self.now = now
        }
    }

    public func email(_ kind: NotificationEmailKind, alerts: [Alert], _ context: Context) -> MailMessage {
        let language = context.language
        let subject: String
        var intro: String
        switch kind {
        case .alert:
            let alert = alerts.first
            subject = text(
                "email_subject_alert", language,
                [
                    "severity": severityName(alert?.severity ?? .unspecified, language), "title": alert?.title ?? "",
                ])
            intro = text("email_intro_alert", language, ["rule": context.rule.name])
        case .digest:
            subject = text("email_subject_digest", language, ["count": String(alerts.count), "rule": context.rule.name])
            intro = text("email_intro_digest", language, ["count": String(alerts.count), "rule": context.rule.name])
        case .summary:
            subject = text("email_subject_summary", language, ["count": String(alerts.count), "rule": context.rule.name])
            intro = text("email_intro_summary", language, ["count": String(alerts.count), "rule": context.rule.name])
        case .test:
            subject = text("email_subject_test", language, ["rule": context.rule.name])
            intro = text("email_intro_test", language, ["rule": context.rule.name])
        }
        if context.rule.includeOrganizationName {
            intro = text("email_organization", language, ["organization": context.organizationName]) + " " + intro
        }
        let fullSubject =
            context.rule.includeOrganizationName ? "[\(context.organizationName)] \(subject)" : subject
        var plain = [intro, ""]
        var html = ["<p>\(escape(intro))</p>"]
        for alert in alerts {
            let fields = self.fields(alert, context)
            plain.append(alert.title)
            plain.append(contentsOf: fields.map { "\($0.0): \($0.1)" })
            plain.append(link(alert, context))
            plain.append("")
            html.append("<h2 style=\"font-size:16px\">\(escape(alert.title))</h2>")
            html.append("<table cellpadding=\"2\">")
            html.append(contentsOf: fields.map { "<tr><th align=\"left\">\(escape($0.0))</th><td>\(escape($0.1))</td></tr>" })
            html.append("</table>")
            html.append(
                "<p><a href=\"\(escape(link(alert, context)))\">\(escape(text("email_open_alert", language, [:])))</a></p>")
        }
        plain.append(text("email_footer", language, ["rule": context.rule.name]))
        html.append(
            "<p style=\"color:#666;font-size:12px\">\(escape(text("email_footer", language, ["rule": context.rule.name])))</p>")
        return MailMessage(
            from: from, fromName: fromName, to: context.recipient, subject: fullSubject, messageID: context.messageID,
            date: context.now, text: plain.joined(separator: "\n"),
            html: "<!DOCTYPE html><html lang=\"\(language)\"><body>\(html.joined(separator: "\n"))</body></html>",
            headers: [("X-Rampart-Rule", context.rule.id.description), ("X-Rampart-Kind", kind.rawValue)])
    }

    func fields(_ alert: Alert, _ context: Context) -> [(String, String)] {
        let language = context.language
        var fields: [(String, String)] = [
            (text("email_field_severity", language, [:]), severityName(alert.severity, language)),
            (text("email_field_category", language, [:]), alert.category),
            (text("email_field_detection_source", language, [:]), alert.detectionSource),
            (
                text("email_field_time", language, [:]),
                String(alert.alertCreationTime.description.prefix(19)).replacingOccurrences(of: "T", with: " ") + " UTC"
            ),
        ]
        if !alert.description.isEmpty {
            fields.append((text("email_field_description", language, [:]), alert.description))
        }
        if context.rule.includeDeviceInformation, let device = alert.computerDnsName {
            fields.append((text("email_field_device", language, [:]), device))
        }
        return fields
    }

    /// The alert's page in the portal; with `?tid=` it opens inside the customer's tenant for an MSSP analyst.
    public func link(_ alert: Alert, _ context: Context) -> String {
        let path =
            "\(publicURL)/alerts/\(alert.id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? alert.id)"
        return context.rule.includeTenantLink ? "\(path)?tid=\(context.rule.tenantID)" : path
    }

    func severityName(_ severity: AlertSeverity, _ language: String) -> String {
        text("severity_\(severity.rawValue)", language, [:])
    }

    func escape(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        for character in value {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
