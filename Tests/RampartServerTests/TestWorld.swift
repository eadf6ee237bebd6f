import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RampartCore
import RampartIdentity
import RampartServer
import RampartStore
import Synchronization

/// A Rampart over a fresh SQLite database with two customer tenants, each with an app and an administrator.
struct TestWorld {
    struct TenantFixture {
        let tenant: Tenant
        let adminPassword: String
        let clientID: ObjectID
        let secret: String
    }

    let services: Services
    let contoso: TenantFixture
    let fabrikam: TenantFixture

    init(
        ingestLimit: Int = 16 << 20, clock: WallClock = .system,
        configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws {
        var configuration = ServerConfiguration()
        configuration.dataDirectory =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("rampart-server-\(UUID().uuidString)").path
        configuration.publicURL = "https://rampart.test"
        configuration.maximumIngestBytes = ingestLimit
        configure(&configuration)
        services = try await Services.build(
            configuration: configuration, logger: Logger(label: "test"), passwordCost: 4, clock: clock)
        let admin = services.admin
        func tenant(_ name: String, _ domain: String, permissions: [String]) async throws -> TenantFixture {
            let created = try await admin.createTenant(name: name, domain: domain, kind: .customer)
            let scope = DirectoryService.hostScope(created.tenant.id)
            let app = try await admin.createApp(in: scope, displayName: "App")
            _ = try await admin.grant(in: scope, clientID: app.clientID, permissions: permissions)
            let secret = try await admin.addSecret(in: scope, clientID: app.clientID).secret
            return TenantFixture(
                tenant: created.tenant, adminPassword: created.adminPassword, clientID: app.clientID, secret: secret)
        }
        contoso = try await tenant("Contoso", "contoso.example", permissions: ["Alert.Read.All", "Alert.Ingest"])
        fabrikam = try await tenant("Fabrikam", "fabrikam.example", permissions: ["Alert.Read.All", "Alert.Ingest"])
    }

    func application() -> some ApplicationProtocol {
        Application(router: RampartApplication.buildRouter(services: services))
    }
}

/// A clock the test moves by hand, to pass expiry dates without waiting.
final class TestClock: Sendable {
    let current: Mutex<Timestamp>

    init(_ start: Timestamp = .now()) { current = Mutex(start) }

    var wall: WallClock { WallClock { self.current.withLock { $0 } } }

    func advance(days: Int64) { current.withLock { $0 = $0.adding(seconds: days * 86_400) } }
    func advance(seconds: Int64) { current.withLock { $0 = $0.adding(seconds: seconds) } }
}

extension TestClientProtocol {
    func form(_ uri: String, _ fields: [String: String], headers: HTTPFields = [:]) async throws -> TestResponse {
        var all = headers
        all[.contentType] = "application/x-www-form-urlencoded"
        let body = fields.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }.joined(separator: "&")
        return try await execute(uri: uri, method: .post, headers: all, body: ByteBuffer(string: body))
    }

    func token(_ fixture: TestWorld.TenantFixture, scope: String = "https://api.securitycenter.microsoft.com/.default")
        async throws -> String
    {
        let response = try await form(
            "/\(fixture.tenant.id)/oauth2/v2.0/token",
            [
                "grant_type": "client_credentials", "client_id": fixture.clientID.description, "client_secret": fixture.secret,
                "scope": scope,
            ])
        let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
        return object?["access_token"] as? String ?? ""
    }

    func json(_ uri: String, token: String, method: HTTPRequest.Method = .get, body: String? = nil) async throws -> (
        HTTPResponse.Status, [String: Any]
    ) {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]) ?? [:]
        return (response.status, object)
    }
}

func ingestBody(_ records: [[String: Any]]) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: records), as: UTF8.self)
}

func record(_ sourceID: String, title: String = "Suspicious thing", severity: String = "High") -> [String: Any] {
    [
        "sourceId": sourceID, "title": title, "severity": severity, "category": "Execution",
        "device": ["hostname": "ws-1", "domain": "corp.example"],
        "evidence": [["entityType": "Process", "fileName": "powershell.exe", "processId": 42]],
    ]
}
