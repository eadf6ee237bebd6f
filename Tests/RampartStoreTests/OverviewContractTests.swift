import Foundation
import RampartCore
import RampartStore
import Testing

@Suite struct OverviewContractTests {
    @Test(arguments: TestDatabase.available) func figuresCountOpenAlertsAndDays(database: TestDatabase) async throws {
        let db = try await database.open()
        let alerts = AlertRepository(db: db)
        let tenant = try await makeTenant(DirectoryRepository(db: db))
        let scope = ingestScope(tenant.id)
        let now = Timestamp(iso8601: "2026-06-30T12:00:00Z")!
        let writer = AccessScope(
            tenantID: tenant.id, principal: .app(clientID: .random(), tenantID: tenant.id),
            capabilities: [.readAlerts, .writeAlerts], deviceGroups: .all)
        for (index, (severity, daysAgo)) in [(AlertSeverity.high, 0), (.high, 2), (.low, 2), (.medium, 40)].enumerated() {
            _ = try await alerts.ingest(
                [submission("o\(index)", severity: severity)], scope: scope, now: now.adding(seconds: -Int64(daysAgo) * 86_400))
        }
        let listed = try await alerts.list(scope, AlertListQuery(top: 10))
        let newestHigh = try #require(listed.first { $0.alertCreationTime == now })
        _ = try await alerts.update(writer, ids: [newestHigh.id], AlertUpdate(status: .resolved), now: now, audit: nil)
        let oldest = try #require(listed.max { $0.alertCreationTime > $1.alertCreationTime })
        _ = try await alerts.update(writer, ids: [oldest.id], AlertUpdate(assignedTo: .some("soc")), now: now, audit: nil)

        let figures = try await alerts.overview(scope, now: now)
        #expect(figures.openBySeverity == [.high: 1, .low: 1, .medium: 1])
        #expect(figures.openTotal == 3)
        #expect(figures.newPerDay.count == 30)
        #expect(figures.newPerDay.last == 1)
        #expect(figures.newPerDay[27] == 2)
        #expect(figures.newPerDay.reduce(0, +) == 3, "the alert of 40 days ago is outside the window")
        // The oldest open alert is assigned: the oldest unassigned is one of the two from two days ago.
        #expect(figures.oldestUnassigned.map { $0.created == now.adding(seconds: -2 * 86_400) } == true)
        try await db.close()
    }
}
