import Foundation
import HTTPTypes
import Hummingbird
import RampartCore
import RampartDelivery
import RampartStore

/// Push connectors in the portal ("Manage portal system settings"): list with health, create, pause, resume,
/// rewind, delete, and the dead letters with a replay.
struct PortalConnectorRoutes: PortalFeature {
    let portal: PortalRoutes
    var connectors: ConnectorManagementService { services.connectorManagement }

    func register(on router: Router<AppRequestContext>) {
        router.get("/settings/connectors") { request, _ in try await page(request) }
        router.post("/settings/connectors") { request, _ in try await create(request) }
        router.post("/settings/connectors/:id/:action") { request, context in try await act(request, context) }
    }

    func signedIn(_ request: Request) async throws -> PortalRoutes.PortalSession? {
        guard let session = try await portal.session(request) else { return nil }
        try session.scope.require(.managePortalSettings)
        return session
    }

    func page(
        _ request: Request, error: String? = nil, secret: String? = nil, notice: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let language = session.language
        var rows: [[String: Any]] = []
        for record in try await connectors.connectors(in: session.scope) {
            let connector = record.connector
            let target: String =
                switch connector.transport {
                case .syslog(let syslog): "\(syslog.tls ? "tls" : "tcp")://\(syslog.host):\(syslog.port)"
                case .webhook(let webhook): webhook.url
                case .hec(let hec): hec.url + (hec.useAck ? " (ack)" : "")
                }
            let letters = try await connectors.deadLetters(in: session.scope, id: connector.id)
            rows.append([
                "id": connector.id.description, "name": connector.name, "transport": connector.transport.name,
                "format": connector.format.rawValue, "target": target,
                "state": renderer.text("connectors_state_\(connector.state.rawValue)", language),
                "active": connector.state == .active, "sent": session.format.number(record.health.sent),
                "failed": session.format.number(record.health.failed),
                "dead": session.format.number(record.health.deadLettered), "lag": session.format.number(record.health.lag),
                "lastError": record.health.lastError ?? "",
                "lastSent": session.time(record.health.lastSentAt),
                "letters": letters.prefix(20).map { ["alert": $0.alertID, "kind": $0.kind, "error": $0.error] },
                "hasLetters": !letters.isEmpty,
            ])
        }
        let context = session.layout([
            "connectors": rows, "hasConnectors": !rows.isEmpty, "csrf": session.csrf, "tid": session.tenant.id.description,
            "error": error ?? false, "secret": secret ?? false, "notice": notice ?? false,
            "formats": Connector.Format.allCases.map(\.rawValue),
        ])
        return PortalResponse.html(
            renderer.render("connectors", context, language: language, back: "/settings/connectors"), status: status)
    }

    func create(_ request: Request) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let fields = try await portal.checkedFields(request, session)
        func value(_ key: String) -> String? { fields.first { $0.0 == key }?.1.nilIfEmpty }
        var input = ConnectorInput(
            name: value("name") ?? "", transport: value("transport"), host: value("host"),
            port: value("port").flatMap { Int($0) },
            tls: value("tls") != nil, url: value("url"), token: value("token"), useAck: value("useAck") != nil,
            caFile: value("caFile"), format: value("format") ?? "cef",
            severities: fields.filter { $0.0 == "severity" }.map(\.1), kinds: fields.filter { $0.0 == "kind" }.map(\.1))
        if input.transport == "syslog" || input.transport == nil {
            input.header = value("header")
            input.clientCertFile = value("clientCertFile")
            input.clientKeyFile = value("clientKeyFile")
            input.udp = value("udp") != nil
            input.maximumDatagramBytes = value("maximumDatagramBytes").flatMap { Int($0) }
        }
        do {
            let (_, secret) = try await connectors.create(in: session.scope, input)
            return try await page(request, secret: secret)
        } catch let error as RampartError {
            return try await page(request, error: ErrorMappingMiddleware.describe(error).2, status: .badRequest)
        }
    }

    func act(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let session = try await signedIn(request) else { return PortalResponse.redirect("/signin") }
        let form = try await portal.checkedForm(request, session)
        let text = try context.parameters.require("id")
        guard let id = ObjectID(text) else { throw RampartError.notFound("Connector \(text) was not found.") }
        let language = session.language
        switch try context.parameters.require("action") {
        case "pause": _ = try await connectors.setState(in: session.scope, id: id, .paused)
        case "resume": _ = try await connectors.setState(in: session.scope, id: id, .active)
        case "delete": try await connectors.delete(in: session.scope, id: id)
        case "rewind":
            guard let time = form["time"].flatMap({ Timestamp(iso8601: $0) ?? Timestamp(iso8601: $0 + ":00Z") }) else {
                return try await page(request, error: renderer.text("connectors_bad_time", language), status: .badRequest)
            }
            _ = try await connectors.rewind(in: session.scope, id: id, to: time)
        case "replay":
            let record = try await connectors.connector(in: session.scope, id: id)
            do {
                let count = try await services.connectorDelivery.replay(
                    record, readable: try await services.connectorScopes(record.connector))
                return try await page(
                    request, notice: renderer.text("connectors_replayed", language, replacing: ["count": String(count)]))
            } catch {
                return try await page(request, error: String(describing: error), status: .badGateway)
            }
        default: throw RampartError.notFound("No such action.")
        }
        return PortalResponse.redirect("/settings/connectors?tid=\(session.tenant.id)")
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
