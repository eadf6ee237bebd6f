import Foundation
import RampartCore

/// What ingesting one submission did.
public enum IngestOutcome: Sendable, Equatable {
    case created(alertID: String)
    case updated(alertID: String)
}

/// The kinds of change the event log records.
public enum AlertEventKind: String, Sendable {
    case created
    case updated
    /// An update that set the status to Resolved.
    case resolved
}

/// The answer to an update of several alerts: the updated alerts, or the first id that is not visible.
public enum AlertUpdateOutcome: Sendable, Equatable {
    case updated([Alert])
    case notFound(String)
}

/// How to list alerts: a filter and order already translated to SQL over whitelisted columns.
public struct AlertListQuery: Sendable {
    public var filter: SQL?
    /// Column names (from a fixed list) and direction; `id` is always added last so the order is total.
    public var orderBy: [(column: String, descending: Bool)]
    public var top: Int
    public var skip: Int
    public var expandEvidence: Bool

    public init(
        filter: SQL? = nil, orderBy: [(column: String, descending: Bool)] = [("alert_creation_time", true)],
        top: Int, skip: Int = 0, expandEvidence: Bool = false
    ) {
        self.filter = filter
        self.orderBy = orderBy
        self.top = top
        self.skip = skip
        self.expandEvidence = expandEvidence
    }
}

/// Alerts, their devices, evidence and comments, and the event log that every change appends to.
public struct AlertRepository: Sendable {
    let db: any SQLExecutor
    /// How ingest correlates new alerts into incidents.
    let correlation: IncidentCorrelation
    static let chunkSize = 400

    public init(db: any SQLExecutor, correlation: IncidentCorrelation = .standard) {
        self.db = db
        self.correlation = correlation
    }

    // MARK: Ingest

