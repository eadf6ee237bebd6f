import Foundation
import Logging
import RampartCore
import RampartStore
import Testing

/// The databases every contract test runs on: SQLite always, PostgreSQL when `RAMPART_TEST_DATABASE_URL` is set.
enum TestDatabase: String, CaseIterable, Sendable {
    case sqlite
    case postgres

    static var available: [TestDatabase] {
        ProcessInfo.processInfo.environment["RAMPART_TEST_DATABASE_URL"] == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    /// A migrated database: a fresh SQLite file, or the shared PostgreSQL test database.
    func open() async throws -> any SQLExecutor {
        let executor: any SQLExecutor
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            executor = try SQLiteExecutor(path: directory.appendingPathComponent("test.sqlite").path)
        case .postgres:
            executor = try PostgresExecutor(
                url: ProcessInfo.processInfo.environment["RAMPART_TEST_DATABASE_URL"]!, logger: Logger(label: "test"),
                maximumConnections: 4)
        }
        try await Migrator(executor: executor).migrate()
        return executor
    }

    /// A migrated database no other test uses: a fresh SQLite file, or a new PostgreSQL database beside the shared
    /// one (left for the throw-away test cluster to take with it).
    func openPrivate() async throws -> any SQLExecutor {
        guard self == .postgres, let url = ProcessInfo.processInfo.environment["RAMPART_TEST_DATABASE_URL"],
            var components = URLComponents(string: url)
        else { return try await open() }
        let name = "rampart_test_" + UUID().uuidString.prefix(8).lowercased()
        let shared = try PostgresExecutor(url: url, logger: Logger(label: "test"), maximumConnections: 1)
        try await shared.execute(SQL(stringLiteral: "CREATE DATABASE \(name)"))
        try await shared.close()
        components.path = "/" + name
        let executor = try PostgresExecutor(
            url: try #require(components.string), logger: Logger(label: "test"), maximumConnections: 4)
        try await Migrator(executor: executor).migrate()
        return executor
    }
}

/// A tenant with a unique domain, so tests never collide on a shared PostgreSQL database.
func makeTenant(_ directory: DirectoryRepository, kind: TenantKind = .customer) async throws -> Tenant {
    let id = TenantID.random()
    let tenant = Tenant(
        id: id, name: "Tenant \(id)", domain: "t\(id.description.prefix(8)).example", kind: kind, createdAt: .now())
    try await directory.createTenant(tenant)
    return tenant
}

func ingestScope(_ tenantID: TenantID) -> AccessScope {
    AccessScope(
        tenantID: tenantID, principal: .app(clientID: .random(), tenantID: tenantID),
        capabilities: [.ingestAlerts, .readAlerts], deviceGroups: .all)
}

/// A detection; each source id has its own detector unless `detector` names a shared one (which merges, §5.4).
func submission(
    _ sourceID: String, host: String = "web-1", severity: AlertSeverity = .medium, title: String = "Test alert",
    detector: String? = nil
) -> AlertSubmission {
    var evidence = AlertEvidence(entityType: "Ip")
    evidence.ipAddress = "10.0.0.1"
    return AlertSubmission(
        sourceID: sourceID,
        device: DeviceIdentity(hostname: host, domain: "corp.example", osPlatform: "Linux", ipAddress: "10.0.0.5"),
        title: title, description: "Description", severity: severity, category: "Execution",
        detectionSource: "ThirdPartySensors", detectorID: detector ?? "rule-\(sourceID)",
        firstEventTime: Timestamp(iso8601: "2024-05-01T10:00:00Z"),
        lastEventTime: Timestamp(iso8601: "2024-05-01T10:01:00Z"), mitreTechniques: ["T1059"],
        relatedUser: RelatedUser(userName: "bob", domainName: "CORP"), evidence: [evidence])
}
