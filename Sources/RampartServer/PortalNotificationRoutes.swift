import Foundation
import HTTPTypes
import Hummingbird
import RampartCore
import RampartDelivery
import RampartStore

/// Email notification rules in the portal ("Manage security settings"): the list, a new rule in two steps as in
/// Defender (general, then recipients), editing, deleting, "Send test email" with the SMTP outcome, and each
/// rule's delivery log.
struct PortalNotificationRoutes: PortalFeature {
    let portal: PortalRoutes
    var rules: NotificationRuleService { services.notificationRules }
    static let severities: [AlertSeverity] = [.informational, .low, .medium, .high]

    func register(on router: Router<AppRequestContext>) {
        router.get("/settings/notifications") { request, _ in try await list(request) }
        router.get("/settings/notifications/new") { request, _ in try await general(request) }
        router.post("/settings/notifications/new/recipients") { request, _ in try await recipients(request) }
        router.post("/settings/notifications") { request, _ in try await create(request) }
        router.get("/settings/notifications/:id") { request, context in try await edit(request, context) }
        router.post("/settings/notifications/:id") { request, context in try await update(request, context) }
        router.post("/settings/notifications/:id/delete") { request, context in try await delete(request, context) }
        router.post("/settings/notifications/:id/test") { request, context in try await test(request, context) }
        router.get("/settings/notifications/:id/log") { request, context in try await log(request, context, outcome: nil) }
    }

    func signedIn(_ request: Request) async throws -> PortalRoutes.PortalSession? {
        guard let session = try await portal.session(request) else { return nil }
        try session.scope.require(.manageSecuritySettings)
        return session
    }

    func render(
        _ request: Request, _ session: PortalRoutes.PortalSession, _ values: [String: Any], back: String,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        var context = values
        context["csrf"] = session.csrf
        context["tid"] = session.tenant.id.description
        let language = session.language
        return PortalResponse.html(
            renderer.render("notifications", session.layout(context), language: language, back: back), status: status)
    }

    // MARK: List

    func list(_ request: Request, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let language = session.language
        let names = try await rules.groupNames(session.tenant.id)
        let rows: [[String: Any]] = try await rules.rules(in: session.scope).map { rule in
            [
                "id": rule.id.description, "name": rule.name, "description": rule.description, "enabled": rule.enabled,
                "severities": rule.severities.sorted().map { renderer.text("severity_\($0.rawValue)", language) }
                    .joined(separator: ", "),
                "groups": groupsText(rule, names, language), "recipients": rule.recipients.map(\.value).joined(separator: ", "),
                "delivery": deliveryText(rule.delivery, language),
            ]
        }
        return render(
            request, session, ["list": true, "rules": rows, "hasRules": !rows.isEmpty, "error": error ?? false],
            back: "/settings/notifications", status: status)
    }

    func groupsText(_ rule: NotificationRule, _ names: [ObjectID: String], _ language: String) -> String {
        switch rule.deviceGroups {
        case .all: renderer.text("notifications_all_groups", language)
        case .only(let ids): ids.compactMap { names[$0] }.sorted().joined(separator: ", ")
        }
    }

    func deliveryText(_ delivery: NotificationDelivery, _ language: String) -> String {
        switch delivery {
        case .immediate: renderer.text("notifications_mode_immediate", language)
        case .digest(let minutes):
            renderer.text("notifications_mode_digest_every", language, replacing: ["minutes": String(minutes)])
        case .throttled(let perHour):
            renderer.text("notifications_mode_throttled_at", language, replacing: ["count": String(perHour)])
        }
    }

    // MARK: New rule, step 1 (general) and step 2 (recipients)

