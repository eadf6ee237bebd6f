import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartIdentity
import RampartQuery
import RampartStore

/// The MSSP's queue: one list of alerts across every tenant the analyst works in, with filters, sorting and bulk
/// actions that are checked, tenant by tenant, against that tenant's permissions.
struct PortalQueueRoutes: PortalFeature {
    let portal: PortalRoutes
    static let pageSize = 50
    static let ages = [1, 3, 7, 30, 180]

    func register(on router: Router<AppRequestContext>) {
        router.get("/queue") { request, _ in try await queue(request) }
        router.post("/queue/bulk") { request, _ in try await bulk(request) }
    }

    /// The analyst's tenants with the scope of each, resolved once for this request.
    func tenants(_ home: User) async throws -> [(Tenant, AccessScope)] {
        try await services.delegatedScopes.scopes(forHome: home).filter { $0.1.allows(.readAlerts) }
    }

    struct Filters {
        var tenant: TenantID?
        var severity: AlertSeverity?
        var status: AlertStatus?
        var ageDays: Int?
        var assignedTo: String?
        var sort: String
        var page: Int

        init(_ query: [String: String]) {
            tenant = query["tenant"].flatMap(TenantID.init)
            severity = query["severity"].flatMap(AlertSeverity.init(caseInsensitive:))
            status = query["status"].flatMap(AlertStatus.init(caseInsensitive:))
            ageDays = query["age"].flatMap(Int.init).flatMap { PortalQueueRoutes.ages.contains($0) ? $0 : nil }
            assignedTo = query["assignedTo"].flatMap { $0.isEmpty ? nil : $0 }
            sort = ["newest", "oldest", "severity"].contains(query["sort"] ?? "") ? query["sort"]! : "newest"
            page = max(1, query["page"].flatMap(Int.init) ?? 1)
        }

        func condition(now: Timestamp) -> SQL? {
            var parts: [SQL] = []
            if let tenant { parts.append("tenant_id = \(bind: tenant)") }
            if let severity { parts.append("severity = \(bind: severity.rawValue)") }
            if let status { parts.append("status = \(bind: status.rawValue)") }
            if let ageDays { parts.append("alert_creation_time >= \(bind: now.adding(seconds: -Int64(ageDays) * 86_400))") }
            if let assignedTo { parts.append("assigned_to = \(bind: assignedTo)") }
            return parts.isEmpty ? nil : SQL.joined(parts, separator: " AND ")
        }

        /// The sort keys of the API's schema, so the queue and `$orderby` order alike.
        var order: [(column: String, descending: Bool)] {
            func key(_ name: String) -> String { AlertQuerySchema.defender.field(name)?.sortKey ?? "id" }
            return switch sort {
            case "oldest": [(key("alertCreationTime"), false)]
            case "severity": [(key("severity"), true), (key("alertCreationTime"), true)]
            default: [(key("alertCreationTime"), true)]
            }
        }

        var query: [URLQueryItem] {
            [
                tenant.map { URLQueryItem(name: "tenant", value: $0.description) },
                severity.map { URLQueryItem(name: "severity", value: $0.rawValue) },
                status.map { URLQueryItem(name: "status", value: $0.rawValue) },
                ageDays.map { URLQueryItem(name: "age", value: String($0)) },
                assignedTo.map { URLQueryItem(name: "assignedTo", value: $0) }, URLQueryItem(name: "sort", value: sort),
            ].compactMap { $0 }
        }
    }

