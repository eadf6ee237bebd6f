import RampartCore

/// The one integer by which the store finds a device's alerts and the open alert of a device and detector that a
/// repeated detection merges into (§5.4): the tenant's hash in the top 16 bits, the device's in the next 16, the
/// detector's in the low 32 (FNV-1a over their stored text).
///
/// Indexed by the text columns (a 40-character device id and the detector id in every entry), a device's alerts
/// spread over several pages and a batch of 1,000 new alerts wrote ~700 index pages to the log; as one integer, a
/// tenant's devices are neighbours in the index and a device's detections share a page or two. Hashes collide, so
/// every lookup through the key also compares the device and detector columns themselves.
enum MergeKey {
    /// Every detection of a device lies in `device…device + deviceSpan`.
    static let deviceSpan: Int64 = 0xFFFF_FFFF

    /// The lowest key of the device's detections (stored on the device as `merge_base`).
    static func device(tenantID: String, machineID: String) -> Int64 {
        let high = UInt64(fnv1a(tenantID) & 0xFFFF) << 48 | UInt64(fnv1a(machineID) & 0xFFFF) << 32
        return Int64(bitPattern: high)
    }

    /// An alert's key (stored as `merge_key`); an alert without a detector takes the hash of the empty text.
    static func detection(tenantID: String, machineID: String, detectorID: String?) -> Int64 {
        device(tenantID: tenantID, machineID: machineID) | Int64(fnv1a(detectorID ?? ""))
    }

    /// Alerts (of the table or alias `alerts`) of the device whose id is `id` and whose `merge_base` is `base`, both
    /// SQL expressions: the device's range of keys, then the device itself (keys of two devices may share a range).
    static func onDevice(id: SQL, base: SQL, alerts: String? = nil) -> SQL {
        let column = alerts.map { "\($0)." } ?? ""
        return """
            (\(raw: column)machine_id = \(id) AND \(raw: column)merge_key BETWEEN \(base) AND \(base) + \(raw: String(deviceSpan)))
            """
    }

    static func detection(of alert: Alert) -> SQLValue {
        guard let machineID = alert.machineID else { return .null }
        return .integer(detection(tenantID: alert.tenantID.description, machineID: machineID, detectorID: alert.detectorID))
    }

    /// 32-bit FNV-1a: fixed by its definition, so keys stored by one build are found by the next.
    static func fnv1a(_ text: String) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return hash
    }
}

extension MergeKey {
    /// Keys for the devices and alerts stored before keys existed.
    @Sendable static func backfill(_ db: any SQLQuerying) async throws {
        try await update(db, table: "devices", columns: "id, tenant_id", where: "TRUE") { row in
            let key = device(tenantID: try row.string("tenant_id"), machineID: try row.string("id"))
            return "UPDATE devices SET merge_base = \(bind: key) WHERE id = \(bind: try row.string("id"))"
        }
        try await update(db, table: "alerts", columns: "id, tenant_id, machine_id, detector_id", where: "machine_id IS NOT NULL")
        {
            row in
            let key = detection(
                tenantID: try row.string("tenant_id"), machineID: try row.string("machine_id"),
                detectorID: row.optionalString("detector_id"))
            return "UPDATE alerts SET merge_key = \(bind: key) WHERE id = \(bind: try row.string("id"))"
        }
    }

    /// Runs `statement` for every row of `table` matching `condition`, a page of rows at a time in id order.
    static func update(
        _ db: any SQLQuerying, table: String, columns: String, where condition: String,
        statement: (SQLRow) throws -> SQL
    ) async throws {
        var after = ""
        while true {
            let rows = try await db.query(
                """
                SELECT \(raw: columns) FROM \(raw: table) WHERE \(raw: condition) AND id > \(bind: after)
                ORDER BY id LIMIT \(bind: pageSize)
                """)
            guard let last = rows.last else { return }
            try await db.executeAll(try rows.map(statement))
            after = try last.string("id")
        }
    }

    static let pageSize = 5_000
}
