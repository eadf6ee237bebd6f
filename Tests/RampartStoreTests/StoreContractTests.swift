import Foundation
import RampartCore
import RampartStore
import Testing

/// One contract, run on every database Rampart supports.
@Suite struct StoreContractTests {
    @Test(arguments: TestDatabase.available) func migrationsAreIdempotent(database: TestDatabase) async throws {
        let db = try await database.open()
        let migrator = Migrator(executor: db)
        #expect(try await migrator.migrate().isEmpty)
        #expect(try await migrator.currentVersion() == Migrations.all.last?.version)
        try await db.close()
    }

    @Test(arguments: TestDatabase.available) func directoryRoundTripsAndEnforcesUniqueness(database: TestDatabase) async throws {
        let db = try await database.open()
        let directory = DirectoryRepository(db: db)
        let tenant = try await makeTenant(directory)
        #expect(try await directory.tenant(id: tenant.id) == tenant)
        #expect(try await directory.tenant(named: tenant.domain.uppercased())?.id == tenant.id)
        #expect(try await directory.tenant(named: tenant.id.description)?.id == tenant.id)
        await #expect(throws: StoreError.self) { try await directory.createTenant(tenant) }

        let user = User(
            id: .random(), tenantID: tenant.id, userPrincipalName: "Alice@\(tenant.domain)", displayName: "Alice", role: .admin,
            enabled: true, createdAt: .now())
        try await directory.createUser(user, passwordHash: "hash")
        let (found, hash) = try #require(try await directory.credentials(userPrincipalName: "alice@\(tenant.domain)"))
        #expect(found.userPrincipalName == "alice@\(tenant.domain)")
        #expect(hash == "hash")

        let scope = UserAccess.scope(user: found, memberOf: [], roles: [], deviceGroups: [])
        let group = SecurityGroup(id: .random(), tenantID: tenant.id, name: "SOC", description: "", createdAt: .now())
        try await directory.createGroup(group)
        #expect(try await directory.addMember(groupID: group.id, userID: user.id))
        #expect(try await directory.addMember(groupID: group.id, userID: user.id) == false)
        let groups = try await directory.groups(in: scope)
        #expect(groups.count == 1)
        #expect(groups.first?.1 == ["alice@\(tenant.domain)"])

        // Another tenant's scope sees none of it.
        let other = try await makeTenant(directory)
        let outsider = AccessScope(
            tenantID: other.id, principal: .app(clientID: .random(), tenantID: other.id), capabilities: [.manageDirectory],
            deviceGroups: .all)
        #expect(try await directory.users(in: outsider).isEmpty)
        #expect(try await directory.group(in: outsider, reference: "SOC") == nil)
        #expect(try await directory.user(in: outsider, reference: user.id.description) == nil)
        #expect(try await directory.setPasswordHash(userID: user.id, in: outsider, hash: "x") == false)
        try await db.close()
    }

    @Test(arguments: TestDatabase.available) func ingestCreatesThenUpdatesWithoutDuplicates(database: TestDatabase) async throws {
        let db = try await database.open()
        let directory = DirectoryRepository(db: db)
        let alerts = AlertRepository(db: db)
        let tenant = try await makeTenant(directory)
        let scope = ingestScope(tenant.id)
        let t0 = Timestamp(iso8601: "2024-05-01T10:02:00Z")!
        let first = try await alerts.ingest([submission("a"), submission("b", host: "web-2")], scope: scope, now: t0)
        guard case .created(let idA) = first[0], case .created = first[1] else {
            Issue.record("expected two creations, got \(first)")
            return
        }
        let again = try await alerts.ingest(
            [submission("a", severity: .high, title: "Renamed")], scope: scope, now: t0.adding(seconds: 60))
        #expect(again == [.updated(alertID: idA)])
        #expect(try await alerts.count(scope) == 2)
        let alert = try #require(try await alerts.get(scope, id: idA))
        #expect(alert.title == "Renamed")
        #expect(alert.severity == .high)
        #expect(alert.alertCreationTime == t0)
        #expect(alert.lastUpdateTime == t0.adding(seconds: 60))
        #expect(alert.evidence.count == 1)
        #expect(alert.evidence.first?.ipAddress == "10.0.0.1")
        #expect(alert.relatedUser == RelatedUser(userName: "bob", domainName: "CORP"))
        #expect(alert.mitreTechniques == ["T1059"])
        #expect(alert.machineID?.count == 40)
        #expect(alert.computerDnsName == "web-1.corp.example")
        let events = try await alerts.events(scope, after: 0, limit: 10)
        #expect(events.map(\.kind) == ["created", "created", "updated"])
        #expect(events.map(\.seq) == events.map(\.seq).sorted())
        try await db.close()
    }

