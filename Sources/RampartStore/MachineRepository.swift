import RampartCore

/// Devices as Defender's Machine resource: the inventory with the device group's number, a risk score from the
/// device's open alerts, and a health status from when it last reported, all computed at read time.
public struct MachineRepository: Sendable {
    let db: any SQLExecutor

    public init(db: any SQLExecutor) { self.db = db }

    /// The machines of the scope's tenant as a derived table `m`, so that filters and orders on computed
    /// properties use plain column names.
    static func machines(_ scope: AccessScope, now: Timestamp) -> SQL {
        let activeSince = now.adding(seconds: -Machine.activeWindowSeconds)
        return """
            (SELECT d.id, d.tenant_id, d.device_key, d.computer_dns_name, d.os_platform, d.os_version, d.last_ip_address,
                d.rbac_group_name, d.machine_tags, d.cloud_tags, d.first_seen, d.last_seen, g.number AS rbac_group_id,
                CASE (SELECT MAX(CASE a.severity WHEN 'High' THEN 4 WHEN 'Medium' THEN 3 WHEN 'Low' THEN 2
                                 WHEN 'Informational' THEN 1 ELSE 0 END)
                      FROM alerts a WHERE \(MergeKey.onDevice(id: "d.id", base: "d.merge_base", alerts: "a")) AND a.status <> 'Resolved')
                    WHEN 4 THEN 'High' WHEN 3 THEN 'Medium' WHEN 2 THEN 'Low' WHEN 1 THEN 'Informational' ELSE 'None'
                END AS risk_score,
                CASE WHEN d.last_seen >= \(bind: activeSince) THEN 'Active' ELSE 'Inactive' END AS health_status
             FROM devices d LEFT JOIN device_groups g ON g.tenant_id = d.tenant_id AND g.name = d.rbac_group_name
             WHERE d.tenant_id = \(bind: scope.tenantID)) m
            """
    }

    public func list(
        _ scope: AccessScope, filter: SQL?, orderBy: [(column: String, descending: Bool)], top: Int, skip: Int,
        now: Timestamp
    ) async throws -> [Machine] {
        try scope.require(.readMachines)
        var sql: SQL = "SELECT * FROM \(Self.machines(scope, now: now)) WHERE \(AlertRepository.scopeFilter(scope))"
        if let filter { sql = sql + " AND (\(filter))" }
        var order = orderBy.map { SQL(stringLiteral: "\($0.column) \($0.descending ? "DESC" : "ASC")") }
        order.append(SQL(stringLiteral: "id \(orderBy.last?.descending ?? false ? "DESC" : "ASC")"))
        sql = sql + " ORDER BY \(SQL.joined(order, separator: ", ")) LIMIT \(bind: top) OFFSET \(bind: skip)"
        return try await db.query(sql).map(Self.machine)
    }

    public func count(_ scope: AccessScope, filter: SQL?, now: Timestamp) async throws -> Int {
        try scope.require(.readMachines)
        var sql: SQL = "SELECT COUNT(*) AS n FROM \(Self.machines(scope, now: now)) WHERE \(AlertRepository.scopeFilter(scope))"
        if let filter { sql = sql + " AND (\(filter))" }
        return Int(try await db.queryOne(sql)?.int("n") ?? 0)
    }

    /// The machine if it exists and is in scope; nil otherwise, the same for both cases.
    public func get(_ scope: AccessScope, id: String, now: Timestamp) async throws -> Machine? {
        try scope.require(.readMachines)
        return try await db.queryOne(
            "SELECT * FROM \(Self.machines(scope, now: now)) WHERE \(AlertRepository.scopeFilter(scope)) AND id = \(bind: id)"
        ).map(Self.machine)
    }

    /// Whether the device exists within the scope's tenant and device groups (for paths under a machine).
    public func exists(_ scope: AccessScope, id: String) async throws -> Bool {
        try await db.queryOne(
            "SELECT id FROM devices WHERE \(AlertRepository.scopeFilter(scope)) AND id = \(bind: id)") != nil
    }

    static func machine(_ row: SQLRow) throws -> Machine {
        Machine(
            device: try AlertRepository.device(row), rbacGroupID: row.optionalInt("rbac_group_id"),
            riskScore: try row.string("risk_score"), healthStatus: try row.string("health_status"))
    }

    /// Replaces the portal-assigned tags of a device the scope sees; the device moves to the group its rules now
    /// pick, its alerts with it. False when the device is not in the scope.
    public func setCloudTags(_ scope: AccessScope, id: String, tags: [String], audit: AuditEntry?) async throws -> Bool {
        try scope.require(.tagDevices)
        let checked = try DeviceTags.checked(tags)
        return try await db.transaction { db in
            guard
                let row = try await db.queryOne(
                    "SELECT * FROM devices WHERE \(AlertRepository.scopeFilter(scope)) AND id = \(bind: id)")
            else { return false }
            var device = try AlertRepository.device(row)
            device.cloudTags = checked
            if let audit { try await AuditRepository.append(audit, in: db) }
            let groups = try await RBACRepository.deviceGroups(db, tenantID: scope.tenantID)
            let target =
                DeviceGroup.placement(of: DeviceAttributes(device: device), in: groups)?.name ?? DeviceGroup.defaultName
            try await db.execute(
                """
                UPDATE devices SET cloud_tags = \(bind: AlertRepository.json(checked)), rbac_group_name = \(bind: target)
                WHERE id = \(bind: id)
                """)
            if target != device.rbacGroupName {
                try await db.execute(
                    "UPDATE alerts SET rbac_group_name = \(bind: target) WHERE \(AlertRepository.onMachine(id))")
            }
            return true
        }
    }
}