    /// Creates or updates one alert per submission, creating or updating devices; all in one transaction,
    /// with one event-log entry per alert changed. Durable when this returns.
    public func ingest(_ submissions: [AlertSubmission], scope: AccessScope, now: Timestamp) async throws -> [IngestOutcome] {
        try scope.require(.ingestAlerts)
        guard !submissions.isEmpty else { return [] }
        let tenantID = scope.tenantID
        // Ids for the alerts this batch may create, drawn ahead and in ascending order.
        let newIDs = AlertIDGenerator.make(count: submissions.count, at: now)
        // Device keys and names are worked out from the sensor's names (lower-cased, joined) each time they are
        // asked for: once here, not several times per record while the writer is held.
        let deviceKeys = submissions.map(\.device.deviceKey)
        let dnsNames = submissions.map(\.device.computerDnsName)
        // What a new alert made by one submission alone needs and the database does not give, worked out before the
        // transaction: the writer is held only for what needs the database.
        var prepared: [String: PreparedSubmission] = [:]
        for (index, submission) in submissions.enumerated() where prepared[submission.sourceID] == nil {
            prepared[submission.sourceID] = PreparedSubmission(submission, dnsName: dnsNames[index], now: now)
        }
        let ahead = prepared
        let sourceIDs = Set(submissions.map(\.sourceID))
        return try await db.transaction { db in
            // One ingest per tenant at a time, across processes: two batches of a tenant at once both made the same
            // new device (a unique violation), or both merged a detection into one open alert and one count was lost.
            try await db.lockUntilCommit("ingest:" + tenantID.description)
            try await RBACRepository.ensureDefault(db, tenantID: tenantID)
            let deviceGroups = try await RBACRepository.deviceGroups(db, tenantID: tenantID)
            var devices = try await Self.devices(db, tenantID: tenantID, keys: Set(deviceKeys))
            let stored = devices
            var newDeviceKeys: Set<String> = []
            var touchedDeviceKeys: Set<String> = []
            for (index, submission) in submissions.enumerated() {
                let identity = submission.device
                let key = deviceKeys[index]
                let seen = submission.lastEventTime ?? submission.firstEventTime ?? now
                if var device = devices[key] {
                    device.computerDnsName = dnsNames[index]
                    device.osPlatform = identity.osPlatform ?? device.osPlatform
                    device.osVersion = identity.osVersion ?? device.osVersion
                    device.lastIpAddress = identity.ipAddress ?? device.lastIpAddress
                    if !identity.tags.allSatisfy(device.machineTags.contains) {
                        device.machineTags = Array(Set(device.machineTags).union(identity.tags)).sorted()
                    }
                    device.firstSeen = min(device.firstSeen, seen)
                    device.lastSeen = max(device.lastSeen, seen)
                    devices[key] = device
                } else {
                    devices[key] = Device(
                        id: DeviceIDGenerator.make(), tenantID: tenantID, deviceKey: key,
                        computerDnsName: dnsNames[index], osPlatform: identity.osPlatform,
                        osVersion: identity.osVersion, lastIpAddress: identity.ipAddress, rbacGroupName: nil,
                        machineTags: identity.tags.sorted(), firstSeen: seen, lastSeen: seen)
                    newDeviceKeys.insert(key)
                }
                touchedDeviceKeys.insert(key)
            }
            for key in touchedDeviceKeys {
                guard var device = devices[key] else { continue }
                device.rbacGroupName =
                    DeviceGroup.placement(of: DeviceAttributes(device: device), in: deviceGroups)?.name ?? DeviceGroup.defaultName
                devices[key] = device
            }
            let inserts = newDeviceKeys.sorted().compactMap { devices[$0] }
            try await Self.insertDevices(db, inserts)
            var deviceUpdates: [SQL] = []
            // A device the batch told nothing new (a sensor re-sending what it saw) is not written again.
            for key in touchedDeviceKeys.subtracting(newDeviceKeys).sorted() {
                guard let device = devices[key], device != stored[key] else { continue }
                deviceUpdates.append(
                    """
                    UPDATE devices SET computer_dns_name = \(bind: device.computerDnsName),
                        os_platform = \(bind: device.osPlatform), os_version = \(bind: device.osVersion),
                        last_ip_address = \(bind: device.lastIpAddress), machine_tags = \(bind: Self.json(device.machineTags)),
                        first_seen = \(bind: device.firstSeen), last_seen = \(bind: device.lastSeen),
                        rbac_group_name = \(bind: device.rbacGroupName)
                    WHERE id = \(bind: device.id)
                    """)
                if stored[key]?.rbacGroupName != device.rbacGroupName {
                    deviceUpdates.append(
                        "UPDATE alerts SET rbac_group_name = \(bind: device.rbacGroupName) WHERE \(Self.onMachine(device.id))")
                }
            }
            try await db.executeAll(deviceUpdates)
            var existing = try await Self.alertsBySource(db, tenantID: tenantID, sourceIDs: sourceIDs)
            // A detection merged earlier into another alert is found through its alias; an open alert of the same
            // detector on the same device takes a new detection in (§5.4).
            var alias = try await Self.aliases(
                db, tenantID: tenantID, sourceIDs: sourceIDs.subtracting(existing.keys), into: &existing)
            var open = try await Self.openAlertsByDetector(
                db, tenantID: tenantID,
                detections: submissions.indices.lazy.filter {
                    existing[submissions[$0].sourceID] == nil && alias[submissions[$0].sourceID] == nil
                }
                .map { (detectorID: submissions[$0].detectorID, deviceKey: deviceKeys[$0]) },
                devices: devices)
            for alert in open.values { existing[alert.sourceID] = alert }
            // An alert that takes in another detection, or took some in before, keeps its evidence: read at once.
            let openIDs = Set(open.values.map(\.id))
            var merging = existing.values.filter { openIDs.contains($0.id) || $0.detectionCount > 1 }
            try await Self.attachEvidence(db, &merging)
            for alert in merging { existing[alert.sourceID] = alert }
            let severityBefore = existing.mapValues(\.severity)
            // New alerts in the order they were made, which is their ids' order.
            var created: [Alert] = []
            var createdBySource: [String: Int] = [:]
            var updated: [String: Alert] = [:]
            var outcomes: [IngestOutcome] = []
            var newAliases: [(sourceID: String, alertID: String)] = []
            var mergedInBatch: Set<String> = []
            for (index, submission) in submissions.enumerated() {
                guard let device = devices[deviceKeys[index]] else { continue }
                let detectorKey = submission.detectorID.map { Alert.mergeKey(machineID: device.id, detectorID: $0) }
                var fresh = false
                if alias[submission.sourceID] == nil, existing[submission.sourceID] == nil,
                    createdBySource[submission.sourceID] == nil, let detectorKey, let target = open[detectorKey],
                    target.sourceID != submission.sourceID
                {
                    alias[submission.sourceID] = target.sourceID
                    newAliases.append((submission.sourceID, target.id))
                    fresh = true
                }
                let key = alias[submission.sourceID] ?? submission.sourceID
                let isAlias = key != submission.sourceID
                if let position = createdBySource[key] {
                    let pending = created[position]
                    mergedInBatch.insert(key)
                    created[position] =
                        isAlias
                        ? submission.repeated(into: pending, now: now, isNew: fresh)
                        : submission.merged(into: pending, device: device, now: now)
                    outcomes.append(.created(alertID: pending.id))
                } else if let previous = updated[key] ?? existing[key] {
                    let alert =
                        isAlias
                        ? submission.repeated(into: previous, now: now, isNew: fresh)
                        : submission.merged(into: previous, device: device, now: now)
                    updated[key] = alert
                    existing[key] = alert
                    outcomes.append(.updated(alertID: alert.id))
                } else {
                    let alert = submission.makeAlert(
                        id: newIDs[created.count], tenantID: tenantID, device: device, now: now,
                        evidence: ahead[submission.sourceID]?.evidence)
                    createdBySource[submission.sourceID] = created.count
                    created.append(alert)
                    if let detectorKey, open[detectorKey] == nil { open[detectorKey] = alert }
                    outcomes.append(.created(alertID: alert.id))
                }
            }
            try await Self.insertAliases(db, tenantID: tenantID, newAliases)
            let createdCount = created.count
            var correlated = consume created
            correlated.append(contentsOf: updated.values.sorted { $0.id < $1.id })
            let knownLinks = correlated[..<createdCount].map { alert -> Set<String>? in
                guard !mergedInBatch.contains(alert.sourceID), let machineID = alert.machineID,
                    let known = ahead[alert.sourceID], known.dnsName == alert.computerDnsName
                else { return nil }
                return known.indicatorLinks.union([IncidentCorrelation.deviceLink(machineID: machineID)])
            }
            try await IncidentRepository.correlate(
                db, tenantID: tenantID, &correlated, knownLinks: knownLinks, correlation: correlation, now: now)
            // Slices of one array: a thousand alerts are not copied again for each step.
            let newAlerts = correlated[..<createdCount]
            let changedAlerts = correlated[createdCount...]
            try await Self.insertAlerts(db, newAlerts)
            try await db.executeAll(
                changedAlerts.map(Self.sensorFieldsUpdate)
                    + changedAlerts.map(\.id).chunked(Self.chunkSize).map { chunk in
                        "DELETE FROM alert_evidence WHERE alert_id IN (\(SQL.joined(chunk.map { "\(bind: $0)" }, separator: ", ")))"
                    })
            try await Self.insertEvidence(
                db, correlated,
                rendered: ahead.filter { createdBySource[$0.key] != nil && !mergedInBatch.contains($0.key) }
                    .mapValues(\.evidenceTexts))
            try await Self.appendEvents(
                db, tenantID: tenantID, now: now,
                events: newAlerts.map { NewAlertEvent($0, .created, previous: nil) }
                    + changedAlerts.map { NewAlertEvent($0, .updated, previous: severityBefore[$0.sourceID]) })
            return outcomes
        }
    }

