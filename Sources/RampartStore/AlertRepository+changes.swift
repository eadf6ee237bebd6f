import RampartCore

/// One change of the cursor API: the event and the alert as it is now.
public struct AlertChange: Sendable {
    public var event: AlertEvent
    public var alert: Alert

    public init(event: AlertEvent, alert: Alert) {
        self.event = event
        self.alert = alert
    }
}

/// A page of changes and where the next page starts.
public struct AlertChangePage: Sendable {
    public var changes: [AlertChange]
    /// The position after the last event read (visible or not): the next page starts there.
    public var next: EventLogPosition
    /// Whether the page was cut at the limit, so more may follow at once.
    public var hasMore: Bool
}

extension AlertRepository {
    /// Changes (created, updated, resolved) of the scopes' alerts after `position`, in event-log order. Events of
    /// alerts outside a scope's device groups are read and passed over, never shown; the position still moves past
    /// them. Throws `cursorExpired` when events after `position` were already deleted by retention.
    public func changes(across scopes: [AccessScope], after position: EventLogPosition, limit: Int) async throws
        -> AlertChangePage
    {
        let readable = scopes.filter { $0.allows(.readAlerts) }
        guard !readable.isEmpty else { throw RampartError.forbidden("The caller can read alerts in no tenant.") }
        if position < (try await EventLogRetention(db: db).pruned()) {
            throw RampartError.invalidInput(
                code: "CursorExpired",
                message: "The cursor points before the retained event log; start again without a cursor.")
        }
        let byTenant = Dictionary(readable.map { ($0.tenantID, $0) }, uniquingKeysWith: { first, _ in first })
        let events = try await AlertEventLog.read(
            db, after: position, limit: limit, tenants: byTenant.keys.sorted { $0.description < $1.description })
        var visible: [String: Alert] = [:]
        for (tenantID, tenantEvents) in Dictionary(grouping: events, by: \.tenantID) {
            guard let scope = byTenant[tenantID] else { continue }
            let ids = SQL.joined(Set(tenantEvents.map(\.alertID)).sorted().map { "\(bind: $0)" }, separator: ", ")
            var alerts = try await db.query("SELECT * FROM alerts WHERE \(Self.scopeFilter(scope)) AND id IN (\(ids))").map(
                Self.alert)
            try await attachDetails(&alerts, evidence: true)
            for alert in alerts { visible[alert.id] = alert }
        }
        return AlertChangePage(
            changes: events.compactMap { event in visible[event.alertID].map { AlertChange(event: event, alert: $0) } },
            next: events.last?.position ?? position, hasMore: events.count == limit)
    }

    /// The position of the newest settled event: where a consumer that wants only what comes next starts.
    public func latestPosition() async throws -> EventLogPosition {
        let events = try await AlertEventLog.latest(db)
        return events ?? .start
    }
}
