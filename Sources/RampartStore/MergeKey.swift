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
    /// Keys for the devices and alerts stored before keys existed, a page of rows at a time in id order.
    @Sendable static func backfill(_ db: any SQLQuerying) async throws {
        var after = ""
        while true {
            let devices = try await db.query(
                "SELECT id, tenant_id FROM devices WHERE id > \(bind: after) ORDER BY id LIMIT \(bind: pageSize)")
            guard let last = devices.last else { break }
            try await db.executeAll(
                try devices.map { row in
                    let key = device(tenantID: try row.string("tenant_id"), machineID: try row.string("id"))
                    return "UPDATE devices SET merge_base = \(bind: key) WHERE id = \(bind: try row.string("id"))"
                })
            after = try last.string("id")
        }
        after = ""
        while true {
            let alerts = try await db.query(
                """
                SELECT id, tenant_id, machine_id, detector_id FROM alerts
                WHERE id > \(bind: after) AND machine_id IS NOT NULL ORDER BY id LIMIT \(bind: pageSize)
                """)
            guard let last = alerts.last else { break }
            try await db.executeAll(
                try alerts.map { row in
                    let key = detection(
                        tenantID: try row.string("tenant_id"), machineID: try row.string("machine_id"),
                        detectorID: row.optionalString("detector_id"))
                    return "UPDATE alerts SET merge_key = \(bind: key) WHERE id = \(bind: try row.string("id"))"
                })
            after = try last.string("id")
        }
    }

    static let pageSize = 5_000
}