    static func devices(_ db: any SQLQuerying, tenantID: TenantID, keys: Set<String>) async throws -> [String: Device] {
        try await rows(
            db, table: "devices", tenantID: tenantID, column: "device_key", values: keys, map: device, key: \.deviceKey)
    }

    /// The tenant's rows whose `column` is one of `values`, fetched in chunks and keyed by `key`.
    static func rows<Value>(
        _ db: any SQLQuerying, table: String, tenantID: TenantID, column: String, values: Set<String>,
        map: (SQLRow) throws -> Value, key: KeyPath<Value, String>
    ) async throws -> [String: Value] {
        var result: [String: Value] = [:]
        for chunk in values.sorted().chunked(chunkSize) {
            let list = SQL.joined(chunk.map { "\(bind: $0)" }, separator: ", ")
            for row in try await db.query(
                "SELECT * FROM \(raw: table) WHERE tenant_id = \(bind: tenantID) AND \(raw: column) IN (\(list))")
            {
                let value = try map(row)
                result[value[keyPath: key]] = value
            }
        }
        return result
    }

    static func insertDevices(_ db: any SQLQuerying, _ devices: [Device]) async throws {
        try await db.insert(
            into: "devices",
            columns: [
                "id", "tenant_id", "device_key", "computer_dns_name", "os_platform", "os_version", "last_ip_address",
                "rbac_group_name", "machine_tags", "first_seen", "last_seen", "merge_base",
            ],
            rows: devices.map { device in
                [
                    .text(device.id), device.tenantID.sqlValue, .text(device.deviceKey), .text(device.computerDnsName),
                    .optional(device.osPlatform), .optional(device.osVersion), .optional(device.lastIpAddress),
                    .optional(device.rbacGroupName), .text(json(device.machineTags)), device.firstSeen.sqlValue,
                    device.lastSeen.sqlValue,
                    .integer(MergeKey.device(tenantID: device.tenantID.description, machineID: device.id)),
                ]
            })
    }

    static func alertsBySource(_ db: any SQLQuerying, tenantID: TenantID, sourceIDs: Set<String>) async throws
        -> [String: Alert]
    {
        try await rows(
            db, table: "alerts", tenantID: tenantID, column: "source_id", values: sourceIDs, map: alert, key: \.sourceID)
    }

    /// Source ids merged into another alert, resolved to that alert's own source id; the alerts join `existing`.
    static func aliases(
        _ db: any SQLQuerying, tenantID: TenantID, sourceIDs: Set<String>, into existing: inout [String: Alert]
    ) async throws -> [String: String] {
        guard !sourceIDs.isEmpty else { return [:] }
        var alertIDs: [String: String] = [:]
        for chunk in sourceIDs.sorted().chunked(chunkSize) {
            let list = SQL.joined(chunk.map { "\(bind: $0)" }, separator: ", ")
            for row in try await db.query(
                "SELECT source_id, alert_id FROM alert_sources WHERE tenant_id = \(bind: tenantID) AND source_id IN (\(list))")
            {
                alertIDs[try row.string("source_id")] = try row.string("alert_id")
            }
        }
        let targets = try await rows(
            db, table: "alerts", tenantID: tenantID, column: "id", values: Set(alertIDs.values), map: alert, key: \.id)
        var aliases: [String: String] = [:]
        for (sourceID, alertID) in alertIDs {
            guard let target = targets[alertID] else { continue }
            existing[target.sourceID] = existing[target.sourceID] ?? target
            aliases[sourceID] = target.sourceID
        }
        return aliases
    }

