import RampartCore

extension AlertRepository {
    /// The SIEM API's read: alerts of the scope last processed in `since...until`, in device groups `groups` (all when
    /// empty) on devices carrying every tag of `tags`; the most recent `limit`, returned oldest first with their
    /// evidence and device.
    public func siemDetections(
        _ scope: AccessScope, since: Timestamp, until: Timestamp, limit: Int, groups: [String], tags: [String]
    ) async throws -> [(Alert, Device?)] {
        try scope.require(.readAlerts)
        var sql: SQL = """
            SELECT * FROM alerts WHERE \(Self.scopeFilter(scope))
            AND last_update_time >= \(bind: since) AND last_update_time <= \(bind: until)
            """
        if !groups.isEmpty {
            sql = sql + " AND rbac_group_name IN (\(SQL.joined(groups.map { "\(bind: $0)" }, separator: ", ")))"
        }
        for tag in tags {
            // Tags are stored as a JSON array of strings: look for the tag's JSON text, quotes included.
            let needle = Self.json([tag]).dropFirst().dropLast()
            let contains: SQL =
                db.dialect == .postgres
                ? "strpos(machine_tags, \(bind: String(needle))) > 0" : "instr(machine_tags, \(bind: String(needle))) > 0"
            sql = sql + " AND machine_id IN (SELECT id FROM devices WHERE tenant_id = \(bind: scope.tenantID) AND \(contains))"
        }
        sql = sql + " ORDER BY last_update_time DESC, id DESC LIMIT \(bind: limit)"
        var alerts = try await db.query(sql).map(Self.alert)
        try await attachDetails(&alerts, evidence: true)
        let devices = try await Self.rows(
            db, table: "devices", tenantID: scope.tenantID, column: "id", values: Set(alerts.compactMap(\.machineID)),
            map: Self.device, key: \.id)
        return alerts.reversed().map { ($0, $0.machineID.flatMap { devices[$0] }) }
    }
}
