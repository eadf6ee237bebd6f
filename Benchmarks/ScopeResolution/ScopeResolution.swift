import Benchmark
import Foundation
import Logging
import RampartCore
import RampartIdentity
import RampartStore

/// What resolving an access scope costs per request when the installation is large: 1,000 customer tenants and
/// 10,000 live guest assignments (100 MSSP analysts, each a guest of 100 customers). Each request resolves its scope
/// once, from the database, never from a cache kept across requests; this measures that work.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(10), maxIterations: 50_000)

    Benchmark("Guest scope (bearer token path)") { benchmark in
        let world = try await BenchWorld.shared()
        for index in benchmark.scaledIterations {
            let guest = world.guests[index % world.guests.count]
            blackHole(try await world.rbac.scope(for: guest, now: world.now))
        }
    }

    Benchmark("Acting scope for ?tid= (portal path)") { benchmark in
        let world = try await BenchWorld.shared()
        for index in benchmark.scaledIterations {
            let pair = world.actingPairs[index % world.actingPairs.count]
            blackHole(try await world.entitlements.actingScope(home: pair.0, tenantID: pair.1))
        }
    }

    Benchmark("Member scope in the home tenant (baseline)") { benchmark in
        let world = try await BenchWorld.shared()
        for index in benchmark.scaledIterations {
            blackHole(try await world.rbac.scope(for: world.customerMembers[index % world.customerMembers.count], now: world.now))
        }
    }

    Benchmark("Queue scopes of an analyst with 1,000 tenants") { benchmark in
        let world = try await BenchWorld.shared()
        for _ in benchmark.scaledIterations {
            blackHole(try await world.delegated.scopes(forHome: world.lead))
        }
    }

    Benchmark("Queue page (50 newest) across 1,000 tenants") { benchmark in
        let world = try await BenchWorld.shared()
        for _ in benchmark.scaledIterations {
            let scopes = try await world.delegated.scopes(forHome: world.lead).map(\.1)
            blackHole(
                try await world.alerts.list(
                    across: scopes,
                    AlertListQuery(filter: nil, orderBy: [("alert_creation_time", true)], top: 51, skip: 0, expandEvidence: false)
                ))
        }
    }

    Benchmark("Tenant picker of an analyst with 100 assignments") { benchmark in
        let world = try await BenchWorld.shared()
        for index in benchmark.scaledIterations {
            blackHole(try await world.entitlements.tenants(for: world.analysts[index % world.analysts.count]))
        }
    }
}

