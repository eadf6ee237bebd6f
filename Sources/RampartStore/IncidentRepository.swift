import RampartCore

/// A page of incidents with the devices their alerts were raised on (Defender XDR embeds them).
public struct IncidentListing: Sendable {
    public var incidents: [Incident]
    public var devices: [String: Device]
}

/// Incidents: kept by ingest (correlation), read and managed within a scope.
public struct IncidentRepository: Sendable {
    let db: any SQLExecutor

    public init(db: any SQLExecutor) { self.db = db }

    /// Incidents the scope sees: those with at least one alert in its device groups.
    static func visibility(_ scope: AccessScope) -> SQL {
        switch scope.deviceGroups {
        case .all: return "incidents.tenant_id = \(bind: scope.tenantID)"
        case .only:
            return """
                incidents.tenant_id = \(bind: scope.tenantID) AND EXISTS (SELECT 1 FROM alerts
                WHERE alerts.incident_id = incidents.incident_id AND \(AlertRepository.scopeFilter(scope)))
                """
        }
    }

    public func list(
        _ scope: AccessScope, filter: SQL?, orderBy: [(column: String, descending: Bool)], top: Int, skip: Int
    ) async throws -> IncidentListing {
        try scope.require(.readIncidents)
        var sql: SQL = "SELECT * FROM incidents WHERE \(Self.visibility(scope))"
        if let filter { sql = sql + " AND (\(filter))" }
        var order = orderBy.map { SQL(stringLiteral: "\($0.column) \($0.descending ? "DESC" : "ASC")") }
        order.append(SQL(stringLiteral: "incident_id \(orderBy.last?.descending ?? true ? "DESC" : "ASC")"))
        sql = sql + " ORDER BY \(SQL.joined(order, separator: ", ")) LIMIT \(bind: top) OFFSET \(bind: skip)"
        var incidents = try await db.query(sql).map(Self.incident)
        let devices = try await Self.attachAlerts(db, scope, &incidents)
        return IncidentListing(incidents: incidents, devices: devices)
    }

    public func count(_ scope: AccessScope, filter: SQL?) async throws -> Int {
        try scope.require(.readIncidents)
        var sql: SQL = "SELECT COUNT(*) AS n FROM incidents WHERE \(Self.visibility(scope))"
        if let filter { sql = sql + " AND (\(filter))" }
        return Int(try await db.queryOne(sql)?.int("n") ?? 0)
    }

    /// The incident if the scope sees it; nil otherwise, the same for both cases.
    public func get(_ scope: AccessScope, id: Int64) async throws -> IncidentListing? {
        let listing = try await list(scope, filter: "incident_id = \(bind: id)", orderBy: [], top: 1, skip: 0)
        return listing.incidents.isEmpty ? nil : listing
    }

    /// Applies an analyst's change; status and owner carry over to the incident's alerts, recorded in the event log.
    /// A scope that does not see every alert of the incident may not change it (its change would reach alerts it
    /// cannot see): 403.
    public func update(_ scope: AccessScope, id: Int64, _ update: IncidentUpdate, now: Timestamp, audit: AuditEntry?)
        async throws -> Incident?
    {
        try scope.require(.writeIncidents)
        try update.validate()
        return try await db.transaction { db in
            guard
                let row = try await db.queryOne(
                    "SELECT * FROM incidents WHERE \(Self.visibility(scope)) AND incident_id = \(bind: id)")
            else { return nil }
            let before = try Self.incident(row)
            let visible = try await db.query(
                "SELECT * FROM alerts WHERE \(AlertRepository.scopeFilter(scope)) AND incident_id = \(bind: id) ORDER BY id"
            ).map(AlertRepository.alert)
            let total =
                try await db.queryOne(
                    "SELECT COUNT(*) AS n FROM alerts WHERE tenant_id = \(bind: scope.tenantID) AND incident_id = \(bind: id)"
                )?.int("n") ?? 0
            guard visible.count == total else {
                throw RampartError.forbidden(
                    "Incident \(id) has alerts outside your device groups; it can be changed only by someone who sees them all.")
            }
            if let audit { try await AuditRepository.append(audit, in: db) }
            var after = update.applied(to: before, at: now)
            try await db.execute(
                """
                UPDATE incidents SET status = \(bind: after.status.rawValue), assigned_to = \(bind: after.assignedTo),
                    classification = \(bind: after.classification.rawValue), determination = \(bind: after.determination.rawValue),
                    last_update_time = \(bind: now)
                WHERE incident_id = \(bind: id)
                """)
            if let alertUpdate = update.alertUpdate {
                let changing = visible.filter { alert in
                    alertUpdate.status.map { $0 != alert.status } ?? false
                        || alertUpdate.assignedTo.map { $0 != alert.assignedTo } ?? false
                }
                _ = try await AlertRepository.apply(alertUpdate, to: changing, scope: scope, now: now, in: db)
            }
            after.alerts = []
            return after
        }
    }

