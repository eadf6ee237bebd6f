import Foundation
import RampartCore
import RampartStore
import Testing

/// Incidents on every database: correlation at ingest, visibility by device group, management that carries over to
/// the alerts, and status that follows the alerts.
@Suite struct IncidentContractTests {
    static let t0 = Timestamp(iso8601: "2024-05-01T10:05:00Z")!

    /// A user links only where its domain is not the machine's own name, and an alert bears its device's latest name:
    /// when a batch renames a device (one agent, two host names), links worked out ahead from the first name must
    /// not be used. Here the device ends up named "beta", so BETA\\svc is a local account on it and links nothing.
    @Test(arguments: TestDatabase.available) func aDeviceRenamedInABatchLinksByItsLatestName(database: TestDatabase)
        async throws
    {
        let db = try await database.open()
        let alerts = AlertRepository(db: db, correlation: IncidentCorrelation(windowSeconds: 3_600))
        let tenant = try await makeTenant(DirectoryRepository(db: db))
        let scope = AccessScope(
            tenantID: tenant.id, principal: .app(clientID: .random(), tenantID: tenant.id),
            capabilities: [.ingestAlerts, .readAlerts], deviceGroups: .all)
        func detection(_ id: String, host: String, agent: String, address: String, user: RelatedUser?) -> AlertSubmission {
            var item = submission(id, host: host)
            item.device.agentID = agent
            item.device.domain = nil
            item.relatedUser = user
            var ip = AlertEvidence(entityType: "Ip")
            ip.ipAddress = address
            item.evidence = [ip]
            return item
        }
        let service = RelatedUser(userName: "svc", domainName: "BETA")
        _ = try await alerts.ingest(
            [
                detection("r1", host: "alpha", agent: "agent-1", address: "192.0.2.1", user: service),
                detection("r2", host: "beta", agent: "agent-1", address: "192.0.2.2", user: nil),
                detection("g1", host: "gamma", agent: "agent-2", address: "192.0.2.3", user: service),
            ], scope: scope, now: Self.t0)
        let stored = try await alerts.list(scope, AlertListQuery(top: 10))
        let incident = Dictionary(uniqueKeysWithValues: stored.map { ($0.sourceID, $0.incidentID) })
        #expect(stored.first { $0.sourceID == "r1" }?.computerDnsName == "beta")
        #expect(incident["r1"] != nil && incident["r1"] == incident["r2"], "one device, one incident")
        #expect(incident["g1"] != nil && incident["g1"] != incident["r1"], "BETA\\svc is beta's own account")
        try await db.close()
    }

    @Test(arguments: TestDatabase.available) func alertsSharingALinkWithinTheWindowFormOneIncident(database: TestDatabase)
        async throws
    {
        let db = try await database.open()
        let alerts = AlertRepository(db: db, correlation: IncidentCorrelation(windowSeconds: 3_600))
        let incidents = IncidentRepository(db: db)
        let tenant = try await makeTenant(DirectoryRepository(db: db))
        let other = try await makeTenant(DirectoryRepository(db: db))
        // db-* devices form their own group: a scope limited to it sees part of the tenant.
        _ = try await RBACRepository(db: db).save(
            DeviceGroup(
                id: .random(), tenantID: tenant.id, name: "Databases", rank: 1, description: "",
                remediationLevel: .fullRemediation, rules: DeviceGroupRules(names: ["db-*"]), userGroupIDs: [],
                isDefault: false))
        let scope = AccessScope(
            tenantID: tenant.id, principal: .app(clientID: .random(), tenantID: tenant.id),
            capabilities: [.ingestAlerts, .readAlerts, .writeAlerts, .readIncidents, .writeIncidents], deviceGroups: .all)
        let otherScope = AccessScope(
            tenantID: other.id, principal: .app(clientID: .random(), tenantID: other.id),
            capabilities: [.ingestAlerts, .readIncidents], deviceGroups: .all)

        // web-1 twice (same device), web-2 through the shared attacker address, db-1 unrelated (its own address).
        var onWeb2 = submission("b1", host: "web-2", severity: .high)
        onWeb2.relatedUser = nil
        var unrelated = submission("c1", host: "db-1", severity: .low)
        unrelated.relatedUser = nil
        var unrelatedIP = AlertEvidence(entityType: "Ip")
        unrelatedIP.ipAddress = "192.0.2.99"
        unrelated.evidence = [unrelatedIP]
        unrelated.firstEventTime = Timestamp(iso8601: "2024-05-01T09:30:00Z")
        unrelated.lastEventTime = Timestamp(iso8601: "2024-05-01T09:31:00Z")
        _ = try await alerts.ingest([submission("a1"), submission("a2"), onWeb2, unrelated], scope: scope, now: Self.t0)
        // The same device and address in another tenant never joins this tenant's incident.
        _ = try await alerts.ingest([submission("a1")], scope: otherScope, now: Self.t0)

        let listing = try await incidents.list(scope, filter: nil, orderBy: [("incident_id", false)], top: 10, skip: 0)
        #expect(listing.incidents.count == 2)
        let big = try #require(listing.incidents.first { $0.alerts.count == 3 })
        let small = try #require(listing.incidents.first { $0.alerts.count == 1 })
        #expect(Set(big.alerts.map(\.sourceID)) == ["a1", "a2", "b1"])
        #expect(big.severity == .high && big.status == .active && big.name == "Execution incident on multiple endpoints")
        #expect(small.alerts.map(\.sourceID) == ["c1"] && small.name == "Test alert on one endpoint")
        #expect(big.alerts.allSatisfy { $0.incidentID == big.id })
        #expect(
            Set(listing.devices.values.map(\.computerDnsName)) == [
                "web-1.corp.example", "web-2.corp.example", "db-1.corp.example",
            ])
        let otherIncidents = try await incidents.list(otherScope, filter: nil, orderBy: [], top: 10, skip: 0).incidents
        #expect(otherIncidents.count == 1 && otherIncidents[0].id != big.id && otherIncidents[0].alerts.count == 1)
        #expect(try await incidents.get(otherScope, id: big.id) == nil, "another tenant's incident is not found")
        #expect(try await incidents.count(scope, filter: "status = 'Active'") == 2)