/// One database for every benchmark of the process, built on first use.
actor BenchWorld {
    static let tenants = 1_000
    static let analysts = 100
    static let tenantsPerAnalyst = 100

    let rbac: RBACRepository
    let entitlements: EntitlementService
    let guests: [User]
    let actingPairs: [(User, TenantID)]
    let customerMembers: [User]
    let analysts: [User]
    /// The shift lead: a guest of every customer, whose queue spans all 1,000 tenants.
    let lead: User
    let delegated: DelegatedScopes
    let alerts: AlertRepository
    let now: Timestamp

    private static let instance = Once()

    static func shared() async throws -> BenchWorld { try await instance.get() }

    init(
        rbac: RBACRepository, entitlements: EntitlementService, guests: [User], actingPairs: [(User, TenantID)],
        customerMembers: [User], analysts: [User], lead: User, delegated: DelegatedScopes, alerts: AlertRepository,
        now: Timestamp
    ) {
        self.rbac = rbac
        self.entitlements = entitlements
        self.guests = guests
        self.actingPairs = actingPairs
        self.customerMembers = customerMembers
        self.analysts = analysts
        self.lead = lead
        self.delegated = delegated
        self.alerts = alerts
        self.now = now
    }

    static func build() async throws -> BenchWorld {
        let db: any SQLExecutor
        if let url = ProcessInfo.processInfo.environment["RAMPART_BENCH_DATABASE_URL"] {
            db = try PostgresExecutor(url: url, logger: Logger(label: "bench"), maximumConnections: 4)
        } else {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            db = try SQLiteExecutor(path: directory.appendingPathComponent("bench.sqlite").path)
        }
        try await Migrator(executor: db).migrate()
        let directory = DirectoryRepository(db: db)
        let rbac = RBACRepository(db: db)
        let repository = EntitlementRepository(db: db)
        let organizations = ConnectedOrganizationRepository(db: db)
        let now = Timestamp.now()
        let run = UUID().uuidString.prefix(8).lowercased()
        let mssp = Tenant(id: .random(), name: "MSSP", domain: "mssp-\(run).example", kind: .mssp, createdAt: now)
        try await directory.createTenant(mssp)
        var analysts: [User] = []
        for a in 0..<Self.analysts {
            let user = User(
                id: .random(), tenantID: mssp.id, userPrincipalName: "a\(a)@\(mssp.domain)", displayName: "", role: .member,
                enabled: true, createdAt: now)
            try await directory.createUser(user, passwordHash: "!")
            analysts.append(user)
        }
        var packages: [AccessPackage] = []
        var members: [User] = []
        for t in 0..<Self.tenants {
            let tenant = Tenant(
                id: .random(), name: "Customer \(t)", domain: "c\(t)-\(run).example", kind: .customer, createdAt: now)
            try await directory.createTenant(tenant)
            let host = AccessScope(
                tenantID: tenant.id, principal: .user(id: .random(), tenantID: tenant.id, userPrincipalName: "host"),
                capabilities: Capability.administrator, deviceGroups: .all)
            var groups: [SecurityGroup] = []
            for name in ["SOC", "MSSP analysts", "Approvers"] {
                let group = SecurityGroup(id: .random(), tenantID: tenant.id, name: name, description: "", createdAt: now)
                try await directory.createGroup(group)
                groups.append(group)
            }
            try await rbac.save(
                Role(
                    id: .random(), tenantID: tenant.id, name: "Analyst", description: "",
                    permissions: [.viewSecurityOperations, .alertsInvestigation], groupIDs: [groups[0].id, groups[1].id]))
            for (rank, tag) in ["server", "workstation"].enumerated() {
                _ = try await rbac.save(
                    DeviceGroup(
                        id: .random(), tenantID: tenant.id, name: tag, rank: rank + 1, description: "",
                        remediationLevel: .noAutomatedResponse, rules: DeviceGroupRules(tags: [tag]),
                        userGroupIDs: [groups[rank].id], isDefault: false))
            }
            let member = User(
                id: .random(), tenantID: tenant.id, userPrincipalName: "soc@\(tenant.domain)", displayName: "", role: .member,
                enabled: true, createdAt: now)
            try await directory.createUser(member, passwordHash: "!")
            _ = try await directory.addMember(groupID: groups[0].id, userID: member.id)
            members.append(member)
            _ = try await organizations.add(
                mssp.id, in: host, audit: .make(host, action: "connectedOrganization.add", target: ""))
            let package = AccessPackage(
                id: .random(), tenantID: tenant.id, name: "MSSP analysts", description: "", groupIDs: [groups[1].id],
                requestorTenantIDs: [mssp.id], approverGroupID: groups[2].id, requiresJustification: false,
                reviewIntervalDays: nil, createdAt: now)
            try await repository.save(package, audit: .make(host, action: "accessPackage.create", target: ""))
            packages.append(package)
        }
        var guests: [User] = []
        var pairs: [(User, TenantID)] = []
        for (a, analyst) in analysts.enumerated() {
            for k in 0..<Self.tenantsPerAnalyst {
                let package = packages[(a * Self.tenantsPerAnalyst + k * 7) % packages.count]
                guard
                    try await Self.assign(
                        analyst, to: package, guestName: "g\(a)-\(k)-\(run)#EXT#@bench", repository: repository, now: now)
                else { continue }
                pairs.append((analyst, package.tenantID))
            }
        }
        // The lead holds the package of every customer; each customer has 20 alerts, half on devices the package shows.
        let lead = User(
            id: .random(), tenantID: mssp.id, userPrincipalName: "lead@\(mssp.domain)", displayName: "", role: .member,
            enabled: true, createdAt: now)
        try await directory.createUser(lead, passwordHash: "!")
        let alerts = AlertRepository(db: db)
        for (k, package) in packages.enumerated() {
            guard
                try await Self.assign(
                    lead, to: package, guestName: "lead-\(k)-\(run)#EXT#@bench", repository: repository, now: now)
            else { continue }
            let host = AccessScope(
                tenantID: package.tenantID, principal: .app(clientID: .random(), tenantID: package.tenantID),
                capabilities: [.ingestAlerts], deviceGroups: .all)
            _ = try await alerts.ingest(
                (0..<20).map { n in
                    AlertSubmission(
                        sourceID: "bench-\(k)-\(n)",
                        device: DeviceIdentity(hostname: "host-\(n % 4)", tags: [n % 2 == 0 ? "workstation" : "server"]),
                        title: "Bench \(n)", description: "", severity: .medium, category: "Execution",
                        detectionSource: "ThirdPartySensors", detectorID: "bench:\(n)", firstEventTime: now,
                        lastEventTime: now, mitreTechniques: [], evidence: [])
                }, scope: host, now: now)
        }
        for (analyst, tenantID) in pairs.prefix(2_000) {
            if let guest = try await repository.guest(homeUserID: analyst.id, tenantID: tenantID) { guests.append(guest) }
        }
        let entitlements = EntitlementService(
            directory: directory, rbac: rbac, entitlements: repository, organizations: organizations, clock: .system)
        let assignments = try await db.queryOne("SELECT COUNT(*) AS n FROM access_assignments")?.int("n") ?? 0
        FileHandle.standardError.write(
            Data("bench world: \(Self.tenants) customer tenants, \(assignments) live assignments\n".utf8))
        let delegated = DelegatedScopes(directory: directory, apps: AppRepository(db: db), entitlements: entitlements)
        let queue = try await delegated.scopes(forHome: lead)
        let page = try await alerts.list(
            across: queue.map(\.1),
            AlertListQuery(filter: nil, orderBy: [("alert_creation_time", true)], top: 51, skip: 0, expandEvidence: false))
        FileHandle.standardError.write(
            Data("lead: \(queue.count) tenants in the queue, first page \(page.count) alerts\n".utf8))
        return BenchWorld(
            rbac: rbac, entitlements: entitlements, guests: guests, actingPairs: pairs.shuffled(),
            customerMembers: members, analysts: analysts, lead: lead, delegated: delegated, alerts: alerts, now: now)
    }
}

