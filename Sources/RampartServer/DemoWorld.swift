import Foundation
import RampartCore
import RampartIdentity
import RampartStore

/// What a new user needs to try Rampart: written to `<data-dir>/demo-credentials.json`.
public struct DemoCredentials: Codable, Sendable {
    public struct TenantEntry: Codable, Sendable {
        public let id: String
        public let name: String
        public let domain: String
        public let kind: String
    }
    public struct UserEntry: Codable, Sendable {
        public let tenant: String
        public let upn: String
        public let password: String
        public let role: String
    }
    public struct AppEntry: Codable, Sendable {
        public let tenant: String
        public let clientID: String
        public let clientSecret: String
        public let permissions: [String]

        enum CodingKeys: String, CodingKey {
            case tenant
            case clientID = "client_id"
            case clientSecret = "client_secret"
            case permissions
        }
    }
    public var portal: String
    public var tenants: [TenantEntry]
    public var users: [UserEntry]
    public var apps: [AppEntry]
}

/// Seeds, once, an MSSP with three customers, their devices and a few hundred alerts.
public struct DemoWorld: Sendable {
    static let msspID = TenantID("6a1f3c52-93b0-4d7e-8f21-0c5b7e9a4d10")!
    static let customers: [(TenantID, String, String)] = [
        (TenantID("2b7e1d40-5c8a-4f36-9e12-7a3d6b0c8e21")!, "Contoso Ltd", "contoso.example"),
        (TenantID("9c4a2e81-1f6b-4d53-a7e0-3b8d5c2f1a32")!, "Northwind Traders", "northwind.example"),
        (TenantID("4e8b6f13-7a2c-4b91-8d45-6c1e9a3b7f43")!, "Tailspin Toys", "tailspin.example"),
    ]
    static let alertsPerCustomer = 120

    let services: Services

    public init(services: Services) { self.services = services }

    var admin: DirectoryService { services.admin }

    var credentialsPath: String {
        (services.configuration.dataDirectory as NSString).appendingPathComponent("demo-credentials.json")
    }

    /// Seeds the world unless it exists; returns the sign-ins either way.
    public func seed() async throws -> DemoCredentials {
        if try await services.directory.tenant(id: Self.msspID) != nil {
            if let data = FileManager.default.contents(atPath: credentialsPath),
                var saved = try? JSONDecoder().decode(DemoCredentials.self, from: data)
            {
                saved.portal = services.configuration.resolvedPublicURL
                return saved
            }
            return try await reissueCredentials()
        }
        var credentials = DemoCredentials(portal: services.configuration.resolvedPublicURL, tenants: [], users: [], apps: [])
        let mssp = try await admin.createTenant(
            name: "Fabrikam MSSP", domain: "fabrikam-mssp.example", kind: .mssp, id: Self.msspID)
        record(mssp, into: &credentials)
        let msspScope = DirectoryService.hostScope(Self.msspID)
        let analysts = try await admin.createGroup(in: msspScope, name: "SOC analysts", description: "Tier 1 and 2 analysts")
        let approvers = try await admin.createGroup(
            in: msspScope, name: "Access approvers", description: "Approve customer access")
        for (name, role, group) in [
            ("analyst1", "member", analysts), ("analyst2", "member", analysts), ("approver", "member", approvers),
        ] {
            let password = Secrets.makePassword()
            let user = try await admin.createUser(
                in: msspScope, userPrincipalName: "\(name)@fabrikam-mssp.example", displayName: name.capitalized,
                role: .member, password: password)
            _ = try await admin.addMember(in: msspScope, group: group.id.description, user: user.id.description)
            credentials.users.append(
                .init(tenant: Self.msspID.description, upn: user.userPrincipalName, password: password, role: role))
        }
        for (index, (id, name, domain)) in Self.customers.enumerated() {
            let customer = try await admin.createTenant(name: name, domain: domain, kind: .customer, id: id)
            record(customer, into: &credentials)
            try await addApp(tenantID: id, into: &credentials)
            try await seedAlerts(tenantID: id, domain: domain, random: DemoRandom(seed: UInt64(index + 1)))
        }
        try await DemoDelegation(services: services).seed()
        try write(credentials)
        return credentials
    }

    func record(_ created: CreatedTenant, into credentials: inout DemoCredentials) {
        credentials.tenants.append(
            .init(
                id: created.tenant.id.description, name: created.tenant.name, domain: created.tenant.domain,
                kind: created.tenant.kind.rawValue))
        credentials.users.append(
            .init(
                tenant: created.tenant.id.description, upn: created.admin.userPrincipalName, password: created.adminPassword,
                role: "admin"))
    }