    /// Open (not resolved) alerts of the submissions' detectors on their devices, keyed `<device id>|<detector id>`;
    /// the most recently updated one where several match.
    ///
    /// The exact (key, device, detector) triples are joined to the merge-key index (`MergeKey`): an `IN` list for
    /// each column made SQLite seek every detector on every device of the batch (250,000 seeks for a thousand
    /// Suricata records on 250 hosts).
    static func openAlertsByDetector(
        _ db: any SQLQuerying, tenantID: TenantID, detections: some Sequence<(detectorID: String?, deviceKey: String)>,
        devices: [String: Device]
    ) async throws -> [String: Alert] {
        var triples: [(key: Int64, machineID: String, detectorID: String)] = []
        var seen: Set<String> = []
        let tenant = tenantID.description
        for detection in detections {
            guard let detector = detection.detectorID, let machine = devices[detection.deviceKey]?.id,
                seen.insert(Alert.mergeKey(machineID: machine, detectorID: detector)).inserted
            else { continue }
            triples.append((MergeKey.detection(tenantID: tenant, machineID: machine, detectorID: detector), machine, detector))
        }
        triples.sort { $0.key < $1.key }
        var found: [String: Alert] = [:]
        // In the index's order, so that the database walks it forward instead of seeking at random.
        for chunk in triples.chunked(chunkSize) {
            let values = SQL.joined(
                chunk.map { "(\(bind: $0.key), \(bind: $0.machineID), \(bind: $0.detectorID))" }, separator: ", ")
            for row in try await db.query(
                """
                WITH wanted (merge_key, machine_id, detector_id) AS (VALUES \(values))
                SELECT a.* FROM wanted JOIN alerts a ON a.merge_key = wanted.merge_key
                    AND a.machine_id = wanted.machine_id AND a.detector_id = wanted.detector_id
                WHERE a.tenant_id = \(bind: tenantID) AND a.status <> 'Resolved'
                """)
            {
                let alert = try alert(row)
                guard let key = alert.mergeKey else { continue }
                if let other = found[key], other.lastUpdateTime >= alert.lastUpdateTime { continue }
                found[key] = alert
            }
        }
        return found
    }

    /// The condition that selects the alerts of device `id` through the merge-key index (`MergeKey`).
    public static func onMachine(_ id: String) -> SQL {
        MergeKey.onDevice(id: "\(bind: id)", base: "(SELECT merge_base FROM devices WHERE id = \(bind: id))")
    }

    /// Appends each alert's stored evidence, in order, with one query per chunk of alerts.
    static func attachEvidence(_ db: any SQLQuerying, _ alerts: inout [Alert]) async throws {
        var index: [String: Int] = [:]
        for (position, alert) in alerts.enumerated() { index[alert.id] = position }
        for chunk in alerts.map(\.id).chunked(chunkSize) {
            let ids = SQL.joined(chunk.map { "\(bind: $0)" }, separator: ", ")
            for row in try await db.query(
                "SELECT alert_id, body FROM alert_evidence WHERE alert_id IN (\(ids)) ORDER BY alert_id, position")
            {
                guard let position = index[try row.string("alert_id")] else { continue }
                alerts[position].evidence.append(try storedEvidence(try row.string("body")))
            }
        }
    }

    /// An evidence row's body: read by hand, through Foundation only for a shape the hand reader does not take.
    static func storedEvidence(_ body: String) throws -> AlertEvidence {
        try AlertEvidence(jsonText: body) ?? JSONDecoder().decode(AlertEvidence.self, from: Data(body.utf8))
    }

    static func insertAliases(_ db: any SQLQuerying, tenantID: TenantID, _ aliases: [(sourceID: String, alertID: String)])
        async throws
    {
        guard !aliases.isEmpty else { return }
        try await db.insert(
            into: "alert_sources", columns: ["tenant_id", "source_id", "alert_id"],
            rows: aliases.map { [tenantID.sqlValue, .text($0.sourceID), .text($0.alertID)] })
    }

