import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartIdentity
import RampartStore

/// The server-rendered portal: sign-in, the alert queue and the alert page. Works without JavaScript.
struct PortalRoutes {
    let services: Services
    static let pageSize = 50
    static let sessionSeconds = 8 * 3600
    var renderer: PortalRenderer { services.portal }
    var secureCookies: Bool { services.configuration.usesTLS }

    func register(on router: Router<AppRequestContext>) {
        router.get("/") { _, _ in PortalResponse.redirect("/alerts") }
        router.get("/static/portal.css") { _, _ in
            var response = JSONResponse.text(renderer.stylesheet, contentType: "text/css; charset=utf-8")
            response.headers[.cacheControl] = "public, max-age=3600"
            return response
        }
        router.get("/language") { request, _ in try await language(request) }
        router.get("/signin") { request, _ in
            signInPage(request, error: nil, username: "", next: request.uri.queryParameters.get("next").map { String($0) })
        }
        router.post("/signin") { request, context in try await signIn(request, context) }
        router.post("/signout") { request, _ in try await signOut(request) }
        router.get("/alerts") { request, _ in try await alertQueue(request) }
        router.get("/alerts/:id") { request, context in try await alertPage(request, context) }
        router.get("/audit") { request, _ in try await auditPage(request) }
    }

    /// The switcher on every page: remembered in the browser, and as the signed-in person's preference (which wins
    /// over the browser's wishes on every device they sign in from).
    func language(_ request: Request) async throws -> Response {
        let wanted = request.uri.queryParameters.get("to") ?? "en"
        let code = PortalRenderer.languages.contains(wanted) ? wanted : "en"
        if let session = try await session(request, inHomeTenant: true), session.user.preferences.language != code {
            var preferences = session.user.preferences
            preferences.language = code
            try await services.directory.setPreferences(userID: session.user.id, preferences)
        }
        var back = request.uri.queryParameters.get("back") ?? "/alerts"
        // Only paths of this site: an open redirect would help phishing.
        if !back.hasPrefix("/") || back.hasPrefix("//") || back.contains("\\") { back = "/alerts" }
        return PortalResponse.redirect(
            back, cookies: [PortalCookies.make(PortalCookies.language, code, secure: secureCookies, maxAge: 365 * 86_400)])
    }

    func languageOf(_ request: Request) -> String {
        PortalRenderer.language(
            cookie: PortalCookies.value(named: PortalCookies.language, in: request),
            acceptLanguage: request.headers[.acceptLanguage])
    }

    // MARK: Sign-in

    func signInPage(
        _ request: Request, error: String?, username: String, next: String? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        let csrf = Secrets.makeToken()
        let html = renderer.render(
            "signin", ["csrf": csrf, "error": error ?? false, "username": username, "next": Self.sameSite(next) ?? ""],
            language: languageOf(request), back: "/signin")
        return PortalResponse.html(
            html, status: status,
            cookies: [PortalCookies.make(PortalCookies.signinCSRF, csrf, secure: secureCookies, maxAge: 3600)])
    }