extension BenchWorld {
    /// Requests `package` as `analyst` and approves it: a live assignment and a guest account named `guestName`.
    static func assign(
        _ analyst: User, to package: AccessPackage, guestName: String, repository: EntitlementRepository, now: Timestamp
    ) async throws -> Bool {
        let request = AccessRequest(
            id: .random(), tenantID: package.tenantID, packageID: package.id, requesterID: analyst.id,
            requesterTenantID: analyst.tenantID, requesterName: analyst.userPrincipalName, justification: "",
            status: .pending, createdAt: now)
        let audit = AuditEntry(
            tenantID: package.tenantID, actor: analyst.userPrincipalName, actorTenantID: analyst.tenantID, action: "bench",
            target: "", details: "", requestID: nil, time: now)
        guard try await repository.create(request, audit: audit, notices: []) else { return false }
        let guest = User(
            id: .random(), tenantID: package.tenantID, userPrincipalName: guestName, displayName: "", role: .member,
            enabled: true, createdAt: now, homeUserID: analyst.id)
        _ = try await repository.decide(
            requestID: request.id, tenantID: package.tenantID,
            grant: .init(guest: guest, homeUser: analyst, expiresAt: AccessAssignment.expiry(of: package, approvedAt: now)),
            by: "bench", reason: "", now: now, audit: audit, notices: [])
        return true
    }
}

/// Builds the world once however many benchmarks ask for it.
actor Once {
    private var task: Task<BenchWorld, any Error>?

    func get() async throws -> BenchWorld {
        if let task { return try await task.value }
        let created = Task { try await BenchWorld.build() }
        task = created
        return try await created.value
    }
}