    static func insertAlerts(_ db: any SQLQuerying, _ alerts: some Collection<Alert>) async throws {
        try await db.insert(
            into: "alerts",
            columns: [
                "id", "tenant_id", "source_id", "incident_id", "investigation_id", "assigned_to", "severity", "status",
                "classification", "determination", "investigation_state", "detection_source", "detector_id", "category",
                "threat_family_name", "title", "description", "alert_creation_time", "first_event_time", "last_event_time",
                "last_update_time", "resolved_time", "machine_id", "computer_dns_name", "rbac_group_name", "threat_name",
                "mitre_techniques", "related_user_name", "related_user_domain", "detection_count", "merge_key",
            ],
            rows: alerts.map { a in
                [
                    .text(a.id), a.tenantID.sqlValue, .text(a.sourceID), .optional(a.incidentID), .optional(a.investigationID),
                    .optional(a.assignedTo), .text(a.severity.rawValue), .text(a.status.rawValue),
                    .optional(a.classification?.rawValue), .optional(a.determination?.rawValue),
                    .optional(a.investigationState?.rawValue), .text(a.detectionSource), .optional(a.detectorID),
                    .text(a.category), .optional(a.threatFamilyName), .text(a.title), .text(a.description),
                    a.alertCreationTime.sqlValue, .optional(a.firstEventTime), .optional(a.lastEventTime),
                    a.lastUpdateTime.sqlValue, .optional(a.resolvedTime), .optional(a.machineID), .optional(a.computerDnsName),
                    .optional(a.rbacGroupName), .optional(a.threatName), .text(json(a.mitreTechniques)),
                    .optional(a.relatedUser?.userName), .optional(a.relatedUser?.domainName),
                    .integer(Int64(a.detectionCount)), MergeKey.detection(of: a),
                ]
            })
    }

    /// The update of an alert that took in another detection: what the sensor said, not what analysts set.
    static func sensorFieldsUpdate(_ a: Alert) -> SQL {
        """
        UPDATE alerts SET severity = \(bind: a.severity.rawValue), investigation_state = \(bind: a.investigationState?.rawValue),
            detection_source = \(bind: a.detectionSource), detector_id = \(bind: a.detectorID), category = \(bind: a.category),
            threat_family_name = \(bind: a.threatFamilyName), title = \(bind: a.title), description = \(bind: a.description),
            first_event_time = \(bind: a.firstEventTime), last_event_time = \(bind: a.lastEventTime),
            last_update_time = \(bind: a.lastUpdateTime), machine_id = \(bind: a.machineID),
            computer_dns_name = \(bind: a.computerDnsName), rbac_group_name = \(bind: a.rbacGroupName),
            threat_name = \(bind: a.threatName),
            mitre_techniques = \(bind: json(a.mitreTechniques)), related_user_name = \(bind: a.relatedUser?.userName),
            related_user_domain = \(bind: a.relatedUser?.domainName), detection_count = \(bind: Int64(a.detectionCount)),
            incident_id = \(bind: a.incidentID), merge_key = \(bind: MergeKey.detection(of: a))
        WHERE id = \(bind: a.id)
        """
    }

    /// `rendered` holds texts written ahead for some alerts (by source id), in the order of their evidence.
    static func insertEvidence(
        _ db: any SQLQuerying, _ alerts: some Collection<Alert>, rendered: [String: [String]] = [:]
    ) async throws {
        let rows: [[SQLValue]] = alerts.flatMap { alert in
            let ahead = rendered[alert.sourceID].flatMap { $0.count == alert.evidence.count ? $0 : nil }
            return alert.evidence.enumerated().map { position, item -> [SQLValue] in
                [
                    .text(alert.id), .integer(Int64(position)), .text(item.entityType),
                    .text(ahead?[position] ?? item.jsonText()),
                ]
            }
        }
        try await db.insert(into: "alert_evidence", columns: ["alert_id", "position", "entity_type", "body"], rows: rows)
    }

    /// Appends to the event log, with each alert's severity now and before (consumers such as notifications act on
    /// a rise without reading history).
    static func appendEvents(
        _ db: any SQLQuerying, tenantID: TenantID, now: Timestamp,
        events: [NewAlertEvent]
    ) async throws {
        try await db.insert(
            into: "alert_events",
            columns: ["tenant_id", "alert_id", "kind", "severity", "previous_severity", "occurred_at"],
            rows: events.map {
                [
                    tenantID.sqlValue, .text($0.alertID), .text($0.kind.rawValue), .text($0.severity.rawValue),
                    .optional($0.previous?.rawValue), now.sqlValue,
                ]
            })
    }

    // MARK: Reads

    /// The rows of the scope's tenant and device groups: every read goes through this.
    static func scopeFilter(_ scope: AccessScope) -> SQL {
        switch scope.deviceGroups {
        case .all:
            return "tenant_id = \(bind: scope.tenantID)"
        case .only(let groups):
            guard !groups.isEmpty else { return "tenant_id = \(bind: scope.tenantID) AND 1 = 0" }
            let list = SQL.joined(groups.sorted().map { "\(bind: $0)" }, separator: ", ")
            return "tenant_id = \(bind: scope.tenantID) AND rbac_group_name IN (\(list))"
        }
    }

    public func list(_ scope: AccessScope, _ query: AlertListQuery) async throws -> [Alert] {
        try scope.require(.readAlerts)
        var sql: SQL = "SELECT * FROM alerts WHERE \(Self.scopeFilter(scope))"
        if let filter = query.filter { sql = sql + " AND (\(filter))" }
        var order = query.orderBy.map { SQL(stringLiteral: "\($0.column) \($0.descending ? "DESC" : "ASC")") }
        let lastDescending = query.orderBy.last?.descending ?? true
        order.append(SQL(stringLiteral: "id \(lastDescending ? "DESC" : "ASC")"))
        sql = sql + " ORDER BY \(SQL.joined(order, separator: ", ")) LIMIT \(bind: query.top) OFFSET \(bind: query.skip)"
        var alerts = try await db.query(sql).map(Self.alert)
        try await attachDetails(&alerts, evidence: query.expandEvidence)
        return alerts
    }

