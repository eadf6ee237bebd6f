import Foundation
import HTTPTypes
import Hummingbird
import RampartCore
import RampartFormats
import RampartQuery
import RampartStore

/// `/api/incidents`: Defender XDR's incidents API (reference §4.6.2) over Rampart's correlated incidents.
extension DefenderAPIRoutes {
    /// Defender XDR's page limit.
    static let maximumIncidentTop = 100

    func registerIncidents(on api: RouterGroup<AppRequestContext>) {
        api.get("incidents") { request, context in try await listIncidents(request, context) }
        api.get("incidents/:id") { request, context in try await getIncident(request, context) }
        api.patch("incidents/:id") { request, context in try await updateIncident(request, context) }
    }

    func listIncidents(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let scope = try await scope(request, bucket: .incidents)
        try scope.require(.readIncidents)
        let options = try odata(
            request, defaultTop: Self.maximumIncidentTop, maximumTop: Self.maximumIncidentTop, expandable: [])
        let query = try collection(options, schema: IncidentQuerySchema.defender, selectable: [])
        var devices: [String: Device] = [:]
        let (page, nextLink) = try await self.page(request, options, query) { top, skip in
            let listing = try await services.incidents.list(
                scope, filter: query.condition, orderBy: query.orderColumns, top: top, skip: skip)
            devices = listing.devices
            return listing.incidents
        }
        let total = options.count ? try await services.incidents.count(scope, filter: query.filter) : nil
        try await auditForeign(
            scope, action: "incidents.list", target: request.uri.description, details: "returned=\(page.count)")
        return JSONResponse.make(
            DefenderIncidentJSON.list(
                page, devices: devices, portalURL: services.configuration.resolvedPublicURL, now: services.clock.now(),
                nextLink: nextLink, count: total))
    }

    func getIncident(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let scope = try await scope(request, bucket: .incidents)
        try scope.require(.readIncidents)
        let id = try context.incidentID()
        let listing = try await services.incidents.get(scope, id: id)
        try await auditForeign(scope, action: "incident.read", target: String(id), details: listing == nil ? "not found" : "")
        return try incidentResponse(listing, id: id)
    }

    func updateIncident(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let scope = try await scope(request, bucket: .incidents)
        try scope.require(.writeIncidents)
        let id = try context.incidentID()
        let update = try DefenderIncidentUpdateBody.update(
            Data(try await request.body.collect(upTo: 64 * 1024).readableBytesView))
        let audit: AuditEntry? =
            scope.isForeign ? .make(scope, action: "incident.update", target: String(id), details: update.auditDetails) : nil
        guard try await services.incidents.update(scope, id: id, update, now: services.clock.now(), audit: audit) != nil
        else { throw RampartError.notFound("Incident \(id) was not found.") }
        return try incidentResponse(try await services.incidents.get(scope, id: id), id: id)
    }

    /// The incident in Defender XDR's shape, or 404 when the scope does not see it.
    func incidentResponse(_ listing: IncidentListing?, id: Int64) throws -> Response {
        guard let listing, let incident = listing.incidents.first else {
            throw RampartError.notFound("Incident \(id) was not found.")
        }
        return JSONResponse.make(
            DefenderIncidentJSON.incident(
                incident, devices: listing.devices, portalURL: services.configuration.resolvedPublicURL,
                now: services.clock.now()))
    }
}

extension AppRequestContext {
    /// The `{id}` of an incident path: a positive number, else the incident is not found.
    func incidentID() throws -> Int64 {
        let text = try parameters.require("id")
        guard let id = Int64(text), id > 0 else { throw RampartError.notFound("Incident \(text) was not found.") }
        return id
    }
}

extension IncidentUpdate {
    /// What changed, for the audit log.
    var auditDetails: String {
        [
            status.map { "status=\($0.rawValue)" }, classification.map { "classification=\($0.rawValue)" },
            determination.map { "determination=\($0.rawValue)" }, assignedTo.map { "assignedTo=\($0 ?? "null")" },
        ].compactMap { $0 }.joined(separator: " ")
    }
}