        // A detection beyond the window opens a new incident, even on the same device.
        var late = submission("a3")
        late.firstEventTime = Timestamp(iso8601: "2024-05-01T12:30:00Z")
        late.lastEventTime = late.firstEventTime
        _ = try await alerts.ingest([late], scope: scope, now: Self.t0.adding(seconds: 60))
        let lateAlert = try #require(try await alerts.list(scope, AlertListQuery(filter: "source_id = 'a3'", top: 1)).first)
        #expect(lateAlert.incidentID != nil && lateAlert.incidentID != big.id)

        // A scope limited to a device group sees only incidents with alerts there, and only those alerts; an
        // incident with alerts it cannot see may not be changed by it.
        let limited = AccessScope(
            tenantID: tenant.id, principal: .app(clientID: .random(), tenantID: tenant.id),
            capabilities: [.readAlerts, .ingestAlerts, .readIncidents, .writeIncidents], deviceGroups: .only(["Databases"]))
        #expect(try await incidents.get(limited, id: big.id) == nil)
        #expect(try await incidents.list(limited, filter: nil, orderBy: [], top: 10, skip: 0).incidents.map(\.id) == [small.id])
        var spanning = submission("c2", host: "db-1")
        spanning.relatedUser = nil
        spanning.evidence = [onWeb2.evidence[0]]
        // On db-1, but sharing the address with web-1's latest incident (links lead to where they were seen last),
        // seen more recently than db-1's own alert.
        _ = try await alerts.ingest([spanning], scope: scope, now: Self.t0.adding(seconds: 90))
        let lateID = try #require(lateAlert.incidentID)
        let partial = try #require(try await incidents.get(limited, id: lateID)?.incidents.first)
        #expect(partial.alerts.map(\.sourceID) == ["c2"] && partial.severity == .medium, "only what the scope sees")
        #expect(try await incidents.get(scope, id: lateID)?.incidents.first?.alerts.map(\.sourceID).sorted() == ["a3", "c2"])
        await #expect(throws: RampartError.self) {
            _ = try await incidents.update(limited, id: lateID, IncidentUpdate(status: .resolved), now: Self.t0, audit: nil)
        }

        // Resolving the incident resolves its alerts, with events; reopening one alert makes it active again.
        let resolved = try #require(
            try await incidents.update(
                scope, id: big.id,
                IncidentUpdate(
                    status: .resolved, assignedTo: .some("tier2@contoso.example"), classification: .truePositive,
                    determination: .malware), now: Self.t0.adding(seconds: 120), audit: nil))
        #expect(resolved.status == .resolved && resolved.classification == .truePositive)
        let after = try #require(try await incidents.get(scope, id: big.id)?.incidents.first)
        #expect(after.alerts.allSatisfy { $0.status == .resolved && $0.assignedTo == "tier2@contoso.example" })
        #expect(after.determination == .malware && after.lastUpdateTime == Self.t0.adding(seconds: 120))
        let kinds = try await alerts.events(scope, after: 0, limit: 50).map(\.kind)
        #expect(kinds.filter { $0 == "resolved" }.count == 3)
        _ = try await alerts.update(
            scope, ids: [after.alerts[0].id], AlertUpdate(status: .inProgress), now: Self.t0.adding(seconds: 180), audit: nil)
        #expect(try await incidents.get(scope, id: big.id)?.incidents.first?.status == .active)

        // A new detection on web-1 while the incident is resolved... is active again now, so it joins; resolve all
        // alerts one by one and the incident resolves itself.
        _ = try await alerts.update(
            scope, ids: after.alerts.map(\.id), AlertUpdate(status: .resolved), now: Self.t0.adding(seconds: 240), audit: nil)
        #expect(try await incidents.get(scope, id: big.id)?.incidents.first?.status == .resolved)
        // Links of a resolved incident are not followed: the next detection on web-2 opens a new incident.
        var again = submission("b2", host: "web-2")
        again.firstEventTime = Timestamp(iso8601: "2024-05-01T10:02:00Z")
        _ = try await alerts.ingest([again], scope: scope, now: Self.t0.adding(seconds: 300))
        let againAlert = try #require(try await alerts.list(scope, AlertListQuery(filter: "source_id = 'b2'", top: 1)).first)
        #expect(againAlert.incidentID != big.id && againAlert.incidentID != nil)
        try await db.close()
    }
}