    /// One list over several tenants (an MSSP's queue): the rows each scope may see, ordered together. Scopes that
    /// cannot read alerts contribute nothing.
    public func list(across scopes: [AccessScope], _ query: AlertListQuery) async throws -> [Alert] {
        guard let visible = Self.acrossFilter(scopes) else { return [] }
        // Newest first over many tenants: walking the time index and keeping the scopes' rows finds a page at once,
        // where SQLite's own choice (each tenant's index, then a sort of every row) reads them all.
        let byTime =
            db.dialect == .sqlite && query.orderBy.map(\.column) == ["alert_creation_time"]
            && query.orderBy.first?.descending == true
        var sql: SQL = "SELECT * FROM alerts \(raw: byTime ? "INDEXED BY alerts_by_time " : "")WHERE (\(visible))"
        if let filter = query.filter { sql = sql + " AND (\(filter))" }
        var order = query.orderBy.map { SQL(stringLiteral: "\($0.column) \($0.descending ? "DESC" : "ASC")") }
        order.append(SQL(stringLiteral: "id \(query.orderBy.last?.descending ?? true ? "DESC" : "ASC")"))
        sql = sql + " ORDER BY \(SQL.joined(order, separator: ", ")) LIMIT \(bind: query.top) OFFSET \(bind: query.skip)"
        var alerts = try await db.query(sql).map(Self.alert)
        try await attachDetails(&alerts, evidence: query.expandEvidence)
        return alerts
    }

    public func count(across scopes: [AccessScope], filter: SQL? = nil) async throws -> Int {
        guard let visible = Self.acrossFilter(scopes) else { return 0 }
        var sql: SQL = "SELECT COUNT(*) AS n FROM alerts WHERE (\(visible))"
        if let filter { sql = sql + " AND (\(filter))" }
        return Int(try await db.queryOne(sql)?.int("n") ?? 0)
    }

    /// Open alerts by severity, the oldest unassigned open alert, and new alerts per UTC day over `days` days.
    public func overview(_ scope: AccessScope, now: Timestamp, days: Int = 30) async throws -> AlertOverview {
        try scope.require(.readAlerts)
        let visible = Self.scopeFilter(scope)
        var open: [AlertSeverity: Int] = [:]
        for row in try await db.query(
            "SELECT severity, COUNT(*) AS n FROM alerts WHERE \(visible) AND status <> 'Resolved' GROUP BY severity")
        {
            open[AlertSeverity(rawValue: try row.string("severity")) ?? .unspecified, default: 0] += Int(try row.int("n"))
        }
        let oldest = try await db.queryOne(
            """
            SELECT id, title, alert_creation_time FROM alerts
            WHERE \(visible) AND status <> 'Resolved' AND assigned_to IS NULL
            ORDER BY alert_creation_time ASC LIMIT 1
            """)
        let dayTicks = 86_400 * Timestamp.ticksPerSecond
        let today = now.ticks - ((now.ticks % dayTicks) + dayTicks) % dayTicks
        let start = today - Int64(days - 1) * dayTicks
        var perDay = Array(repeating: 0, count: days)
        for row in try await db.query(
            """
            SELECT (alert_creation_time - \(bind: start)) / \(bind: dayTicks) AS day, COUNT(*) AS n FROM alerts
            WHERE \(visible) AND alert_creation_time >= \(bind: start) GROUP BY 1
            """)
        {
            let day = Int(try row.int("day"))
            if perDay.indices.contains(day) { perDay[day] = Int(try row.int("n")) }
        }
        return AlertOverview(
            openBySeverity: open,
            oldestUnassigned: try oldest.map {
                (try $0.string("id"), try $0.string("title"), try $0.timestamp("alert_creation_time"))
            }, newPerDay: perDay)
    }

    /// The rows of several scopes as one condition whose size grows with the distinct device-group sets, not with
    /// the tenants: whole tenants in one `IN`, tenants limited to the same groups in another.
    static func acrossFilter(_ scopes: [AccessScope]) -> SQL? {
        var byGroups: [Set<String>?: [TenantID]] = [:]
        for scope in scopes where scope.allows(.readAlerts) {
            switch scope.deviceGroups {
            case .all: byGroups[nil, default: []].append(scope.tenantID)
            case .only(let groups) where !groups.isEmpty: byGroups[groups, default: []].append(scope.tenantID)
            case .only: continue
            }
        }
        guard !byGroups.isEmpty else { return nil }
        let parts = byGroups.sorted { ($0.key?.sorted() ?? []).lexicographicallyPrecedes($1.key?.sorted() ?? []) }.map {
            groups, tenants -> SQL in
            let tenantList = SQL.joined(tenants.map(\.description).sorted().map { "\(bind: $0)" }, separator: ", ")
            guard let groups else { return "tenant_id IN (\(tenantList))" }
            let groupList = SQL.joined(groups.sorted().map { "\(bind: $0)" }, separator: ", ")
            return "(tenant_id IN (\(tenantList)) AND rbac_group_name IN (\(groupList)))"
        }
        return SQL.joined(parts, separator: " OR ")
    }