    /// The form's fields for a rule (or the input being typed again after an error).
    func formContext(_ input: NotificationRuleInput?, session: PortalRoutes.PortalSession, language: String) async throws
        -> [String: Any]
    {
        let groups = try await services.rbac.deviceGroups(tenantID: session.tenant.id)
        let visible: [DeviceGroup] =
            switch session.scope.deviceGroups {
            case .all: groups
            case .only(let names): groups.filter { names.contains($0.name) }
            }
        let chosenGroups = Set(input?.deviceGroups ?? [])
        let chosenSeverities = Set((input?.severities ?? []).compactMap(AlertSeverity.init(caseInsensitive:)))
        let mode = input?.deliveryMode ?? "immediate"
        return [
            "name": input?.name ?? "", "description": input?.description ?? "",
            "enabled": input?.enabled ?? true, "includeOrganizationName": input?.includeOrganizationName ?? true,
            "includeTenantLink": input?.includeTenantLink ?? true,
            "includeDeviceInformation": input?.includeDeviceInformation ?? true,
            "canChooseAll": session.scope.deviceGroups == .all, "allDeviceGroups": input?.allDeviceGroups ?? false,
            "groups": visible.map { group -> [String: Any] in
                ["id": group.id.description, "name": group.name, "checked": chosenGroups.contains(group.id.description)]
            },
            "severityOptions": Self.severities.map { severity -> [String: Any] in
                [
                    "value": severity.rawValue, "label": renderer.text("severity_\(severity.rawValue)", language),
                    "checked": chosenSeverities.contains(severity),
                ]
            },
            "recipientsText": (input?.recipients ?? []).joined(separator: "\n"),
            "modes": ["immediate", "digest", "throttled"].map { value -> [String: Any] in
                ["value": value, "label": renderer.text("notifications_mode_\(value)", language), "checked": value == mode]
            },
            "digestMinutes": input?.digestMinutes.map(String.init) ?? "60",
            "maxEmailsPerHour": input?.maxEmailsPerHour.map(String.init) ?? "10",
            "languages": NotificationRule.languages.map { code -> [String: Any] in
                ["code": code, "name": renderer.text("language_name", code), "selected": code == (input?.language ?? language)]
            },
        ]
    }