    // MARK: Ingest

    /// Puts each alert into an incident (new alerts) or keeps it in its own (merged detections), moving the links
    /// and the incidents' update times; runs inside ingest's transaction. `knownLinks` holds the links of the first
    /// alerts where ingest worked them out before the transaction (nil: worked out here).
    static func correlate(
        _ db: any SQLQuerying, tenantID: TenantID, _ alerts: inout [Alert], knownLinks: [Set<String>?] = [],
        correlation: IncidentCorrelation, now: Timestamp
    ) async throws {
        guard !alerts.isEmpty else { return }
        let alertLinks = alerts.indices.map { index in
            (index < knownLinks.count ? knownLinks[index] : nil) ?? IncidentCorrelation.links(of: alerts[index])
        }
        var loaded: [String: IncidentLink] = [:]
        for chunk in Set(alertLinks.joined()).sorted().chunked(AlertRepository.chunkSize) {
            let list = SQL.joined(chunk.map { "\(bind: $0)" }, separator: ", ")
            for row in try await db.query(
                """
                SELECT l.link, l.incident_id, l.last_seen FROM incident_links l
                JOIN incidents i ON i.incident_id = l.incident_id
                WHERE l.tenant_id = \(bind: tenantID) AND l.link IN (\(list)) AND i.status = 'Active'
                """)
            {
                loaded[try row.string("link")] = IncidentLink(
                    incidentID: try row.int("incident_id"), lastSeen: try row.timestamp("last_seen"))
            }
        }
        var correlator = IncidentCorrelator(correlation, links: loaded)
        let order = alerts.indices.sorted { a, b in
            let (x, y) = (
                alerts[a].firstEventTime ?? alerts[a].alertCreationTime, alerts[b].firstEventTime ?? alerts[b].alertCreationTime
            )
            return x != y ? x < y : alerts[a].id < alerts[b].id
        }
        for index in order {
            let first = alerts[index].firstEventTime ?? alerts[index].alertCreationTime
            alerts[index].incidentID = correlator.place(
                links: alertLinks[index], first: first, last: alerts[index].lastEventTime ?? first,
                current: alerts[index].incidentID)
        }
        let real = try await reserveIDs(db, count: correlator.provisionalCount)
        correlator.resolveProvisional(real)
        for index in alerts.indices {
            if let id = alerts[index].incidentID, id < 0 { alerts[index].incidentID = real[Int(-id) - 1] }
        }
        try await db.insert(
            into: "incidents",
            columns: [
                "incident_id", "tenant_id", "status", "classification", "determination", "created_time", "last_update_time",
            ],
            rows: real.map {
                [
                    .integer($0), tenantID.sqlValue, .text(IncidentStatus.active.rawValue),
                    .text(IncidentClassification.unknown.rawValue), .text(IncidentDetermination.notAvailable.rawValue),
                    now.sqlValue, now.sqlValue,
                ]
            })
        let touched = Set(alerts.compactMap(\.incidentID)).subtracting(real).sorted()
        for chunk in touched.chunked(AlertRepository.chunkSize) {
            let list = SQL.joined(chunk.map { "\(bind: $0)" }, separator: ", ")
            try await db.execute(
                "UPDATE incidents SET last_update_time = \(bind: now) WHERE tenant_id = \(bind: tenantID) AND incident_id IN (\(list))"
            )
        }
        let changed = correlator.changed.sorted()
        for chunk in changed.chunked(AlertRepository.chunkSize) {
            let values = SQL.joined(
                chunk.compactMap { key -> SQL? in
                    guard let link = correlator.links[key] else { return nil }
                    return "(\(bind: tenantID), \(bind: key), \(bind: link.incidentID), \(bind: link.lastSeen))"
                }, separator: ", ")
            try await db.execute(
                """
                INSERT INTO incident_links (tenant_id, link, incident_id, last_seen) VALUES \(values)
                ON CONFLICT (tenant_id, link) DO UPDATE SET incident_id = excluded.incident_id, last_seen = excluded.last_seen
                """)
        }
    }