    /// SQLite writes narrow rows (evidence, event log) fifty to a statement, with a shorter statement for the rest:
    /// a batch of 123 alerts with two evidence items each crosses both.
    @Test(arguments: TestDatabase.available) func largeBatchesStoreEveryEvidenceItemAndEvent(database: TestDatabase) async throws
    {
        let db = try await database.open()
        let alerts = AlertRepository(db: db)
        let tenant = try await makeTenant(DirectoryRepository(db: db))
        let scope = ingestScope(tenant.id)
        let batch = (0..<123).map { number -> AlertSubmission in
            var item = submission("batch-\(number)", host: "host-\(number % 7)")
            var url = AlertEvidence(entityType: "Url")
            url.url = "http://example.test/\(number)"
            item.evidence.append(url)
            return item
        }
        let outcomes = try await alerts.ingest(batch, scope: scope, now: .now())
        #expect(outcomes.count == 123)
        for (number, outcome) in outcomes.enumerated() {
            guard case .created(let id) = outcome else {
                Issue.record("record \(number) was not created: \(outcome)")
                continue
            }
            let stored = try #require(try await alerts.get(scope, id: id))
            #expect(stored.sourceID == "batch-\(number)")
            #expect(stored.evidence.map(\.entityType) == ["Ip", "Url"])
            #expect(stored.evidence.last?.url == "http://example.test/\(number)")
        }
        let events = try await alerts.events(scope, after: 0, limit: 1_000)
        #expect(events.count == 123)
        #expect(Set(events.map(\.alertID)).count == 123)
        #expect(events.allSatisfy { $0.kind == "created" })
        try await db.close()
    }

    @Test(arguments: TestDatabase.available) func sameSourceTwiceInOneBatchMakesOneAlert(database: TestDatabase) async throws {
        let db = try await database.open()
        let alerts = AlertRepository(db: db)
        let tenant = try await makeTenant(DirectoryRepository(db: db))
        let scope = ingestScope(tenant.id)
        let outcomes = try await alerts.ingest([submission("x"), submission("x", severity: .high)], scope: scope, now: .now())
        #expect(outcomes.count == 2)
        #expect(try await alerts.count(scope) == 1)
        #expect(try await alerts.list(scope, AlertListQuery(top: 10)).first?.severity == .high)
        #expect(try await alerts.events(scope, after: 0, limit: 10).count == 1)
        try await db.close()
    }

    @Test(arguments: TestDatabase.available) func tenantsNeverSeeEachOthersAlerts(database: TestDatabase) async throws {
        let db = try await database.open()
        let directory = DirectoryRepository(db: db)
        let alerts = AlertRepository(db: db)
        let a = try await makeTenant(directory)
        let b = try await makeTenant(directory)
        let created = try await alerts.ingest([submission("same-id")], scope: ingestScope(a.id), now: .now())
        _ = try await alerts.ingest([submission("same-id"), submission("other")], scope: ingestScope(b.id), now: .now())
        guard case .created(let idA) = created[0] else { return }
        #expect(try await alerts.get(ingestScope(b.id), id: idA) == nil)
        #expect(try await alerts.count(ingestScope(a.id)) == 1)
        #expect(try await alerts.count(ingestScope(b.id)) == 2)
        #expect(try await alerts.list(ingestScope(b.id), AlertListQuery(top: 100)).allSatisfy { $0.tenantID == b.id })
        try await db.close()
    }

    @Test(arguments: TestDatabase.available) func pagingIsNewestFirstAndComplete(database: TestDatabase) async throws {
        let db = try await database.open()
        let alerts = AlertRepository(db: db)
        let tenant = try await makeTenant(DirectoryRepository(db: db))
        let scope = ingestScope(tenant.id)
        let base = Timestamp(iso8601: "2024-01-01T00:00:00Z")!
        for index in 0..<25 {
            _ = try await alerts.ingest([submission("p\(index)")], scope: scope, now: base.adding(seconds: Int64(index)))
        }
        var seen: [Alert] = []
        for page in 0..<3 {
            seen += try await alerts.list(scope, AlertListQuery(top: 10, skip: page * 10))
        }
        #expect(seen.count == 25)
        #expect(Set(seen.map(\.id)).count == 25)
        #expect(seen.map(\.alertCreationTime) == seen.map(\.alertCreationTime).sorted(by: >))
        try await db.close()
    }