    public func count(_ scope: AccessScope, filter: SQL? = nil) async throws -> Int {
        try scope.require(.readAlerts)
        var sql: SQL = "SELECT COUNT(*) AS n FROM alerts WHERE \(Self.scopeFilter(scope))"
        if let filter { sql = sql + " AND (\(filter))" }
        return Int(try await db.queryOne(sql)?.int("n") ?? 0)
    }

    /// Applies an analyst's update to every alert of `ids`, all or none: an id that does not exist or is outside the
    /// scope changes nothing and is named. The event log records each change; `audit` commits with it.
    public func update(_ scope: AccessScope, ids: [String], _ update: AlertUpdate, now: Timestamp, audit: AuditEntry?)
        async throws -> AlertUpdateOutcome
    {
        try scope.require(.writeAlerts)
        let unique = Array(Set(ids)).sorted()
        return try await db.transaction { db in
            var found: [String: Alert] = [:]
            for chunk in unique.chunked(Self.chunkSize) {
                let list = SQL.joined(chunk.map { "\(bind: $0)" }, separator: ", ")
                for row in try await db.query("SELECT * FROM alerts WHERE \(Self.scopeFilter(scope)) AND id IN (\(list))") {
                    let alert = try Self.alert(row)
                    found[alert.id] = alert
                }
            }
            if let missing = ids.first(where: { found[$0] == nil }) { return .notFound(missing) }
            if let audit { try await AuditRepository.append(audit, in: db) }
            return .updated(try await Self.apply(update, to: unique.compactMap { found[$0] }, scope: scope, now: now, in: db))
        }
    }

    /// Writes an update to alerts already read within the scope, with their events; their incidents follow (an
    /// incident whose alerts are all resolved is resolved). Runs inside the caller's transaction.
    static func apply(_ update: AlertUpdate, to alerts: [Alert], scope: AccessScope, now: Timestamp, in db: any SQLQuerying)
        async throws -> [Alert]
    {
        var updated: [Alert] = []
        var events: [NewAlertEvent] = []
        for before in alerts {
            let id = before.id
            let after = update.applied(to: before, by: scope.principal.displayName, at: now)
            try await db.execute(
                """
                UPDATE alerts SET status = \(bind: after.status.rawValue), assigned_to = \(bind: after.assignedTo),
                    classification = \(bind: after.classification?.rawValue),
                    determination = \(bind: after.determination?.rawValue), resolved_time = \(bind: after.resolvedTime),
                    last_update_time = \(bind: after.lastUpdateTime)
                WHERE id = \(bind: id)
                """)
            if let comment = after.comments.last, after.comments.count > before.comments.count {
                try await db.execute(
                    """
                    INSERT INTO alert_comments (alert_id, comment, created_by, created_time)
                    VALUES (\(bind: id), \(bind: comment.comment), \(bind: comment.createdBy), \(bind: comment.createdTime))
                    """)
            }
            events.append(
                NewAlertEvent(
                    after, after.status == .resolved && before.status != .resolved ? .resolved : .updated,
                    previous: before.severity))
            updated.append(after)
        }
        try await Self.appendEvents(db, tenantID: scope.tenantID, now: now, events: events)
        try await IncidentRepository.refreshStatus(db, incidentIDs: Set(updated.compactMap(\.incidentID)), now: now)
        return updated
    }

    /// The alert if it exists and is in scope; nil otherwise, the same for both cases.
    /// One alert the scope sees. `requiring` is what the caller must hold: reading alerts, or for a related entity
    /// (machine, file, IP, URL, user profile) that entity's permission, which Defender grants without alert reading.
    public func get(
        _ scope: AccessScope, id: String, expandEvidence: Bool = true, requiring capability: Capability = .readAlerts
    ) async throws -> Alert? {
        try scope.require(capability)
        guard let row = try await db.queryOne("SELECT * FROM alerts WHERE \(Self.scopeFilter(scope)) AND id = \(bind: id)")
        else { return nil }
        var alerts = [try Self.alert(row)]
        try await attachDetails(&alerts, evidence: expandEvidence)
        return alerts.first
    }

    func attachDetails(_ alerts: inout [Alert], evidence: Bool, comments: Bool = true) async throws {
        guard !alerts.isEmpty else { return }
        var index: [String: Int] = [:]
        for (position, alert) in alerts.enumerated() { index[alert.id] = position }
        let ids = SQL.joined(alerts.map { "\(bind: $0.id)" }, separator: ", ")
        if comments {
            for row in try await db.query(
                "SELECT * FROM alert_comments WHERE alert_id IN (\(ids)) ORDER BY id")
            {
                guard let position = index[try row.string("alert_id")] else { continue }
                alerts[position].comments.append(
                    AlertComment(
                        comment: try row.string("comment"), createdBy: try row.string("created_by"),
                        createdTime: try row.timestamp("created_time")))
            }
        }
        if evidence { try await Self.attachEvidence(db, &alerts) }
    }

