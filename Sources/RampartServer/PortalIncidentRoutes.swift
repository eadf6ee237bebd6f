import Foundation
import HTTPTypes
import Hummingbird
import RampartCore
import RampartStore

/// Incidents in the portal: the list (newest activity first), an incident's page with its alerts, and the form that
/// manages it (status, owner, classification, determination), within the caller's device groups.
struct PortalIncidentRoutes {
    let services: Services
    let portal: PortalRoutes
    var renderer: PortalRenderer { services.portal }

    init(services: Services) {
        self.services = services
        portal = PortalRoutes(services: services)
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/incidents") { request, _ in try await list(request) }
        router.get("/incidents/:id") { request, context in try await incident(request, context) }
        router.post("/incidents/:id") { request, context in try await manage(request, context) }
    }

    func list(_ request: Request) async throws -> Response {
        guard let session = try await portal.session(request) else { return PortalResponse.redirect("/signin") }
        try session.scope.require(.readIncidents)
        let language = portal.languageOf(request)
        let onlyActive = request.uri.queryParameters.get("status") != "all"
        let filter: SQL? = onlyActive ? "status = 'Active'" : nil
        let total = try await services.incidents.count(session.scope, filter: filter)
        let pages = max(1, (total + PortalRoutes.pageSize - 1) / PortalRoutes.pageSize)
        let page = min(max(1, Int(request.uri.queryParameters.get("page") ?? "1") ?? 1), pages)
        let listing = try await services.incidents.list(
            session.scope, filter: filter, orderBy: [("last_update_time", true)], top: PortalRoutes.pageSize,
            skip: (page - 1) * PortalRoutes.pageSize)
        let rows: [[String: Any]] = listing.incidents.map { incident in
            [
                "id": String(incident.id), "name": incident.name, "severity": incident.severity.rawValue,
                "severityClass": incident.severity.rawValue.lowercased(), "status": incident.status.rawValue,
                "alertCount": incident.alerts.count, "devices": Set(incident.alerts.compactMap(\.machineID)).count,
                "assignedTo": incident.assignedTo ?? "",
                "updated": PortalRoutes.display(incident.lastUpdateTime), "updatedISO": incident.lastUpdateTime.description,
            ]
        }
        let statusQuery = onlyActive ? "" : "&status=all"
        let context = session.layout([
            "incidents": rows, "hasIncidents": !rows.isEmpty, "onlyActive": onlyActive,
            "summary": renderer.text(onlyActive ? "incidents_summary_active" : "incidents_summary", language, total),
            "pageLabel": renderer.text("pager_label", language, page, pages), "statusQuery": statusQuery,
            "previousPage": page > 1 ? page - 1 : false, "nextPage": page < pages ? page + 1 : false,
        ])
        return PortalResponse.html(
            renderer.render("incidents", context, language: language, back: "/incidents?page=\(page)\(statusQuery)"))
    }

    func incident(_ request: Request, _ context: AppRequestContext, error: String? = nil) async throws -> Response {
        guard let session = try await portal.session(request) else { return PortalResponse.redirect("/signin") }
        try session.scope.require(.readIncidents)
        let language = portal.languageOf(request)
        let id = try incidentID(context)
        guard let listing = try await services.incidents.get(session.scope, id: id),
            let incident = listing.incidents.first
        else { throw RampartError.notFound("Incident \(id) was not found.") }
        let alerts: [[String: Any]] = incident.alerts.map { alert in
            [
                "id": alert.id, "title": alert.title, "severity": alert.severity.rawValue,
                "severityClass": alert.severity.rawValue.lowercased(), "status": alert.status.rawValue,
                "category": alert.category, "device": alert.computerDnsName ?? "", "deviceID": alert.machineID ?? "",
                "created": PortalRoutes.display(alert.alertCreationTime), "createdISO": alert.alertCreationTime.description,
            ]
        }
        func options<E: DefenderEnum>(_ type: E.Type, selected: E) -> [[String: Any]] {
            E.allCases.map { ["value": $0.rawValue, "selected": $0 == selected] }
        }
        let values: [String: Any] = [
            "id": String(id), "name": incident.name, "severity": incident.severity.rawValue,
            "severityClass": incident.severity.rawValue.lowercased(), "status": incident.status.rawValue,
            "assignedTo": incident.assignedTo ?? "", "classification": incident.classification.rawValue,
            "determination": incident.determination.rawValue, "detectionSource": incident.detectionSource,
            "created": PortalRoutes.display(incident.createdTime), "createdISO": incident.createdTime.description,
            "updated": PortalRoutes.display(incident.lastUpdateTime), "updatedISO": incident.lastUpdateTime.description,
            "alerts": alerts, "canManage": session.scope.allows(.writeIncidents), "error": error ?? false,
            "statuses": [IncidentStatus.active, .resolved].map { ["value": $0.rawValue, "selected": $0 == incident.status] },
            "classifications": options(IncidentClassification.self, selected: incident.classification),
            "determinations": options(IncidentDetermination.self, selected: incident.determination),
        ]
        return PortalResponse.html(
            renderer.render("incident", session.layout(values), language: language, back: "/incidents/\(id)"),
            status: error == nil ? .ok : .badRequest)
    }

    func manage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let (session, form) = try await portal.posted(request, requiring: .writeIncidents) else {
            return PortalResponse.redirect("/signin")
        }
        let id = try incidentID(context)
        let owner = form["assignedTo"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let update = IncidentUpdate(
            status: form["status"].flatMap(IncidentStatus.init(rawValue:)), assignedTo: .some(owner.isEmpty ? nil : owner),
            classification: form["classification"].flatMap(IncidentClassification.init(rawValue:)),
            determination: form["determination"].flatMap(IncidentDetermination.init(rawValue:)))
        let audit: AuditEntry? =
            session.scope.isForeign
            ? .make(session.scope, action: "portal.incident.update", target: String(id), details: update.auditDetails) : nil
        do {
            guard
                try await services.incidents.update(session.scope, id: id, update, now: services.clock.now(), audit: audit)
                    != nil
            else { throw RampartError.notFound("Incident \(id) was not found.") }
        } catch RampartError.invalidInput {
            return try await incident(
                request, context, error: renderer.text("incidents_update_invalid", portal.languageOf(request)))
        }
        return PortalResponse.redirect("/incidents/\(id)?tid=\(session.tenant.id)")
    }

    func incidentID(_ context: AppRequestContext) throws -> Int64 {
        let text = try context.parameters.require("id")
        guard let id = Int64(text), id > 0 else { throw RampartError.notFound("Incident \(text) was not found.") }
        return id
    }
}