    func addApp(tenantID: TenantID, into credentials: inout DemoCredentials) async throws {
        let scope = DirectoryService.hostScope(tenantID)
        let app = try await admin.createApp(in: scope, displayName: "SIEM connector")
        let permissions = try await admin.grant(
            in: scope, clientID: app.clientID, permissions: AppPermission.allCases.map(\.rawValue))
        let secret = try await admin.addSecret(in: scope, clientID: app.clientID)
        credentials.apps.append(
            .init(
                tenant: tenantID.description, clientID: app.clientID.description, clientSecret: secret.secret,
                permissions: permissions.map(\.rawValue).sorted()))
    }

    /// The world exists but its credentials file is gone: new passwords and secrets, since the old are only hashes.
    func reissueCredentials() async throws -> DemoCredentials {
        var credentials = DemoCredentials(portal: services.configuration.resolvedPublicURL, tenants: [], users: [], apps: [])
        for id in [Self.msspID] + Self.customers.map(\.0) {
            guard let tenant = try await services.directory.tenant(id: id) else { continue }
            credentials.tenants.append(
                .init(id: id.description, name: tenant.name, domain: tenant.domain, kind: tenant.kind.rawValue))
            let scope = DirectoryService.hostScope(id)
            for user in try await services.directory.users(in: scope) {
                let password = Secrets.makePassword()
                _ = try await admin.setPassword(in: scope, user: user.id.description, password: password)
                credentials.users.append(
                    .init(tenant: id.description, upn: user.userPrincipalName, password: password, role: user.role.rawValue))
            }
            for app in try await services.apps.apps(in: scope) {
                let secret = try await admin.addSecret(in: scope, clientID: app.clientID)
                let permissions = try await services.apps.permissions(clientID: app.clientID, tenantID: id)
                credentials.apps.append(
                    .init(
                        tenant: id.description, clientID: app.clientID.description, clientSecret: secret.secret,
                        permissions: permissions.map(\.rawValue).sorted()))
            }
        }
        try write(credentials)
        return credentials
    }

    func write(_ credentials: DemoCredentials) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try FileManager.default.createDirectory(atPath: services.configuration.dataDirectory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(
            atPath: credentialsPath, contents: try encoder.encode(credentials), attributes: [.posixPermissions: 0o600])
    }

    /// Alerts spread over the last week on a dozen devices, created in time order so the queue reads naturally.
    func seedAlerts(tenantID: TenantID, domain: String, random: DemoRandom) async throws {
        let scope = DirectoryService.hostScope(tenantID)
        let label = domain.components(separatedBy: ".").first ?? "corp"
        let devices: [DeviceIdentity] = (1...12).map { number in
            let windows = number <= 6
            let linuxNames = ["web", "db", "k8s-node", "vpn", "mail", "build"]
            return DeviceIdentity(
                hostname: windows ? "\(label)-ws\(String(format: "%02d", number))" : "\(linuxNames[number - 7])-\(number)",
                domain: "corp.\(domain)", agentID: random.hex(16),
                osPlatform: windows ? "Windows11" : "Linux", osVersion: windows ? "10.0.22631" : "Ubuntu 22.04",
                ipAddress: "10.\(20 + number).0.\(random.int(2..<250))", tags: windows ? ["workstation"] : ["server"])
        }
        let now = Timestamp.now()
        var times = (0..<Self.alertsPerCustomer).map { _ in now.adding(seconds: -Int64(random.int(60..<7 * 86_400))) }
        times.sort()
        for (number, time) in times.enumerated() {
            let detection = random.pick(DemoDetections.all)
            let windowsOnly = detection.sensor == "defender"
            let device = windowsOnly ? devices[random.int(0..<6)] : devices[random.int(0..<12)]
            let first = time.adding(seconds: -Int64(random.int(5..<600)))
            let submission = AlertSubmission(
                sourceID: "demo-\(detection.sensor)-\(number)", device: device, title: detection.title,
                description: detection.description, severity: detection.severity, category: detection.category.rawValue,
                detectionSource: detection.detectionSource.rawValue, detectorID: detection.detectorID,
                investigationState: detection.sensor == "defender" ? .queued : nil, firstEventTime: first,
                lastEventTime: time.adding(seconds: -Int64(random.int(0..<5))), mitreTechniques: detection.techniques,
                evidence: detection.evidence(random, device.computerDnsName))
            _ = try await services.alerts.ingest([submission], scope: scope, now: time)
        }
    }
}