    public func events(_ scope: AccessScope, after seq: Int64, limit: Int) async throws -> [(
        seq: Int64, alertID: String, kind: String
    )] {
        try await db.query(
            """
            SELECT seq, alert_id, kind FROM alert_events WHERE tenant_id = \(bind: scope.tenantID) AND seq > \(bind: seq)
            ORDER BY seq LIMIT \(bind: limit)
            """
        ).map { (try $0.int("seq"), try $0.string("alert_id"), try $0.string("kind")) }
    }

    // MARK: Row mapping

    static func device(_ row: SQLRow) throws -> Device {
        var device = Device(
            id: try row.string("id"), tenantID: try row.tenantID("tenant_id"), deviceKey: try row.string("device_key"),
            computerDnsName: try row.string("computer_dns_name"), osPlatform: row.optionalString("os_platform"),
            osVersion: row.optionalString("os_version"), lastIpAddress: row.optionalString("last_ip_address"),
            rbacGroupName: row.optionalString("rbac_group_name"),
            machineTags: try stringArray(try row.string("machine_tags")),
            firstSeen: try row.timestamp("first_seen"), lastSeen: try row.timestamp("last_seen"))
        device.cloudTags = try row.optionalString("cloud_tags").map(stringArray) ?? []
        return device
    }

    static func alert(_ row: SQLRow) throws -> Alert {
        let userName = row.optionalString("related_user_name")
        var alert = Alert(
            id: try row.string("id"), tenantID: try row.tenantID("tenant_id"), sourceID: try row.string("source_id"),
            incidentID: row.optionalInt("incident_id"), investigationID: row.optionalInt("investigation_id"),
            assignedTo: row.optionalString("assigned_to"),
            severity: AlertSeverity(rawValue: try row.string("severity")) ?? .unspecified,
            status: AlertStatus(rawValue: try row.string("status")) ?? .unknown,
            classification: row.optionalString("classification").flatMap(AlertClassification.init(rawValue:)),
            determination: row.optionalString("determination").flatMap(AlertDetermination.init(rawValue:)),
            investigationState: row.optionalString("investigation_state").flatMap(InvestigationState.init(rawValue:)),
            detectionSource: try row.string("detection_source"), detectorID: row.optionalString("detector_id"),
            category: try row.string("category"), threatFamilyName: row.optionalString("threat_family_name"),
            title: try row.string("title"), description: try row.string("description"),
            alertCreationTime: try row.timestamp("alert_creation_time"),
            firstEventTime: row.optionalTimestamp("first_event_time"), lastEventTime: row.optionalTimestamp("last_event_time"),
            lastUpdateTime: try row.timestamp("last_update_time"), resolvedTime: row.optionalTimestamp("resolved_time"),
            machineID: row.optionalString("machine_id"), computerDnsName: row.optionalString("computer_dns_name"),
            rbacGroupName: row.optionalString("rbac_group_name"), threatName: row.optionalString("threat_name"),
            mitreTechniques: try stringArray(try row.string("mitre_techniques")),
            relatedUser: userName.map { RelatedUser(userName: $0, domainName: row.optionalString("related_user_domain")) })
        alert.detectionCount = Int(row.optionalInt("detection_count") ?? 1)
        return alert
    }

    /// A stored JSON array of strings, read without Foundation's decoder (it runs for every alert read).
    static func stringArray(_ text: String) throws -> [String] {
        guard let strings = FlatJSONObject.stringArray(text) else { throw StoreError.corrupt("JSON array of strings") }
        return strings
    }

    /// A JSON array of strings, written directly: this runs for every alert and device ingested.
    static func json(_ strings: [String]) -> String { JSONText.array(strings) }

    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

/// An entry to append to the event log: the alert, what happened, and its severity now and before.
struct NewAlertEvent {
    let alertID: String
    let kind: AlertEventKind
    let severity: AlertSeverity
    let previous: AlertSeverity?

    init(_ alert: Alert, _ kind: AlertEventKind, previous: AlertSeverity?) {
        alertID = alert.id
        self.kind = kind
        severity = alert.severity
        self.previous = previous
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

/// A submission's part of a new alert that follows from the submission alone: its evidence stamped with the batch's
/// time and the stored text of each item, and its incident links but the device's, under the name it gave its device
/// (they hold while the alert keeps that name).
struct PreparedSubmission: Sendable {
    let evidence: [AlertEvidence]
    let evidenceTexts: [String]
    let dnsName: String
    let indicatorLinks: Set<String>

    init(_ submission: AlertSubmission, dnsName: String, now: Timestamp) {
        evidence = submission.stampedEvidence(now: now)
        evidenceTexts = evidence.map { $0.jsonText() }
        self.dnsName = dnsName
        indicatorLinks = IncidentCorrelation.indicatorLinks(
            computerDnsName: dnsName, relatedUser: submission.relatedUser, evidence: submission.evidence)
    }
}
