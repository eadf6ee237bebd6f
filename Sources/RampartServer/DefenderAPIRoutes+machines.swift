import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartFormats
import RampartQuery
import RampartStore

/// `/api/machines`: the device inventory in Defender's Machine shape, and the alerts of a machine.
extension DefenderAPIRoutes {
    var machines: MachineRepository { MachineRepository(db: services.database) }

    func listMachines(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let scope = try await scope(request)
        try scope.require(.readMachines)
        let options = try odata(request, defaultTop: Self.maximumTop, expandable: [])
        let query = try collection(options, schema: MachineQuerySchema.defender, selectable: DefenderMachineJSON.propertyNames)
        let now = Timestamp.now()
        let (page, nextLink) = try await self.page(request, options, query) { top, skip in
            try await machines.list(
                scope, filter: query.condition, orderBy: query.orderColumns, top: top, skip: skip, now: now)
        }
        let total = options.count ? try await machines.count(scope, filter: query.filter, now: now) : nil
        try await auditForeign(scope, action: "machines.list", target: request.uri.description, details: "returned=\(page.count)")
        return JSONResponse.make(DefenderMachineJSON.list(page, nextLink: nextLink, count: total, select: query.select))
    }

    func countMachines(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let scope = try await scope(request)
        try scope.require(.readMachines)
        let query = try collection(
            try odata(request, defaultTop: Self.maximumTop, expandable: []), schema: MachineQuerySchema.defender,
            selectable: DefenderMachineJSON.propertyNames)
        let total = try await machines.count(scope, filter: query.filter, now: .now())
        try await auditForeign(scope, action: "machines.count", target: request.uri.description, details: "count=\(total)")
        return JSONResponse.text(String(total), contentType: "text/plain; charset=utf-8")
    }

    func getMachine(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let scope = try await scope(request)
        try scope.require(.readMachines)
        let id = try context.parameters.require("id")
        let machine = try await machines.get(scope, id: id, now: .now())
        try await auditForeign(scope, action: "machine.read", target: id, details: machine == nil ? "not found" : "")
        guard let machine else { throw RampartError.notFound("Machine \(id) was not found.") }
        return JSONResponse.make(DefenderMachineJSON.machine(machine))
    }

    /// `GET /api/alerts/{id}/machine`: the machine an alert was raised on.
    func alertMachine(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let scope = try await scope(request)
        try scope.require(.readMachines)
        let id = try context.parameters.require("id")
        guard let alert = try await services.alerts.get(scope, id: id, expandEvidence: false, requiring: .readMachines),
            let machineID = alert.machineID, let machine = try await machines.get(scope, id: machineID, now: .now())
        else { throw RampartError.notFound("Alert \(id) or its machine was not found.") }
        try await auditForeign(scope, action: "machine.read", target: machineID, details: "alert=\(id)")
        return JSONResponse.make(DefenderMachineJSON.machine(machine))
    }

    /// `POST /api/machines/{id}/tags` (Defender's "Add or Remove Tag"): `{"Value": "…", "Action": "Add"|"Remove"}`;
    /// answers with the machine. Only portal-assigned (cloud) tags change; sensors' tags stay as reported.
    func tagMachine(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let scope = try await scope(request)
        try scope.require(.tagDevices)
        let id = try context.parameters.require("id")
        let (value, add) = try DefenderMachineTagBody.parse(
            Data(try await request.body.collect(upTo: 16 * 1024).readableBytesView))
        guard let machine = try await machines.get(scope, id: id, now: services.clock.now()) else {
            throw RampartError.notFound("Machine \(id) was not found.")
        }
        var tags = machine.device.cloudTags.filter { $0 != value }
        if add { tags.append(value) }
        let audit: AuditEntry? =
            scope.isForeign
            ? .make(scope, action: "machine.tag", target: id, details: "\(add ? "add" : "remove")=\(value)") : nil
        guard try await machines.setCloudTags(scope, id: id, tags: tags, audit: audit),
            let updated = try await machines.get(scope, id: id, now: services.clock.now())
        else { throw RampartError.notFound("Machine \(id) was not found.") }
        return JSONResponse.make(DefenderMachineJSON.machine(updated))
    }

    func machineAlerts(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (scope, id) = try await visibleMachine(request, context)
        return try await alertList(request, machine: id, scope: scope)
    }

    func countMachineAlerts(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (scope, id) = try await visibleMachine(request, context)
        return try await alertCount(request, machine: id, scope: scope)
    }

    /// The caller's scope (resolved once for the request) and the machine id of the path, or 404 when the machine
    /// does not exist in that scope.
    func visibleMachine(_ request: Request, _ context: AppRequestContext) async throws -> (AccessScope, String) {
        let scope = try await scope(request)
        try scope.require(.readAlerts)
        let id = try context.parameters.require("id")
        guard try await machines.exists(scope, id: id) else { throw RampartError.notFound("Machine \(id) was not found.") }
        return (scope, id)
    }
}