    func signIn(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let language = languageOf(request)
        let form = try await FormBody.collect(request, limit: 16 * 1024)
        let username = (form["username"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        guard let cookie = PortalCookies.value(named: PortalCookies.signinCSRF, in: request), let sent = form["csrf"],
            Secrets.constantTimeEquals(cookie, sent)
        else {
            return signInPage(
                request, error: renderer.text("signin_csrf", language), username: username, next: form["next"],
                status: .badRequest)
        }
        let keys = ["upn:" + username] + (context.remoteAddress.map { ["ip:" + $0] } ?? [])
        if let wait = await services.throttle.retryAfter(keys: keys) {
            var response = signInPage(
                request, error: renderer.text("signin_throttled", language, wait), username: username, status: .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        }
        guard let (user, hash) = try await services.directory.credentials(userPrincipalName: username), user.enabled,
            services.passwords.verify(form["password"] ?? "", hash: hash)
        else {
            await services.throttle.recordFailure(keys: keys)
            context.logger.notice("portal sign-in failed", metadata: ["upn": "\(username)"])
            return signInPage(
                request, error: renderer.text("signin_failed", language), username: username, next: form["next"],
                status: .unauthorized)
        }
        await services.throttle.recordSuccess(keys: ["upn:" + username])
        let next = Self.sameSite(form["next"]) ?? "/alerts"
        let token = Secrets.makeToken()
        let now = Timestamp.now()
        // Expired sessions are useless rows; sign-ins are rare enough to sweep them here.
        try await services.sessions.deleteExpired(now: now)
        try await services.sessions.create(
            tokenHash: Secrets.sha256Hex(token), userID: user.id, csrfToken: Secrets.makeToken(), now: now,
            expiresAt: now.adding(seconds: Int64(Self.sessionSeconds)))
        context.logger.info("portal sign-in", metadata: ["upn": "\(user.userPrincipalName)", "tenant": "\(user.tenantID)"])
        return PortalResponse.redirect(
            next,
            cookies: [
                PortalCookies.make(PortalCookies.session, token, secure: secureCookies, maxAge: Self.sessionSeconds),
                PortalCookies.make(PortalCookies.tenant, "", secure: secureCookies, maxAge: 0),
                PortalCookies.make(PortalCookies.signinCSRF, "", secure: secureCookies, maxAge: 0),
            ])
    }

    /// A path of this site, or nil: anything else would make the sign-in form an open redirect.
    static func sameSite(_ target: String?) -> String? {
        guard let target, target.hasPrefix("/"), !target.hasPrefix("//"), !target.contains("\\") else { return nil }
        return target
    }

    func signOut(_ request: Request) async throws -> Response {
        if let session = try await session(request, inHomeTenant: true) {
            let form = try await FormBody.collect(request, limit: 16 * 1024)
            guard let sent = form["csrf"], Secrets.constantTimeEquals(sent, session.csrf) else {
                throw RampartError.invalidInput(code: "BadRequest", message: "CSRF token mismatch.")
            }
            try await services.sessions.delete(tokenHash: session.tokenHash)
        }
        return PortalResponse.redirect(
            "/signin",
            cookies: [
                PortalCookies.make(PortalCookies.session, "", secure: secureCookies, maxAge: 0),
                PortalCookies.make(PortalCookies.tenant, "", secure: secureCookies, maxAge: 0),
            ])
    }

    // MARK: Sessions

    struct PortalSession {
        /// The signed-in account, in its home tenant.
        let user: User
        /// The tenant being worked in: the home tenant, or a customer's through `?tid=`.
        let tenant: Tenant
        let csrf: String
        let tokenHash: String
        /// Resolved from the directory at this request: roles, device groups and assignments as they stand now.
        let scope: AccessScope
        /// The user's language (their preference, else the browser's) and time zone.
        let format: PortalFormatter

        var isGuest: Bool { tenant.id != user.tenantID }
        var language: String { format.language }

        func time(_ time: Timestamp) -> [String: String] { format.time(time) }
        func time(_ time: Timestamp?) -> Any { format.time(time) }

        func layout(_ base: [String: Any]) -> [String: Any] {
            var context = base
            context["session"] = [
                "tenantName": tenant.name, "tenantID": tenant.id.description, "isGuest": isGuest,
                "homeTenantID": user.tenantID.description,
                "userPrincipalName": user.userPrincipalName, "csrf": csrf, "canAudit": scope.allows(.manageDirectory),
                "canManageSettings": scope.allows(.managePortalSettings),
                "canManageAccess": scope.allows(.manageEntitlements),
                "canManageSecurity": scope.allows(.manageSecuritySettings),
                "canPartners": scope.allows(.manageDirectory) || scope.allows(.managePortalSettings),
            ]
            // Forms post to the tenant they were shown in, whatever another tab switched to since.
            context["tidQuery"] = "?tid=\(tenant.id)"
            return context
        }
    }

    /// The signed-in user and the tenant they act in, checked against the directory and their assignments at every
    /// request. `nil` when nobody is signed in; `PortalNoAccess` when the asked-for tenant is not theirs to enter.
    /// Personal pages (my access, request links) pass `inHomeTenant` and always work in the home tenant.
    func session(_ request: Request, inHomeTenant: Bool = false) async throws -> PortalSession? {
        guard let token = PortalCookies.value(named: PortalCookies.session, in: request), !token.isEmpty else { return nil }
        let hash = Secrets.sha256Hex(token)
        guard let (userID, csrf) = try await services.sessions.find(tokenHash: hash, now: .now()),
            let user = try await services.directory.user(id: userID), user.enabled, !user.isGuest
        else { return nil }
        var requested: String?
        if !inHomeTenant {
            requested =
                request.uri.queryParameters.get("tid").map { String($0) }
                ?? PortalCookies.value(named: PortalCookies.tenant, in: request).flatMap { $0.isEmpty ? nil : $0 }
        }
        let tenantID: TenantID? = if let requested { TenantID(requested) } else { user.tenantID }
        guard let tenantID,
            let scope = try await services.entitlements.actingScope(home: user, tenantID: tenantID),
            let tenant = try await services.directory.tenant(id: tenantID)
        else {
            if tenantID == user.tenantID { return nil }
            throw PortalNoAccess(user: user, requested: tenantID, csrf: csrf)
        }
        let format = PortalFormatter(
            language: user.preferences.language ?? languageOf(request), timeZone: user.preferences.timeZone)
        let session = PortalSession(user: user, tenant: tenant, csrf: csrf, tokenHash: hash, scope: scope, format: format)
        try await auditGuest(session, request)
        return session
    }

    /// The signed-in session that may do `capability`, and its posted form (CSRF checked); nil when nobody is
    /// signed in.
    func posted(_ request: Request, requiring capability: Capability) async throws -> (PortalSession, [String: String])? {
        guard let session = try await session(request) else { return nil }
        try session.scope.require(capability)
        return (session, try await checkedForm(request, session))
    }

    /// The posted form, after its CSRF token is checked against the session's.
    func checkedForm(_ request: Request, _ session: PortalSession) async throws -> [String: String] {
        Dictionary(try await checkedFields(request, session), uniquingKeysWith: { first, _ in first })
    }

    /// Every posted field in order, repeats included (checkbox lists), after the CSRF check.
    func checkedFields(_ request: Request, _ session: PortalSession) async throws -> [(String, String)] {
        let fields = try await FormBody.collectPairs(request, limit: 16 * 1024)
        guard let sent = fields.first(where: { $0.0 == "csrf" })?.1, Secrets.constantTimeEquals(sent, session.csrf) else {
            throw RampartError.invalidInput(code: "BadRequest", message: "CSRF token mismatch.")
        }
        return fields
    }

    /// Guests' reads and writes are the customer's business: every page a guest loads or posts is in the
    /// customer's audit log (the change a post makes is recorded as well, by the service that makes it).
    func auditGuest(_ session: PortalSession, _ request: Request) async throws {
        guard session.scope.isForeign else { return }
        let path = request.uri.path
        let action =
            switch path {
            case "/alerts": "portal.alerts.list"
            case "/devices": "portal.devices.list"
            case "/incidents": "portal.incidents.list"
            case _ where path.hasPrefix("/incidents/"): "portal.incident.read"
            case _ where path.hasPrefix("/alerts/"): "portal.alert.read"
            case _ where path.hasPrefix("/devices/"): "portal.device.read"
            default: "portal.page"
            }
        try await AuditRepository(db: services.database).append(
            .make(
                session.scope, action: action, target: path,
                details: "\(request.method.rawValue) \(request.uri.query ?? "")".trimmingCharacters(in: .whitespaces)))
    }

    // MARK: Alerts

    func alertQueue(_ request: Request) async throws -> Response {
        guard let session = try await session(request) else { return PortalResponse.redirect("/signin") }
        // MSSP staff often hold no role at home: their work starts at the tenant picker.
        if !session.scope.allows(.readAlerts), !session.isGuest { return PortalResponse.redirect("/access") }
        let language = session.language
        let total = try await services.alerts.count(session.scope)
        let pager = PortalPager(request, total: total)
        let alerts = try await services.alerts.list(session.scope, AlertListQuery(top: Self.pageSize, skip: pager.skip))
        let rows: [[String: Any]] = alerts.map { alert in
            [
                "id": alert.id, "title": alert.title, "severity": alert.severity.rawValue,
                "severityClass": alert.severity.rawValue.lowercased(), "device": alert.computerDnsName ?? "",
                "created": session.time(alert.alertCreationTime),
                "status": alert.status.rawValue,
            ]
        }
        let context = session.layout(
            pager.context(
                [
                    "alerts": rows, "hasAlerts": !rows.isEmpty,
                    "summary": renderer.text("alerts_summary", language, session.format.number(total)),
                ],
                renderer: renderer, language: language))
        return PortalResponse.html(
            renderer.render("alerts", context, language: language, back: "/alerts?page=\(pager.page)"))
    }

    func alertPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let session = try await session(request) else { return PortalResponse.redirect("/signin") }
        let language = session.language
        let id = try context.parameters.require("id")
        guard let alert = try await services.alerts.get(session.scope, id: id, expandEvidence: true) else {
            throw RampartError.notFound("Alert \(id) was not found.")
        }
        func field(_ key: String, _ value: String?) -> [String: Any]? {
            guard let value, !value.isEmpty else { return nil }
            return ["name": renderer.text(key, language), "value": value, "time": false]
        }
        func field(_ key: String, _ time: Timestamp?) -> [String: Any]? {
            time.map { ["name": renderer.text(key, language), "time": session.time($0)] }
        }
        let fields: [[String: Any]] = [
            field("field_id", alert.id), field("field_status", alert.status.rawValue),
            field("field_category", alert.category), field("field_detection_source", alert.detectionSource),
            field("field_detector_id", alert.detectorID), field("field_device", alert.computerDnsName),
            field("field_device_id", alert.machineID), field("field_device_group", alert.rbacGroupName),
            field("field_assigned_to", alert.assignedTo), field("field_classification", alert.classification?.rawValue),
            field("field_determination", alert.determination?.rawValue),
            field("field_investigation_state", alert.investigationState?.rawValue),
            field("field_threat_family", alert.threatFamilyName), field("field_threat_name", alert.threatName),
            field("field_incident", alert.incidentID.map(String.init)),
            field("field_created", alert.alertCreationTime),
            field("field_first_event", alert.firstEventTime),
            field("field_last_event", alert.lastEventTime),
            field("field_last_update", alert.lastUpdateTime),
            field("field_resolved", alert.resolvedTime),
            field("field_mitre", alert.mitreTechniques.joined(separator: ", ")),
            field(
                "field_related_user",
                alert.relatedUser.map { user in user.domainName.map { "\($0)\\\(user.userName)" } ?? user.userName }),
        ].compactMap { $0 }
        let evidence: [[String: Any]] = alert.evidence.map { item in
            ["entityType": item.entityType, "details": Self.evidenceDetails(item)]
        }
        let comments: [[String: Any]] = alert.comments.map { comment in
            [
                "createdBy": comment.createdBy, "comment": comment.comment, "created": session.time(comment.createdTime),
            ]
        }
        let page = session.layout([
            "alert": ["title": alert.title, "description": alert.description, "severity": alert.severity.rawValue],
            "severityClass": alert.severity.rawValue.lowercased(), "fields": fields, "evidence": evidence,
            "hasEvidence": !evidence.isEmpty, "comments": comments, "hasComments": !comments.isEmpty,
        ])
        return PortalResponse.html(renderer.render("alert", page, language: language, back: "/alerts/\(alert.id)"))
    }

    // MARK: Audit

    func auditPage(_ request: Request) async throws -> Response {
        guard let session = try await session(request) else { return PortalResponse.redirect("/signin") }
        try session.scope.require(.manageDirectory)
        let language = session.language
        let query = request.uri.queryParameters
        let actor = query.get("actor").flatMap { $0.isEmpty ? nil : $0 }
        let action = query.get("action").flatMap { $0.isEmpty ? nil : $0 }
        let before = query.get("before").flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil }
        // Days in UTC, as the page shows times: "from" includes its day, "to" includes its day too.
        let from = query.get("from").flatMap { $0.isEmpty ? nil : $0 }
        let to = query.get("to").flatMap { $0.isEmpty ? nil : $0 }
        let since = from.flatMap { Timestamp(iso8601: "\($0)T00:00:00Z") }
        let until = to.flatMap { Timestamp(iso8601: "\($0)T00:00:00Z") }?.adding(seconds: 86_400)
        let records = try await AuditRepository(db: services.database).entries(
            session.scope, actor: actor, action: action, since: since, until: until, before: before, limit: Self.pageSize)
        let entries: [[String: Any]] = records.map { record in
            [
                "position": record.position, "time": session.time(record.entry.time),
                "actor": record.entry.actor, "action": record.entry.action, "target": record.entry.target,
                "details": record.entry.details,
            ]
        }
        var older: Any = false
        if records.count == Self.pageSize, let last = records.last {
            var components = URLComponents()
            components.path = "/audit"
            components.queryItems =
                [URLQueryItem(name: "before", value: String(last.position))]
                + (actor.map { [URLQueryItem(name: "actor", value: $0)] } ?? [])
                + (action.map { [URLQueryItem(name: "action", value: $0)] } ?? [])
                + (from.map { [URLQueryItem(name: "from", value: $0)] } ?? [])
                + (to.map { [URLQueryItem(name: "to", value: $0)] } ?? [])
            older = components.string ?? false
        }
        let page = session.layout([
            "entries": entries, "hasEntries": !entries.isEmpty, "actor": actor ?? "", "action": action ?? "", "older": older,
            "from": from ?? "", "to": to ?? "",
        ])
        return PortalResponse.html(renderer.render("audit", page, language: language, back: "/audit"))
    }

    /// Evidence properties that are set, under their API names (which are never translated).
    static func evidenceDetails(_ item: AlertEvidence) -> [[String: String]] {
        let pairs: [(String, String?)] = [
            ("fileName", item.fileName), ("filePath", item.filePath), ("sha1", item.sha1), ("sha256", item.sha256),
            ("processId", item.processId.map(String.init)), ("processCommandLine", item.processCommandLine),
            ("parentProcessFileName", item.parentProcessFileName), ("ipAddress", item.ipAddress), ("url", item.url),
            ("registryKey", item.registryKey), ("registryValue", item.registryValue), ("accountName", item.accountName),
            ("domainName", item.domainName), ("userSid", item.userSid), ("userPrincipalName", item.userPrincipalName),
            ("detectionStatus", item.detectionStatus),
        ]
        return pairs.compactMap { name, value in value.map { ["name": name, "value": $0] } }
    }
}
