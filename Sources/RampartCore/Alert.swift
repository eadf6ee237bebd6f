import Foundation

/// The one canonical alert: Defender's Alert resource. Every wire format is a mapping of this.
public struct Alert: Sendable, Equatable {
    public var id: String
    public var tenantID: TenantID
    /// The sensor's own id of the detection; (tenant, sourceID) is unique, so re-sending updates.
    public var sourceID: String
    public var incidentID: Int64?
    public var investigationID: Int64?
    public var assignedTo: String?
    public var severity: AlertSeverity
    public var status: AlertStatus
    public var classification: AlertClassification?
    public var determination: AlertDetermination?
    public var investigationState: InvestigationState?
    public var detectionSource: String
    public var detectorID: String?
    public var category: String
    public var threatFamilyName: String?
    public var title: String
    public var description: String
    public var alertCreationTime: Timestamp
    public var firstEventTime: Timestamp?
    public var lastEventTime: Timestamp?
    public var lastUpdateTime: Timestamp
    public var resolvedTime: Timestamp?
    public var machineID: String?
    public var computerDnsName: String?
    public var rbacGroupName: String?
    public var threatName: String?
    public var mitreTechniques: [String]
    public var relatedUser: RelatedUser?
    public var comments: [AlertComment]
    public var evidence: [AlertEvidence]
    /// Detections merged into this alert: the same detector on the same device while the alert was open (§5.4).
    public var detectionCount: Int = 1

    public init(
        id: String, tenantID: TenantID, sourceID: String, incidentID: Int64? = nil, investigationID: Int64? = nil,
        assignedTo: String? = nil, severity: AlertSeverity, status: AlertStatus = .new,
        classification: AlertClassification? = nil, determination: AlertDetermination? = nil,
        investigationState: InvestigationState? = nil, detectionSource: String, detectorID: String? = nil,
        category: String, threatFamilyName: String? = nil, title: String, description: String,
        alertCreationTime: Timestamp, firstEventTime: Timestamp? = nil, lastEventTime: Timestamp? = nil,
        lastUpdateTime: Timestamp, resolvedTime: Timestamp? = nil, machineID: String? = nil,
        computerDnsName: String? = nil, rbacGroupName: String? = nil, threatName: String? = nil,
        mitreTechniques: [String] = [], relatedUser: RelatedUser? = nil, comments: [AlertComment] = [],
        evidence: [AlertEvidence] = []
    ) {
        self.id = id
        self.tenantID = tenantID
        self.sourceID = sourceID
        self.incidentID = incidentID
        self.investigationID = investigationID
        self.assignedTo = assignedTo
        self.severity = severity
        self.status = status
        self.classification = classification
        self.determination = determination
        self.investigationState = investigationState
        self.detectionSource = detectionSource
        self.detectorID = detectorID
        self.category = category
        self.threatFamilyName = threatFamilyName
        self.title = title
        self.description = description
        self.alertCreationTime = alertCreationTime
        self.firstEventTime = firstEventTime
        self.lastEventTime = lastEventTime
        self.lastUpdateTime = lastUpdateTime
        self.resolvedTime = resolvedTime
        self.machineID = machineID
        self.computerDnsName = computerDnsName
        self.rbacGroupName = rbacGroupName
        self.threatName = threatName
        self.mitreTechniques = mitreTechniques
        self.relatedUser = relatedUser
        self.comments = comments
        self.evidence = evidence
    }
}

public struct RelatedUser: Sendable, Equatable, Codable {
    public var userName: String
    public var domainName: String?
    public init(userName: String, domainName: String?) {
        self.userName = userName
        self.domainName = domainName
    }
}

public struct AlertComment: Sendable, Equatable {
    public var comment: String
    public var createdBy: String
    public var createdTime: Timestamp
    public init(comment: String, createdBy: String, createdTime: Timestamp) {
        self.comment = comment
        self.createdBy = createdBy
        self.createdTime = createdTime
    }
}

/// One piece of evidence; every Defender evidence key is here, nil where it does not apply.
public struct AlertEvidence: Sendable, Equatable, Codable {
    public var entityType: String
    public var evidenceCreationTime: Timestamp?
    public var sha1: String?
    public var sha256: String?
    public var fileName: String?
    public var filePath: String?
    public var processId: Int64?
    public var processCommandLine: String?
    public var processCreationTime: Timestamp?
    public var parentProcessId: Int64?
    public var parentProcessCreationTime: Timestamp?
    public var parentProcessFileName: String?
    public var parentProcessFilePath: String?
    public var ipAddress: String?
    public var url: String?
    public var registryKey: String?
    public var registryHive: String?
    public var registryValueType: String?
    public var registryValue: String?
    public var accountName: String?
    public var domainName: String?
    public var userSid: String?
    public var aadUserId: String?
    public var userPrincipalName: String?
    public var detectionStatus: String?

    public init(entityType: String) { self.entityType = entityType }
}

extension Timestamp: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = Timestamp(iso8601: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 date-time: \(text)"))
        }
        self = parsed
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A machine as alerts reference it (Defender's machine fields).
public struct Device: Sendable, Equatable {
    public var id: String
    public var tenantID: TenantID
    /// Identity within the tenant: the sensor's agent id where present, else hostname + domain, lower-cased.
    public var deviceKey: String
    public var computerDnsName: String
    public var osPlatform: String?
    public var osVersion: String?
    public var lastIpAddress: String?
    public var rbacGroupName: String?
    /// Tags the sensors report (Defender's device-created tags).
    public var machineTags: [String]
    /// Tags analysts assign in the portal (Defender's cloud-created tags); sensors never change them.
    public var cloudTags: [String] = []
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp

    /// Both sets, sorted, each tag once: what Defender's `machineTags` lists.
    public var allTags: [String] { Array(Set(machineTags).union(cloudTags)).sorted() }

    public init(
        id: String, tenantID: TenantID, deviceKey: String, computerDnsName: String, osPlatform: String?,
        osVersion: String?, lastIpAddress: String?, rbacGroupName: String?, machineTags: [String],
        firstSeen: Timestamp, lastSeen: Timestamp
    ) {
        self.id = id
        self.tenantID = tenantID
        self.deviceKey = deviceKey
        self.computerDnsName = computerDnsName
        self.osPlatform = osPlatform
        self.osVersion = osVersion
        self.lastIpAddress = lastIpAddress
        self.rbacGroupName = rbacGroupName
        self.machineTags = machineTags
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }
}

extension Alert {
    /// An alert with every property at its empty value, for reading a format's property names.
    public static var placeholder: Alert {
        Alert(
            id: "", tenantID: TenantID(UUID()), sourceID: "", severity: .unspecified, detectionSource: "", category: "",
            title: "", description: "", alertCreationTime: Timestamp(ticks: 0), lastUpdateTime: Timestamp(ticks: 0))
    }
}

extension Alert {
    /// Alerts that detections merge into are found by device and detector (§5.4).
    public static func mergeKey(machineID: String, detectorID: String) -> String { machineID + "|" + detectorID }

    public var mergeKey: String? {
        guard let machineID, let detectorID else { return nil }
        return Self.mergeKey(machineID: machineID, detectorID: detectorID)
    }
}
