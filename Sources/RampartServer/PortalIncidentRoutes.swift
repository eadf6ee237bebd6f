import Foundation
import HTTPTypes
import Hummingbird
import RampartCore
import RampartStore

/// Incidents in the portal: the list (newest activity first), an incident's page with its alerts, and the form that
/// manages it (status, owner, classification, determination), within the caller's device groups.
struct PortalIncidentRoutes: PortalFeature {
    let portal: PortalRoutes

    func register(on router: Router<AppRequestContext>) {
        router.get("/incidents") { request, _ in try await list(request) }
        router.get("/incidents/:id") { request, context in try await incident(request, context) }
        router.post("/incidents/:id") { request, context in try await manage(request, context) }
    }

    func list(_ request: Request) async throws -> Response {
        guard let session = try await portal.session(request) else { return PortalResponse.redirect("/signin") }
        try session.scope.require(.readIncidents)
        let language = session.language
        let onlyActive = request.uri.queryParameters.get("status") != "all"
        let filter: SQL? = onlyActive ? "status = 'Active'" : nil
        let total = try await services.incidents.count(session.scope, filter: filter)
        let pager = PortalPager(request, total: total)
        let listing = try await services.incidents.list(
            session.scope, filter: filter, orderBy: [("last_update_time", true)], top: PortalRoutes.pageSize,
            skip: pager.skip)
        let rows: [[String: Any]] = listing.incidents.map { incident in
            [
                "id": String(incident.id), "name": incident.name, "severity": incident.severity.rawValue,
                "severityClass": incident.severity.rawValue.lowercased(), "status": incident.status.rawValue,
                "alertCount": session.format.number(incident.alerts.count),
                "devices": session.format.number(Set(incident.alerts.compactMap(\.machineID)).count),
                "assignedTo": incident.assignedTo ?? "",
                "updated": session.time(incident.lastUpdateTime),
            ]
        }
        let statusQuery = onlyActive ? "" : "&status=all"
        let context = session.layout(
            pager.context(
                [
                    "incidents": rows, "hasIncidents": !rows.isEmpty, "onlyActive": onlyActive,
                    "summary": renderer.text(
                        onlyActive ? "incidents_summary_active" : "incidents_summary", language, session.format.number(total)),
                    "statusQuery": statusQuery,
                ], renderer: renderer, language: language))
        return PortalResponse.html(
            renderer.render("incidents", context, language: language, back: "/incidents?page=\(pager.page)\(statusQuery)"))
    }

    func incident(_ request: Request, _ context: AppRequestContext, error: String? = nil) async throws -> Response {
        guard let session = try await portal.session(request) else { return PortalResponse.redirect("/signin") }
        try session.scope.require(.readIncidents)
        let language = session.language
        let id = try context.incidentID()
        guard let listing = try await services.incidents.get(session.scope, id: id),
            let incident = listing.incidents.first
        else { throw RampartError.notFound("Incident \(id) was not found.") }
        let alerts: [[String: Any]] = incident.alerts.map { alert in
            [
                "id": alert.id, "title": alert.title, "severity": alert.severity.rawValue,
                "severityClass": alert.severity.rawValue.lowercased(), "status": alert.status.rawValue,
                "category": alert.category, "device": alert.computerDnsName ?? "", "deviceID": alert.machineID ?? "",
                "created": session.time(alert.alertCreationTime),
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
            "created": session.time(incident.createdTime),
            "updated": session.time(incident.lastUpdateTime),
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
        let id = try context.incidentID()
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
                request, context, error: renderer.text("incidents_update_invalid", session.language))
        }
        return PortalResponse.redirect("/incidents/\(id)?tid=\(session.tenant.id)")
    }
}