    func general(_ request: Request) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let form = try await formContext(nil, session: session, language: session.language)
        return render(request, session, form.merging(["step1": true]) { $1 }, back: "/settings/notifications/new")
    }

    /// Step 1 checked on its own (name, severities, device groups), then the recipients form carrying it along.
    func recipients(_ request: Request) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let input = Self.input(try await portal.checkedFields(request, session))
        let language = session.language
        var form = try await formContext(input, session: session, language: language)
        var problem: String?
        if input.name.trimmingCharacters(in: .whitespaces).isEmpty {
            problem = renderer.text("notifications_need_name", language)
        } else if input.severities.isEmpty {
            problem = renderer.text("notifications_need_severity", language)
        } else if !(input.allDeviceGroups ?? false) && (input.deviceGroups ?? []).isEmpty {
            problem = renderer.text("notifications_need_group", language)
        }
        form[problem == nil ? "step2" : "step1"] = true
        form["error"] = problem ?? false
        form["hidden"] = Self.hiddenFields(input)
        return render(
            request, session, form, back: "/settings/notifications/new", status: problem == nil ? .ok : .badRequest)
    }

    func create(_ request: Request) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let input = Self.input(try await portal.checkedFields(request, session))
        do {
            _ = try await rules.create(in: session.scope, input)
        } catch let error as RampartError {
            var form = try await formContext(input, session: session, language: session.language)
            form["step2"] = true
            form["hidden"] = Self.hiddenFields(input)
            form["error"] = ErrorMappingMiddleware.describe(error).2
            return render(request, session, form, back: "/settings/notifications/new", status: .badRequest)
        }
        return PortalResponse.redirect("/settings/notifications?tid=\(session.tenant.id)")
    }

    // MARK: Edit, delete, test, log

    func ruleID(_ context: AppRequestContext) throws -> ObjectID {
        let text = try context.parameters.require("id")
        guard let id = ObjectID(text) else { throw RampartError.notFound("Notification rule \(text) was not found.") }
        return id
    }

    func edit(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let rule = try await rules.rule(in: session.scope, id: try ruleID(context))
        var form = try await formContext(
            Self.input(rule), session: session, language: session.language)
        form["editing"] = true
        form["id"] = rule.id.description
        return render(request, session, form, back: "/settings/notifications/\(rule.id)")
    }

    func update(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let id = try ruleID(context)
        let input = Self.input(try await portal.checkedFields(request, session))
        do {
            _ = try await rules.update(in: session.scope, id: id, input)
        } catch let error as RampartError {
            if case .notFound = error { throw error }
            var form = try await formContext(input, session: session, language: session.language)
            form["editing"] = true
            form["id"] = id.description
            form["error"] = ErrorMappingMiddleware.describe(error).2
            return render(request, session, form, back: "/settings/notifications/\(id)", status: .badRequest)
        }
        return PortalResponse.redirect("/settings/notifications?tid=\(session.tenant.id)")
    }

    func delete(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        _ = try await portal.checkedForm(request, session)
        try await rules.delete(in: session.scope, id: try ruleID(context))
        return PortalResponse.redirect("/settings/notifications?tid=\(session.tenant.id)")
    }

    func test(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        _ = try await portal.checkedForm(request, session)
        let rule = try await rules.rule(in: session.scope, id: try ruleID(context))
        var outcomes: [OutboxEmail] = []
        for recipient in rule.recipients {
            outcomes.append(
                try await services.notifications.sendTest(
                    rule: rule, organizationName: session.tenant.name, recipient: recipient))
        }
        return try await log(request, context, outcome: outcomes)
    }

    func log(_ request: Request, _ context: AppRequestContext, outcome: [OutboxEmail]?) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let language = session.language
        let id = try ruleID(context)
        let rule = try await rules.rule(in: session.scope, id: id)
        func row(_ email: OutboxEmail) -> [String: Any] {
            [
                "created": session.time(email.createdAt),
                "kind": renderer.text("notifications_kind_\(email.kind)", language),
                "recipient": email.recipient, "subject": email.subject, "alerts": email.alertIDs.count,
                "status": renderer.text("notifications_status_\(email.status.rawValue)", language),
                "sent": email.status == .sent, "failed": email.status == .failed, "attempts": email.attempts,
                "outcome": email.reply ?? email.lastError ?? "",
            ]
        }
        let rows = try await rules.deliveries(in: session.scope, ruleID: id).map(row)
        return render(
            request, session,
            [
                "log": true, "id": id.description, "name": rule.name, "deliveries": rows, "hasDeliveries": !rows.isEmpty,
                "outcomes": outcome.map { $0.map(row) } ?? [], "tested": outcome != nil,
                "relay": services.configuration.smtp?.description ?? renderer.text("notifications_no_relay", language),
            ], back: "/settings/notifications/\(id)/log")
    }

    // MARK: Form fields

    static func input(_ fields: [(String, String)]) -> NotificationRuleInput {
        func value(_ key: String) -> String? { fields.first { $0.0 == key }?.1 }
        func flag(_ key: String) -> Bool { value(key) != nil }
        return NotificationRuleInput(
            name: value("name") ?? "", description: value("description"), enabled: flag("enabled"),
            includeOrganizationName: flag("includeOrganizationName"), includeTenantLink: flag("includeTenantLink"),
            includeDeviceInformation: flag("includeDeviceInformation"), allDeviceGroups: value("deviceGroups") == "all",
            deviceGroups: fields.filter { $0.0 == "group" }.map(\.1), severities: fields.filter { $0.0 == "severity" }.map(\.1),
            recipients: (value("recipients") ?? "").split(whereSeparator: { $0 == "\n" || $0 == "," || $0 == ";" })
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty },
            deliveryMode: value("deliveryMode"), digestMinutes: value("digestMinutes").flatMap { Int($0) },
            maxEmailsPerHour: value("maxEmailsPerHour").flatMap { Int($0) }, language: value("language"))
    }

    static func input(_ rule: NotificationRule) -> NotificationRuleInput {
        let groups: [String] =
            switch rule.deviceGroups {
            case .all: []
            case .only(let ids): ids.map(\.description)
            }
        let (minutes, perHour): (Int?, Int?) =
            switch rule.delivery {
            case .immediate: (nil, nil)
            case .digest(let minutes): (minutes, nil)
            case .throttled(let perHour): (nil, perHour)
            }
        return NotificationRuleInput(
            name: rule.name, description: rule.description, enabled: rule.enabled,
            includeOrganizationName: rule.includeOrganizationName, includeTenantLink: rule.includeTenantLink,
            includeDeviceInformation: rule.includeDeviceInformation, allDeviceGroups: rule.deviceGroups == .all,
            deviceGroups: groups, severities: rule.severities.map(\.rawValue), recipients: rule.recipients.map(\.value),
            deliveryMode: rule.delivery.mode, digestMinutes: minutes, maxEmailsPerHour: perHour, language: rule.language)
    }

    /// Step 1's answers as hidden inputs of step 2.
    static func hiddenFields(_ input: NotificationRuleInput) -> [[String: String]] {
        var fields: [(String, String)] = [("name", input.name), ("description", input.description ?? "")]
        for (key, on) in [
            ("includeOrganizationName", input.includeOrganizationName), ("includeTenantLink", input.includeTenantLink),
            ("includeDeviceInformation", input.includeDeviceInformation),
        ] where on == true {
            fields.append((key, "on"))
        }
        if input.allDeviceGroups == true { fields.append(("deviceGroups", "all")) }
        fields += (input.deviceGroups ?? []).map { ("group", $0) }
        fields += input.severities.map { ("severity", $0) }
        return fields.map { ["name": $0.0, "value": $0.1] }
    }
}
