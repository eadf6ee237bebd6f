import Foundation
import RampartCore
import RampartStore
import Testing

/// The notification pipeline's storage on both databases: event log → items → outbox, once per rule, alert,
/// recipient and severity, with leases and the delivery log. Serialized: the pipeline serves every tenant of the
/// database, so two of these tests at once on the shared PostgreSQL would take each other's emails.
@Suite(.serialized) struct NotificationContractTests {
    struct Fixture {
        let db: any SQLExecutor
        let alerts: AlertRepository
        let notifications: NotificationRepository
        let tenant: Tenant
        let web: DeviceGroup
        let rule: NotificationRule
    }

    func fixture(_ database: TestDatabase) async throws -> Fixture {
        let db = try await database.open()
        // Emails left queued by earlier runs on a kept PostgreSQL database would be leased before this test's.
        try await db.execute("DELETE FROM email_outbox")
        try await db.execute("DELETE FROM notification_items")
        let tenant = try await makeTenant(DirectoryRepository(db: db))
        let web = DeviceGroup(
            id: .random(), tenantID: tenant.id, name: "Web", rank: 1, description: "", remediationLevel: .fullRemediation,
            rules: DeviceGroupRules(names: ["web-*"]), userGroupIDs: [], isDefault: false)
        _ = try await RBACRepository(db: db).save(web)
        let rule = NotificationRule(
            id: .random(), tenantID: tenant.id, name: "Web high", deviceGroups: .only([web.id]), severities: [.high],
            recipients: [EmailAddress("a@soc.example")!, EmailAddress("b@soc.example")!], createdAt: .now(),
            updatedAt: .now())
        let notifications = NotificationRepository(db: db)
        try await notifications.save(rule, audit: audit(tenant.id, "notificationRule.create"))
        return Fixture(
            db: db, alerts: AlertRepository(db: db), notifications: notifications, tenant: tenant, web: web, rule: rule)
    }

    func audit(_ tenant: TenantID, _ action: String) -> AuditEntry {
        AuditEntry(
            tenantID: tenant, actor: "admin", actorTenantID: tenant, action: action, target: "t", details: "", requestID: nil,
            time: .now())
    }