    /// New incident numbers, unique across the installation.
    static func reserveIDs(_ db: any SQLQuerying, count: Int) async throws -> [Int64] {
        guard count > 0 else { return [] }
        switch db.dialect {
        case .postgres:
            return try await db.query(
                "SELECT nextval('incident_ids') AS id FROM generate_series(1, \(bind: Int64(count))) ORDER BY 1"
            ).map { try $0.int("id") }
        case .sqlite:
            let last = try await db.queryOne("SELECT MAX(incident_id) AS id FROM incidents")?.optionalInt("id") ?? 0
            return (1...Int64(count)).map { last + $0 }
        }
    }

    /// After alerts changed status: an incident whose alerts are all resolved is resolved; one with an open alert
    /// is active again.
    static func refreshStatus(_ db: any SQLQuerying, incidentIDs: Set<Int64>, now: Timestamp) async throws {
        for chunk in incidentIDs.sorted().chunked(AlertRepository.chunkSize) {
            let list = SQL.joined(chunk.map { "\(bind: $0)" }, separator: ", ")
            try await db.execute(
                """
                UPDATE incidents SET last_update_time = \(bind: now), status = CASE WHEN EXISTS (
                    SELECT 1 FROM alerts WHERE alerts.incident_id = incidents.incident_id AND alerts.status <> 'Resolved')
                    THEN 'Active' ELSE 'Resolved' END
                WHERE incident_id IN (\(list)) AND status <> 'Redirected'
                """)
        }
    }

    // MARK: Rows

    /// Attaches each incident's visible alerts (with evidence) and returns their devices.
    static func attachAlerts(_ db: any SQLQuerying, _ scope: AccessScope, _ incidents: inout [Incident]) async throws
        -> [String: Device]
    {
        guard !incidents.isEmpty else { return [:] }
        var index: [Int64: Int] = [:]
        for (position, incident) in incidents.enumerated() { index[incident.id] = position }
        var alerts: [Alert] = []
        for chunk in incidents.map(\.id).chunked(AlertRepository.chunkSize) {
            let list = SQL.joined(chunk.map { "\(bind: $0)" }, separator: ", ")
            alerts += try await db.query(
                """
                SELECT * FROM alerts WHERE \(AlertRepository.scopeFilter(scope)) AND incident_id IN (\(list))
                ORDER BY alert_creation_time, id
                """
            ).map(AlertRepository.alert)
        }
        try await AlertRepository.attachEvidence(db, &alerts)
        for alert in alerts {
            guard let id = alert.incidentID, let position = index[id] else { continue }
            incidents[position].alerts.append(alert)
        }
        return try await AlertRepository.rows(
            db, table: "devices", tenantID: scope.tenantID, column: "id", values: Set(alerts.compactMap(\.machineID)),
            map: AlertRepository.device, key: \.id)
    }

    static func incident(_ row: SQLRow) throws -> Incident {
        Incident(
            id: try row.int("incident_id"), tenantID: try row.tenantID("tenant_id"),
            status: IncidentStatus(rawValue: try row.string("status")) ?? .active,
            assignedTo: row.optionalString("assigned_to"),
            classification: IncidentClassification(rawValue: try row.string("classification")) ?? .unknown,
            determination: IncidentDetermination(rawValue: try row.string("determination")) ?? .notAvailable,
            createdTime: try row.timestamp("created_time"), lastUpdateTime: try row.timestamp("last_update_time"))
    }
}
