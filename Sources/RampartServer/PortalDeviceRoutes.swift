import Foundation
import HTTPTypes
import Hummingbird
import RampartCore
import RampartStore

/// The device inventory in the portal: the devices the caller's device groups hold (built from sensor data), and a
/// device's page with its alerts.
struct PortalDeviceRoutes: PortalFeature {
    let portal: PortalRoutes
    var machines: MachineRepository { MachineRepository(db: services.database) }

    func register(on router: Router<AppRequestContext>) {
        router.get("/devices") { request, _ in try await list(request) }
        router.get("/devices/:id") { request, context in try await device(request, context) }
        router.post("/devices/:id/tags") { request, context in try await tag(request, context) }
    }

    func list(_ request: Request) async throws -> Response {
        guard let session = try await portal.session(request) else { return PortalResponse.redirect("/signin") }
        try session.scope.require(.readMachines)
        let language = session.language
        let now = services.clock.now()
        let total = try await machines.count(session.scope, filter: nil, now: now)
        let pager = PortalPager(request, total: total)
        let found = try await machines.list(
            session.scope, filter: nil, orderBy: [("last_seen", true)], top: PortalRoutes.pageSize, skip: pager.skip,
            now: now)
        let context = session.layout(
            pager.context(
                [
                    "devices": found.map { row($0, session) }, "hasDevices": !found.isEmpty,
                    "summary": renderer.text("devices_summary", language, session.format.number(total)),
                ], renderer: renderer, language: language))
        return PortalResponse.html(
            renderer.render("devices", context, language: language, back: "/devices?page=\(pager.page)"))
    }

    func device(_ request: Request, _ context: AppRequestContext, error: String? = nil) async throws -> Response {
        guard let session = try await portal.session(request) else { return PortalResponse.redirect("/signin") }
        try session.scope.require(.readMachines)
        let language = session.language
        let id = try context.parameters.require("id")
        guard let machine = try await machines.get(session.scope, id: id, now: services.clock.now()) else {
            throw RampartError.notFound("Device \(id) was not found.")
        }
        var alerts: [[String: Any]] = []
        if session.scope.allows(.readAlerts) {
            alerts = try await services.alerts.list(
                session.scope, AlertListQuery(filter: AlertRepository.onMachine(id), top: PortalRoutes.pageSize)
            ).map { alert in
                [
                    "id": alert.id, "title": alert.title, "severity": alert.severity.rawValue,
                    "severityClass": alert.severity.rawValue.lowercased(), "status": alert.status.rawValue,
                    "created": session.time(alert.alertCreationTime),
                ]
            }
        }
        var values = row(machine, session)
        values["alerts"] = alerts
        values["hasAlerts"] = !alerts.isEmpty
        values["canTag"] = session.scope.allows(.tagDevices)
        values["error"] = error ?? false
        return PortalResponse.html(
            renderer.render("device", session.layout(values), language: language, back: "/devices/\(id)"),
            status: error == nil ? .ok : .badRequest)
    }

    /// Replaces the device's portal-assigned tags (comma-separated in one field).
    func tag(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let (session, form) = try await portal.posted(request, requiring: .tagDevices) else {
            return PortalResponse.redirect("/signin")
        }
        let id = try context.parameters.require("id")
        let tags = (form["tags"] ?? "").split(separator: ",").map(String.init)
        let audit: AuditEntry? =
            session.scope.isForeign
            ? .make(session.scope, action: "portal.device.tags", target: id, details: tags.joined(separator: ",")) : nil
        do {
            guard try await machines.setCloudTags(session.scope, id: id, tags: tags, audit: audit) else {
                throw RampartError.notFound("Device \(id) was not found.")
            }
        } catch RampartError.invalidInput {
            return try await device(
                request, context, error: renderer.text("devices_tags_invalid", session.language))
        }
        return PortalResponse.redirect("/devices/\(id)?tid=\(session.tenant.id)")
    }

    func row(_ machine: Machine, _ session: PortalRoutes.PortalSession) -> [String: Any] {
        let device = machine.device
        return [
            "id": device.id, "name": device.computerDnsName,
            "os": [device.osPlatform, device.osVersion].compactMap { $0 }
                .joined(separator: " "),
            "ip": device.lastIpAddress ?? "", "group": device.rbacGroupName ?? "",
            "tags": device.machineTags.joined(separator: ", "), "cloudTags": device.cloudTags.joined(separator: ", "),
            "risk": machine.riskScore, "riskClass": machine.riskScore.lowercased(), "health": machine.healthStatus,
            "firstSeen": session.time(device.firstSeen),
            "lastSeen": session.time(device.lastSeen),
        ]
    }
}