    @Test(arguments: TestDatabase.available) func deviceGroupScopeHidesOtherGroups(database: TestDatabase) async throws {
        let db = try await database.open()
        let alerts = AlertRepository(db: db)
        let tenant = try await makeTenant(DirectoryRepository(db: db))
        _ = try await alerts.ingest([submission("g1")], scope: ingestScope(tenant.id), now: .now())
        let narrow = AccessScope(
            tenantID: tenant.id, principal: .app(clientID: .random(), tenantID: tenant.id), capabilities: [.readAlerts],
            deviceGroups: .only(["Tier 0"]))
        #expect(try await alerts.count(narrow) == 0)
        #expect(try await alerts.list(narrow, AlertListQuery(top: 10)).isEmpty)
        try await db.close()
    }

    @Test(arguments: TestDatabase.available) func failedTransactionsLeaveNothingBehind(database: TestDatabase) async throws {
        let db = try await database.open()
        let directory = DirectoryRepository(db: db)
        let tenant = try await makeTenant(directory)
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await db.transaction { tx in
                try await tx.execute(
                    "UPDATE tenants SET name = \(bind: "changed") WHERE id = \(bind: tenant.id)")
                throw Boom()
            }
        }
        #expect(try await directory.tenant(id: tenant.id)?.name == tenant.name)
        // The database still accepts writes afterwards.
        try await db.execute("UPDATE tenants SET name = \(bind: "after") WHERE id = \(bind: tenant.id)")
        #expect(try await directory.tenant(id: tenant.id)?.name == "after")
        try await db.close()
    }

    @Test(arguments: TestDatabase.available) func ingestRequiresThePermission(database: TestDatabase) async throws {
        let db = try await database.open()
        let alerts = AlertRepository(db: db)
        let tenant = try await makeTenant(DirectoryRepository(db: db))
        let readOnly = AccessScope(
            tenantID: tenant.id, principal: .app(clientID: .random(), tenantID: tenant.id), capabilities: [.readAlerts],
            deviceGroups: .all)
        await #expect(throws: RampartError.self) { try await alerts.ingest([submission("z")], scope: readOnly, now: .now()) }
        #expect(try await alerts.count(readOnly) == 0)
        try await db.close()
    }

    @Test(arguments: TestDatabase.available) func signingKeysRotateAndRetire(database: TestDatabase) async throws {
        let db = try await database.open()
        let keys = KeyRepository(db: db)
        let now = Timestamp.now()
        let before = try await keys.keys(retiredAfter: now.adding(seconds: -60)).count
        let key = StoredSigningKey(kid: "k-\(UUID().uuidString)", privateKeyPEM: "pem", createdAt: now, retiredAt: nil)
        try await keys.rotate(to: key)
        let active = try await keys.keys(retiredAfter: now.adding(seconds: -60)).filter { $0.retiredAt == nil }
        #expect(active.map(\.kid) == [key.kid])
        #expect(try await keys.insertIfNoActiveKey(key) == false)
        #expect(try await keys.keys(retiredAfter: now.adding(seconds: -60)).count >= before)
        try await db.close()
    }
}

@Suite struct SQLRenderingTests {
    @Test func bindsBecomePlaceholdersAndNeverText() {
        let hostile = "x'; DROP TABLE alerts; --"
        let sql: SQL = "SELECT * FROM alerts WHERE id = \(bind: hostile) AND n > \(bind: 3)"
        let sqlite = sql.render(.sqlite)
        #expect(sqlite.text == "SELECT * FROM alerts WHERE id = ? AND n > ?")
        #expect(sqlite.binds == [.text(hostile), .integer(3)])
        #expect(sql.render(.postgres).text == "SELECT * FROM alerts WHERE id = $1 AND n > $2")
        let joined = SQL.joined([SQL("a = \(bind: 1)"), SQL("b = \(bind: 2)")], separator: " AND ")
        #expect(joined.render(.postgres).text == "a = $1 AND b = $2")
    }
}

@Suite struct AlertIDTests {
    /// With a fixed time, ids of one batch differ only in their random part; a large batch must still get distinct ids.
    @Test func largeBatchesGetDistinctIDs() async throws {
        let db = try await TestDatabase.sqlite.open()
        let alerts = AlertRepository(db: db)
        let tenant = try await makeTenant(DirectoryRepository(db: db))
        let outcomes = try await alerts.ingest(
            (0..<5000).map { submission("id-\($0)") }, scope: ingestScope(tenant.id), now: .now())
        let ids = outcomes.map { outcome -> String in
            switch outcome {
            case .created(let id), .updated(let id): id
            }
        }
        #expect(Set(ids).count == 5000)
        #expect(try await alerts.count(ingestScope(tenant.id)) == 5000)
        try await db.close()
    }
}
