/// How a sensor names the machine it ran on.
public struct DeviceIdentity: Sendable, Equatable {
    public var hostname: String
    public var domain: String?
    /// The sensor agent's own id, when it has one: a more stable key than the hostname.
    public var agentID: String?
    public var osPlatform: String?
    public var osVersion: String?
    public var ipAddress: String?
    public var tags: [String]

    public init(
        hostname: String, domain: String? = nil, agentID: String? = nil, osPlatform: String? = nil,
        osVersion: String? = nil, ipAddress: String? = nil, tags: [String] = []
    ) {
        self.hostname = hostname
        self.domain = domain
        self.agentID = agentID
        self.osPlatform = osPlatform
        self.osVersion = osVersion
        self.ipAddress = ipAddress
        self.tags = tags
    }

    /// The per-tenant identity of the device.
    public var deviceKey: String {
        if let agentID, !agentID.isEmpty { return "agent:" + agentID.lowercased() }
        return "host:" + computerDnsName.lowercased()
    }

    /// The fully qualified name, as Defender's `computerDnsName`.
    public var computerDnsName: String {
        let host = hostname.lowercased()
        guard let domain, !domain.isEmpty, !host.contains(".") else { return host }
        return host + "." + domain.lowercased()
    }
}

/// A validated detection from a sensor, before it becomes or updates an alert.
public struct AlertSubmission: Sendable, Equatable {
    public var sourceID: String
    public var device: DeviceIdentity
    public var title: String
    public var description: String
    public var severity: AlertSeverity
    public var category: String
    public var detectionSource: String
    public var detectorID: String?
    public var threatFamilyName: String?
    public var threatName: String?
    public var investigationState: InvestigationState?
    public var firstEventTime: Timestamp?
    public var lastEventTime: Timestamp?
    public var mitreTechniques: [String]
    public var relatedUser: RelatedUser?
    public var evidence: [AlertEvidence]

    public init(
        sourceID: String, device: DeviceIdentity, title: String, description: String, severity: AlertSeverity,
        category: String, detectionSource: String, detectorID: String? = nil, threatFamilyName: String? = nil,
        threatName: String? = nil, investigationState: InvestigationState? = nil, firstEventTime: Timestamp? = nil,
        lastEventTime: Timestamp? = nil, mitreTechniques: [String] = [], relatedUser: RelatedUser? = nil,
        evidence: [AlertEvidence] = []
    ) {
        self.sourceID = sourceID
        self.device = device
        self.title = title
        self.description = description
        self.severity = severity
        self.category = category
        self.detectionSource = detectionSource
        self.detectorID = detectorID
        self.threatFamilyName = threatFamilyName
        self.threatName = threatName
        self.investigationState = investigationState
        self.firstEventTime = firstEventTime
        self.lastEventTime = lastEventTime
        self.mitreTechniques = mitreTechniques
        self.relatedUser = relatedUser
        self.evidence = evidence
    }

    /// A new alert from this submission on `device`; `evidence` is `stampedEvidence(now:)` when worked out before.
    public func makeAlert(
        id: String, tenantID: TenantID, device: Device, now: Timestamp, evidence stamped: [AlertEvidence]? = nil
    ) -> Alert {
        Alert(
            id: id, tenantID: tenantID, sourceID: sourceID, severity: severity, status: .new,
            investigationState: investigationState, detectionSource: detectionSource, detectorID: detectorID,
            category: category, threatFamilyName: threatFamilyName, title: title, description: description,
            alertCreationTime: now, firstEventTime: firstEventTime, lastEventTime: lastEventTime ?? firstEventTime,
            lastUpdateTime: now, machineID: device.id, computerDnsName: device.computerDnsName,
            rbacGroupName: device.rbacGroupName, threatName: threatName, mitreTechniques: mitreTechniques,
            relatedUser: relatedUser, evidence: stamped ?? stampedEvidence(now: now))
    }

    /// The evidence as a new alert keeps it: items without a creation time get the alert's.
    public func stampedEvidence(now: Timestamp) -> [AlertEvidence] {
        evidence.map { item in
            var stamped = item
            stamped.evidenceCreationTime = stamped.evidenceCreationTime ?? now
            return stamped
        }
    }

    /// The alert after another detection of the same detector on the same device, while the alert is open: the
    /// alert keeps its identity, title and analyst fields; its event times widen, new evidence is added, its
    /// severity rises if this detection is more severe, and (for a detection not seen before) its count grows.
    public func repeated(into alert: Alert, now: Timestamp, isNew: Bool) -> Alert {
        var updated = alert
        let first = [alert.firstEventTime, firstEventTime].compactMap { $0 }.min()
        let last = [alert.lastEventTime, lastEventTime ?? firstEventTime].compactMap { $0 }.max()
        updated.firstEventTime = first
        updated.lastEventTime = last
        updated.lastUpdateTime = now
        if severity.rank > alert.severity.rank { updated.severity = severity }
        for item in evidence {
            var stamped = item
            stamped.evidenceCreationTime = nil
            let known = updated.evidence.contains {
                var other = $0
                other.evidenceCreationTime = nil
                return other == stamped
            }
            guard !known, updated.evidence.count < 100 else { continue }
            stamped.evidenceCreationTime = item.evidenceCreationTime ?? now
            updated.evidence.append(stamped)
        }
        updated.mitreTechniques += mitreTechniques.filter { !updated.mitreTechniques.contains($0) }
        if isNew { updated.detectionCount += 1 }
        return updated
    }

    /// The alert after the sensor re-sent the detection: sensor-owned fields follow the sensor,
    /// analyst-owned fields (status, assignment, classification, comments) stay as the analysts left them.
    public func merged(into alert: Alert, device: Device, now: Timestamp) -> Alert {
        var updated = makeAlert(id: alert.id, tenantID: alert.tenantID, device: device, now: now)
        updated.alertCreationTime = alert.alertCreationTime
        updated.incidentID = alert.incidentID
        updated.investigationID = alert.investigationID
        updated.assignedTo = alert.assignedTo
        updated.status = alert.status
        updated.classification = alert.classification
        updated.determination = alert.determination
        updated.resolvedTime = alert.resolvedTime
        updated.comments = alert.comments
        if let previous = alert.firstEventTime {
            updated.firstEventTime = min(previous, updated.firstEventTime ?? previous)
        }
        if let previous = alert.lastEventTime {
            updated.lastEventTime = max(previous, updated.lastEventTime ?? previous)
        }
        if alert.detectionCount > 1 {
            // Other detections were merged in: their evidence and techniques stay.
            updated.detectionCount = alert.detectionCount
            updated.evidence = repeated(into: alert, now: now, isNew: false).evidence
            updated.mitreTechniques = alert.mitreTechniques + mitreTechniques.filter { !alert.mitreTechniques.contains($0) }
        }
        return updated
    }
}
