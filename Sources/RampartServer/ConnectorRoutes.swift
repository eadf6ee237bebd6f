import Foundation
import HTTPTypes
import Hummingbird
import RampartCore
import RampartDelivery
import RampartStore

/// Push connectors under `/manage/v1/connectors` ("Manage portal system settings").
struct ConnectorRoutes {
    let services: Services
    let management: ManagementRoutes
    var connectors: ConnectorManagementService { services.connectorManagement }

    init(services: Services) {
        self.services = services
        management = ManagementRoutes(services: services)
    }

    func register(on router: Router<AppRequestContext>) {
        let manage = router.group("manage/v1")
        manage.get("connectors") { request, _ in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            return try JSONResponse.encodable(["value": try await connectors.connectors(in: scope).map(ConnectorBody.init)])
        }
        manage.post("connectors") { request, _ in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            let (record, secret) = try await connectors.create(
                in: scope, try await management.decode(ConnectorInput.self, request))
            var body = ConnectorBody(record)
            body.secret = secret
            return try JSONResponse.encodable(body, status: .created)
        }
        manage.get("connectors/:id") { request, context in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            return try JSONResponse.encodable(ConnectorBody(try await connectors.connector(in: scope, id: try id(context))))
        }
        manage.delete("connectors/:id") { request, context in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            try await connectors.delete(in: scope, id: try id(context))
            return Response(status: .noContent)
        }
        manage.post("connectors/:id/pause") { request, context in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            return try JSONResponse.encodable(
                ConnectorBody(try await connectors.setState(in: scope, id: try id(context), .paused)))
        }
        manage.post("connectors/:id/resume") { request, context in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            return try JSONResponse.encodable(
                ConnectorBody(try await connectors.setState(in: scope, id: try id(context), .active)))
        }
        manage.post("connectors/:id/rewind") { request, context in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            let body = try await management.decode(RewindInput.self, request)
            guard let time = Timestamp(iso8601: body.time) else {
                throw RampartError.invalidInput(code: "InvalidInput", message: "time must be an ISO 8601 date and time.")
            }
            return try JSONResponse.encodable(
                ConnectorBody(try await connectors.rewind(in: scope, id: try id(context), to: time)))
        }
        manage.get("connectors/:id/dead-letters") { request, context in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            return try JSONResponse.encodable([
                "value": try await connectors.deadLetters(in: scope, id: try id(context)).map(DeadLetterBody.init)
            ])
        }
        manage.post("connectors/:id/dead-letters/replay") { request, context in
            let scope = try await management.scope(request, requiring: .managePortalSettings)
            let record = try await connectors.connector(in: scope, id: try id(context))
            let readable = try await services.connectorScopes(record.connector)
            let replayed = try await services.connectorDelivery.replay(record, readable: readable)
            return try JSONResponse.encodable(["replayed": replayed])
        }
    }

    func id(_ context: AppRequestContext) throws -> ObjectID {
        let text = try context.parameters.require("id")
        guard let id = ObjectID(text) else { throw RampartError.notFound("Connector \(text) was not found.") }
        return id
    }
}

struct RewindInput: Decodable {
    let time: String
}

struct ConnectorBody: Encodable {
    let id: String
    let name: String
    let state: String
    let format: String
    let transport: String
    let host: String?
    let port: Int?
    let tls: Bool?
    let header: String?
    let udp: Bool?
    let url: String?
    let useAck: Bool?
    let caFile: String?
    /// A webhook's signing key, in the answer that created it only.
    var secret: String?
    let delegatedApp: String?
    let severities: [String]
    let deviceGroups: [String]
    let kinds: [String]
    let health: Health

    struct Health: Encodable {
        let sent: Int64
        let failed: Int64
        let deadLettered: Int64
        let attempts: Int
        let lag: Int64
        let lastError: String?
        let lastSentAt: String?
    }

    init(_ record: ConnectorRecord) {
        let connector = record.connector
        id = connector.id.description
        name = connector.name
        state = connector.state.rawValue
        format = connector.format.rawValue
        transport = connector.transport.name
        switch connector.transport {
        case .syslog(let target):
            (host, port, tls, url, useAck, caFile) = (target.host, target.port, target.tls, nil, nil, target.caFile)
            (header, udp) = (target.usesRFC3164 ? "rfc3164" : "rfc5424", target.udp ?? false)
        case .webhook(let target):
            (host, port, tls, url, useAck, caFile) = (nil, nil, nil, target.url, nil, target.caFile)
            (header, udp) = (nil, nil)
        case .hec(let target):
            (host, port, tls, url, useAck, caFile) = (nil, nil, nil, target.url, target.useAck, target.caFile)
            (header, udp) = (nil, nil)
        }
        delegatedApp = connector.delegatedApp?.description
        severities = connector.severities.sorted().map(\.rawValue)
        deviceGroups = connector.deviceGroups.sorted()
        kinds = connector.kinds.sorted()
        health = Health(
            sent: record.health.sent, failed: record.health.failed, deadLettered: record.health.deadLettered,
            attempts: record.health.attempts, lag: record.health.lag, lastError: record.health.lastError,
            lastSentAt: record.health.lastSentAt?.description)
    }
}

struct DeadLetterBody: Encodable {
    let alertId: String
    let tenantId: String
    let kind: String
    let error: String
    let createdAt: String

    init(_ letter: DeadLetter) {
        alertId = letter.alertID
        tenantId = letter.tenantID.description
        kind = letter.kind
        error = letter.error
        createdAt = letter.createdAt.description
    }
}