    /// Dispatches and writes emails until the rule has `expecting` of them or ten seconds have passed. On PostgreSQL
    /// an event is read only once every transaction that began before it has ended, and other tests' transactions
    /// (sharing the database) may still be running: one pass can end before this test's events are readable.
    func drain(_ f: Fixture, expecting: Int, now: Timestamp = .now()) async throws -> [OutboxEmail] {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let emails = try await drainOnce(f, now: now)
            if emails.count >= expecting || ContinuousClock.now > deadline { return emails }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Dispatches until the log is read to its end (other tests share PostgreSQL's log), then writes emails.
    func drainOnce(_ f: Fixture, now: Timestamp) async throws -> [OutboxEmail] {
        while try await f.notifications.dispatch(limit: 500, now: now) > 0 {}
        _ = try await f.notifications.compose(now: now) { pending in
            pending.items.map { item in
                (
                    OutboxEmail(
                        id: .random(), tenantID: pending.rule.tenantID, ruleID: pending.rule.id, ruleName: pending.rule.name,
                        kind: "alert", recipient: item.recipient.value, messageID: "\(UUID().uuidString)@test",
                        subject: pending.alerts[item.alertID]?.title ?? "", body: "x", alertIDs: [item.alertID],
                        nextAttemptAt: now, createdAt: now), [item.id]
                )
            }
        }
        return try await f.notifications.deliveries(tenantID: f.tenant.id, ruleID: f.rule.id, limit: 100)
    }

    @Test(arguments: TestDatabase.available) func matchingAlertsBecomeOneEmailPerRecipientOnce(database: TestDatabase)
        async throws
    {
        let f = try await fixture(database)
        let scope = ingestScope(f.tenant.id)
        _ = try await f.alerts.ingest(
            [
                submission("match", host: "web-1", severity: .high, title: "match"),
                submission("low", host: "web-2", severity: .low, title: "low"),
                submission("other-group", host: "db-1", severity: .high, title: "other-group"),
            ], scope: scope, now: .now())
        var emails = try await drain(f, expecting: 2)
        #expect(emails.map(\.subject).sorted() == ["match", "match"])
        #expect(Set(emails.map(\.recipient)) == ["a@soc.example", "b@soc.example"])

        // The same alert again at the same severity: nothing new. Its severity rising into the rule: one more each.
        _ = try await f.alerts.ingest(
            [submission("match", host: "web-1", severity: .high, title: "match")], scope: scope, now: .now())
        _ = try await f.alerts.ingest(
            [submission("low", host: "web-2", severity: .high, title: "low")], scope: scope, now: .now())
        emails = try await drain(f, expecting: 4)
        #expect(emails.map(\.subject).sorted() == ["low", "low", "match", "match"])
        #expect(try await drain(f, expecting: 4).count == 4, "a second pass writes nothing")

        // Leases: one taker at a time until the lease runs out; the outcome is recorded.
        let now = Timestamp.now()
        let first = try await f.notifications.leaseDue(now: now, limit: 100, leaseSeconds: 60)
        let mine = first.filter { $0.tenantID == f.tenant.id }
        #expect(mine.count == 4)
        #expect(
            try await f.notifications.leaseDue(now: now, limit: 100, leaseSeconds: 60).filter { $0.tenantID == f.tenant.id }
                .isEmpty)
        try await f.notifications.markSent(id: mine[0].id, reply: "250 OK", now: now)
        try await f.notifications.markFailed(id: mine[1].id, error: "550 no such user", retryAt: nil)
        try await f.notifications.markFailed(id: mine[2].id, error: "421 busy", retryAt: now.adding(seconds: 30))
        let later = try await f.notifications.leaseDue(now: now.adding(seconds: 61), limit: 100, leaseSeconds: 60)
            .filter { $0.tenantID == f.tenant.id }
        #expect(Set(later.map(\.id)) == [mine[2].id, mine[3].id], "sent and failed stay; the retry and the lapsed lease return")
        let log = Dictionary(
            uniqueKeysWithValues: try await f.notifications.deliveries(tenantID: f.tenant.id, ruleID: f.rule.id, limit: 10)
                .map { ($0.id, $0) })
        #expect(log[mine[0].id]?.status == .sent && log[mine[0].id]?.reply == "250 OK")
        #expect(log[mine[1].id]?.status == .failed && log[mine[1].id]?.attempts == 1)
        try await f.db.close()
    }

    @Test(arguments: TestDatabase.available) func deletingADeviceGroupUpdatesOrDeletesRules(database: TestDatabase)
        async throws
    {
        let f = try await fixture(database)
        let rbac = RBACRepository(db: f.db)
        let db = DeviceGroup(
            id: .random(), tenantID: f.tenant.id, name: "DB", rank: 2, description: "", remediationLevel: .fullRemediation,
            rules: DeviceGroupRules(names: ["db-*"]), userGroupIDs: [], isDefault: false)
        _ = try await rbac.save(db)
        var both = f.rule
        both.id = .random()
        both.name = "Both"
        both.deviceGroups = .only([f.web.id, db.id])
        try await f.notifications.save(both, audit: audit(f.tenant.id, "notificationRule.create"))

        #expect(
            try await rbac.deleteDeviceGroup(id: f.web.id, tenantID: f.tenant.id, audit: audit(f.tenant.id, "deviceGroup.delete"))
        )
        let rules = try await f.notifications.rules(tenantID: f.tenant.id)
        #expect(rules.map(\.name) == ["Both"], "the rule left with no device group is gone")
        #expect(rules.first?.deviceGroups == .only([db.id]))
        let entries = try await AuditRepository(db: f.db).entries(ingestScope(f.tenant.id), limit: 20).map(\.entry)
        #expect(
            entries.contains { $0.action == "notificationRule.delete" && $0.target == "Web high" && $0.details.contains("Web") })
        #expect(entries.contains { $0.action == "notificationRule.update" && $0.target == "Both" })
        try await f.db.close()
    }

    /// Two processes' worth of executors on one database dispatch, compose and lease at once: every item is
    /// written once, every email once, and no email is leased by both.
    @Test(arguments: TestDatabase.available) func concurrentWorkersNeverDuplicate(database: TestDatabase) async throws {
        let f = try await fixture(database)
        let second = try await database.open()
        let workers = [f.notifications, NotificationRepository(db: second)]
        _ = try await f.alerts.ingest(
            (0..<40).map { submission("c\($0)", host: "web-\($0 % 3)", severity: .high, title: "c\($0)") },
            scope: ingestScope(f.tenant.id), now: .now())
        let now = Timestamp.now()
        let leased = try await withThrowingTaskGroup(of: [ObjectID].self) { group in
            for (index, worker) in workers.enumerated() {
                group.addTask {
                    var mine: [ObjectID] = []
                    for _ in 0..<5 {
                        _ = try await worker.dispatch(limit: 7, now: now)
                        _ = try await worker.compose(now: now, limit: 9) { pending in
                            pending.items.map { item in
                                (
                                    OutboxEmail(
                                        id: .random(), tenantID: pending.rule.tenantID, ruleID: pending.rule.id,
                                        ruleName: pending.rule.name, kind: "alert", recipient: item.recipient.value,
                                        messageID: "\(UUID().uuidString)@w\(index)",
                                        subject: pending.alerts[item.alertID]?.title ?? "", body: "x",
                                        alertIDs: [item.alertID], nextAttemptAt: now, createdAt: now), [item.id]
                                )
                            }
                        }
                        mine += try await worker.leaseDue(now: now, limit: 6, leaseSeconds: 300)
                            .filter { $0.tenantID == f.tenant.id }.map(\.id)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        _ = try await drain(f, expecting: 80)
        let emails = try await f.notifications.deliveries(tenantID: f.tenant.id, ruleID: f.rule.id, limit: 500)
        #expect(emails.count == 80, "40 alerts × 2 recipients")
        #expect(Set(emails.map { "\($0.subject)|\($0.recipient)" }).count == 80, "no item composed twice")
        #expect(leased.count == Set(leased).count, "no email leased twice")
        try await second.close()
        try await f.db.close()
    }
}
