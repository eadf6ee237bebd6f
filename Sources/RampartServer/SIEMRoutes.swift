import Foundation
import HTTPTypes
import Hummingbird
import RampartCore
import RampartFormats
import RampartQuery
import RampartStore

/// The SIEM API (Defender §4.3) under `/siem`: connectors that take a base URL and append `/api/alerts`
/// themselves (Splunk's TA, ArcSight's FlexConnector) are given `https://<rampart>/siem`. Tokens are Defender's,
/// including the v1 endpoint's `resource=https://graph.windows.net`; permissions, rate limits and the audit of
/// foreign reads are the alerts API's.
struct SIEMRoutes {
    let services: Services
    let defender: DefenderAPIRoutes

    init(services: Services) {
        self.services = services
        defender = DefenderAPIRoutes(services: services)
    }

    func register(on router: Router<AppRequestContext>) {
        // Hummingbird matches `/siem/api/alerts/` (ArcSight's form) to the same route.
        router.get("/siem/api/alerts") { request, _ in try await detections(request) }
    }

    func detections(_ request: Request) async throws -> Response {
        let scope = try await defender.scope(request)
        try scope.require(.readAlerts)
        let query = try SIEMQuery.parse(QueryString.items(request).map { ($0.name, $0.value) }, now: services.clock.now())
        let found = try await services.alerts.siemDetections(
            scope, since: query.since, until: query.until, limit: query.limit ?? SIEMQuery.maximumLimit,
            groups: query.machineGroups, tags: query.deviceTags)
        try await defender.auditForeign(
            scope, action: "siem.alerts", target: request.uri.path,
            details: "returned=\(found.count) since=\(query.since) until=\(query.until)")
        let portal = services.configuration.resolvedPublicURL
        return JSONResponse.make(
            .array(found.map { SIEMDetectionJSON.detection($0.0, device: $0.1, portalURL: portal) }))
    }
}