    func queue(_ request: Request) async throws -> Response {
        guard let session = try await portal.session(request, inHomeTenant: true) else {
            return PortalResponse.redirect("/signin")
        }
        let language = session.language
        let parameters = Dictionary(
            request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
        let filters = Filters(parameters)
        let tenants = try await tenants(session.user)
        let names = Dictionary(uniqueKeysWithValues: tenants.map { ($0.0.id, $0.0.name) })
        let scopes = tenants.map(\.1)
        let now = Timestamp.now()
        let total = try await services.alerts.count(across: scopes, filter: filters.condition(now: now))
        let pages = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        let page = min(filters.page, pages)
        let alerts = try await services.alerts.list(
            across: scopes,
            AlertListQuery(
                filter: filters.condition(now: now), orderBy: filters.order, top: Self.pageSize,
                skip: (page - 1) * Self.pageSize))
        for scope in scopes where scope.isForeign && alerts.contains(where: { $0.tenantID == scope.tenantID }) {
            try await AuditRepository(db: services.database).append(
                .make(scope, action: "portal.queue.list", target: "/queue", details: "page=\(page)"))
        }
        let rows: [[String: Any]] = alerts.map { alert in
            [
                "id": alert.id, "tenantID": alert.tenantID.description, "tenant": names[alert.tenantID] ?? "",
                "title": alert.title, "severity": alert.severity.rawValue, "severityClass": alert.severity.rawValue.lowercased(),
                "device": alert.computerDnsName ?? "", "created": session.time(alert.alertCreationTime),
                "status": alert.status.rawValue,
                "assignedTo": alert.assignedTo ?? "",
            ]
        }
        var components = URLComponents()
        components.queryItems = filters.query
        let base = "/queue?" + (components.percentEncodedQuery ?? "")
        let context = session.layout([
            "alerts": rows, "hasAlerts": !rows.isEmpty, "csrf": session.csrf,
            "summary": renderer.text(
                "queue_summary", language, session.format.number(total), session.format.number(tenants.count)),
            "tenants": tenants.map { tenant, _ in
                ["id": tenant.id.description, "name": tenant.name, "selected": tenant.id == filters.tenant]
            },
            "severities": AlertSeverity.allCases.map { ["value": $0.rawValue, "selected": $0 == filters.severity] },
            "statuses": AlertStatus.allCases.map { ["value": $0.rawValue, "selected": $0 == filters.status] },
            "ages": Self.ages.map { ["value": $0, "selected": $0 == filters.ageDays] },
            "sorts": ["newest", "oldest", "severity"].map {
                ["value": $0, "label": renderer.text("queue_sort_\($0)", language), "selected": $0 == filters.sort]
            },
            "assignedTo": filters.assignedTo ?? "",
            "classifications": AlertClassification.allCases.map(\.rawValue),
            "pageLabel": renderer.text("pager_label", language, String(page), String(pages)),
            "previousPage": page > 1 ? "\(base)&page=\(page - 1)" : false,
            "nextPage": page < pages ? "\(base)&page=\(page + 1)" : false,
            "done": parameters["done"] ?? false,
        ])
        return PortalResponse.html(renderer.render("queue", context, language: language, back: base))
    }

    /// Applies one action to the ticked alerts, tenant by tenant: each tenant's part succeeds or fails on its own
    /// permissions, and the outcome of each is reported.
    func bulk(_ request: Request) async throws -> Response {
        guard let session = try await portal.session(request, inHomeTenant: true) else {
            return PortalResponse.redirect("/signin")
        }
        let language = session.language
        let fields = try await portal.checkedFields(request, session)
        func value(_ name: String) -> String? {
            fields.first { $0.0 == name }.flatMap { $0.1.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.1 }
        }
        var update = AlertUpdate()
        update.status = value("status").flatMap(AlertStatus.init(caseInsensitive:))
        update.classification = value("classification").flatMap(AlertClassification.init(caseInsensitive:))
        if let owner = value("assignedTo") { update.assignedTo = .some(owner) }
        update.comment = value("comment")
        var selected: [TenantID: [String]] = [:]
        for (name, text) in fields where name == "alert" {
            let parts = text.split(separator: "|", maxSplits: 1)
            guard parts.count == 2, let tenant = TenantID(String(parts[0])) else { continue }
            selected[tenant, default: []].append(String(parts[1]))
        }
        var outcomes: [String] = []
        do {
            try update.validate()
            guard !selected.isEmpty else {
                throw RampartError.invalidInput(code: "InvalidInput", message: renderer.text("queue_none_selected", language))
            }
            let tenants = Dictionary(uniqueKeysWithValues: try await tenants(session.user).map { ($0.0.id, $0) })
            for (tenantID, ids) in selected.sorted(by: { $0.key.description < $1.key.description }) {
                guard let (tenant, scope) = tenants[tenantID] else { continue }
                guard scope.allows(.writeAlerts) else {
                    outcomes.append(renderer.text("queue_refused", language, tenant.name))
                    continue
                }
                let audit: AuditEntry? =
                    scope.isForeign ? .make(scope, action: "portal.queue.bulk", target: "\(ids.count) alerts") : nil
                switch try await services.alerts.update(scope, ids: ids, update, now: .now(), audit: audit) {
                case .updated(let alerts): outcomes.append(renderer.text("queue_updated", language, tenant.name, alerts.count))
                case .notFound: outcomes.append(renderer.text("queue_refused", language, tenant.name))
                }
            }
        } catch let error as RampartError {
            outcomes.append(ErrorMappingMiddleware.describe(error).2)
        }
        var components = URLComponents()
        components.queryItems = [URLQueryItem(name: "done", value: outcomes.joined(separator: " · "))]
        return PortalResponse.redirect("/queue?" + (components.percentEncodedQuery ?? ""))
    }
}
