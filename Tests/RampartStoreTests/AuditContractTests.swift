import Foundation
import RampartCore
import RampartStore
import Testing

@Suite struct AuditContractTests {
    func entry(_ tenant: TenantID, _ action: String, _ target: String) -> AuditEntry {
        AuditEntry(
            tenantID: tenant, actor: "admin@t.example", actorTenantID: tenant, action: action, target: target, details: "d",
            requestID: "r-1", time: .now())
    }

    @Test(arguments: TestDatabase.available) func chainsAreLinearPerTenantAndTamperingIsDetected(database: TestDatabase)
        async throws
    {
        let db = try await database.open()
        let audit = AuditRepository(db: db)
        let directory = DirectoryRepository(db: db)
        let a = try await makeTenant(directory)
        let b = try await makeTenant(directory)
        for index in 1...5 { try await audit.append(entry(a.id, "role.create", "r\(index)")) }
        try await audit.append(entry(b.id, "group.create", "g"))
        let mine = try await audit.entries(ingestScope(a.id), limit: 10)
        #expect(mine.map(\.position) == [5, 4, 3, 2, 1])
        #expect(mine.last?.previousHash == AuditRepository.genesis)
        #expect(zip(mine.dropFirst(), mine).allSatisfy { older, newer in newer.previousHash == older.hash })
        #expect(try await audit.entries(ingestScope(b.id), limit: 10).map(\.entry.target) == ["g"])
        #expect(try await audit.entries(ingestScope(a.id), action: "group.create", limit: 10).isEmpty)
        #expect(try await audit.entries(ingestScope(a.id), before: 3, limit: 10).map(\.position) == [2, 1])
        #expect(try await audit.verify().filter { $0.tenant == a.id || $0.tenant == b.id }.isEmpty)

        try await db.execute(
            "UPDATE audit_log SET target = \(bind: "forged") WHERE tenant_id = \(bind: a.id) AND position = 3")
        #expect(try await audit.verify().filter { $0.tenant == a.id }.map(\.position) == [3])
        #expect(try await audit.verify().filter { $0.tenant == b.id }.isEmpty)
        try await db.execute("DELETE FROM audit_log WHERE tenant_id = \(bind: b.id)")
        try await audit.append(entry(b.id, "group.create", "again"))
        try await db.execute("DELETE FROM audit_log WHERE tenant_id = \(bind: a.id) AND position = 2")
        // The break reported for a is still the first one in its chain.
        #expect(try await audit.verify().filter { $0.tenant == a.id }.map(\.position) == [3])
        try await db.close()
    }

    @Test(arguments: TestDatabase.available) func removingAnEntryInTheMiddleIsDetected(database: TestDatabase) async throws {
        let db = try await database.open()
        let audit = AuditRepository(db: db)
        let tenant = try await makeTenant(DirectoryRepository(db: db))
        for index in 1...4 { try await audit.append(entry(tenant.id, "user.create", "u\(index)")) }
        try await db.execute("DELETE FROM audit_log WHERE tenant_id = \(bind: tenant.id) AND position = 2")
        #expect(try await audit.verify().filter { $0.tenant == tenant.id }.map(\.position) == [3])
        try await db.close()
    }

    @Test(arguments: TestDatabase.available) func accessChangesAndTheirAuditEntriesCommitTogether(database: TestDatabase)
        async throws
    {
        let db = try await database.open()
        let rbac = RBACRepository(db: db)
        let tenant = try await makeTenant(DirectoryRepository(db: db))
        let role = Role(
            id: .random(), tenantID: tenant.id, name: "R", description: "", permissions: [], groupIDs: [ObjectID.random()])
        // The group does not exist: the role insert fails on its foreign key (SQLite) or later; either way no entry remains.
        await #expect(throws: (any Error).self) {
            try await rbac.save(role, audit: entry(tenant.id, "role.create", "R"))
        }
        #expect(try await AuditRepository(db: db).entries(ingestScope(tenant.id), limit: 10).isEmpty)
        #expect(try await rbac.roles(tenantID: tenant.id).isEmpty)
        try await db.close()
    }
}
