import RampartCore

extension AlertRepository {
    /// The SIEM API's selection: ids of the scope's alerts last processed in `since...until`, in device groups
    /// `groups` (all when empty) on devices carrying every tag of `tags` (set by sensors) and of `cloudTags` (assigned
    /// in the portal); the most recent `limit`, oldest first.
    /// Reading ids first lets a large page be fetched and written in parallel parts (`siemDetections(_:ids:)`).
    public func siemDetectionIDs(
        _ scope: AccessScope, since: Timestamp, until: Timestamp, limit: Int, groups: [String], tags: [String],
        cloudTags: [String] = []
    ) async throws -> [String] {
        try scope.require(.readAlerts)
        var sql: SQL = """
            SELECT id FROM alerts WHERE \(Self.scopeFilter(scope))
            AND last_update_time >= \(bind: since) AND last_update_time <= \(bind: until)
            """
        if !groups.isEmpty {
            sql = sql + " AND rbac_group_name IN (\(SQL.joined(groups.map { "\(bind: $0)" }, separator: ", ")))"
        }
        for (column, tag) in tags.map({ ("machine_tags", $0) }) + cloudTags.map({ ("cloud_tags", $0) }) {
            // Tags are stored as a JSON array of strings: look for the tag's JSON text, quotes included.
            let needle = Self.json([tag]).dropFirst().dropLast()
            let contains: SQL =
                db.dialect == .postgres
                ? "strpos(\(raw: column), \(bind: String(needle))) > 0" : "instr(\(raw: column), \(bind: String(needle))) > 0"
            sql = sql + " AND machine_id IN (SELECT id FROM devices WHERE tenant_id = \(bind: scope.tenantID) AND \(contains))"
        }
        sql = sql + " ORDER BY last_update_time DESC, id DESC LIMIT \(bind: limit)"
        return try await db.query(sql).map { try $0.string("id") }.reversed()
    }

    /// The alerts `ids` of the scope in that order, with their evidence (comments are not part of a detection) and
    /// their devices by id. Ids outside the scope are left out.
    public func siemDetections(_ scope: AccessScope, ids: [String]) async throws -> (
        alerts: [Alert], devices: [String: Device]
    ) {
        try scope.require(.readAlerts)
        guard !ids.isEmpty else { return ([], [:]) }
        let list = SQL.joined(ids.map { "\(bind: $0)" }, separator: ", ")
        var alerts = try await db.query("SELECT * FROM alerts WHERE \(Self.scopeFilter(scope)) AND id IN (\(list))").map(
            Self.alert)
        try await attachDetails(&alerts, evidence: true, comments: false)
        let devices = try await Self.rows(
            db, table: "devices", tenantID: scope.tenantID, column: "id", values: Set(alerts.compactMap(\.machineID)),
            map: Self.device, key: \.id)
        // Sorted in place: a page holds thousands of alerts, and copying each into a new array showed in profiles.
        let order = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        alerts.sort { order[$0.id, default: 0] < order[$1.id, default: 0] }
        return (alerts, devices)
    }
}
