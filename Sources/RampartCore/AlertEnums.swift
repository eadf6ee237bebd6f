/// Enumerations of Defender's Alert resource, spelled exactly as its API prints them.
public protocol DefenderEnum: RawRepresentable, CaseIterable, Sendable, Hashable, Codable where RawValue == String {}

extension DefenderEnum {
    /// Case-insensitive lookup, as Defender's API and OData filters accept.
    public init?(caseInsensitive text: String) {
        if let exact = Self(rawValue: text) {
            self = exact
            return
        }
        let lowered = text.lowercased()
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else { return nil }
        self = match
    }
}

public enum AlertSeverity: String, DefenderEnum, Comparable {
    case unspecified = "UnSpecified"
    case informational = "Informational"
    case low = "Low"
    case medium = "Medium"
    case high = "High"

    public var rank: Int {
        switch self {
        case .unspecified: 0
        case .informational: 1
        case .low: 2
        case .medium: 3
        case .high: 4
        }
    }
    public static func < (lhs: AlertSeverity, rhs: AlertSeverity) -> Bool { lhs.rank < rhs.rank }
}

public enum AlertStatus: String, DefenderEnum {
    case unknown = "Unknown"
    case new = "New"
    case inProgress = "InProgress"
    case resolved = "Resolved"
}

public enum AlertClassification: String, DefenderEnum {
    case truePositive = "TruePositive"
    case informationalExpectedActivity = "InformationalExpectedActivity"
    case falsePositive = "FalsePositive"
    case unknown = "Unknown"
}

public enum AlertDetermination: String, DefenderEnum {
    case multiStagedAttack = "MultiStagedAttack"
    case maliciousUserActivity = "MaliciousUserActivity"
    case compromisedUser = "CompromisedUser"
    case malware = "Malware"
    case phishing = "Phishing"
    case unwantedSoftware = "UnwantedSoftware"
    case securityTesting = "SecurityTesting"
    case lineOfBusinessApplication = "LineOfBusinessApplication"
    case confirmedUserActivity = "ConfirmedUserActivity"
    case clean = "Clean"
    case insufficientData = "InsufficientData"
    case notAvailable = "NotAvailable"
    case other = "Other"

    /// The other documented spellings (Defender's pages disagree; see reference §5.5 and §9).
    public init?(lenient text: String) {
        if let value = Self(caseInsensitive: text) {
            self = value
            return
        }
        switch text.lowercased() {
        case "confirmedactivity": self = .confirmedUserActivity
        case "notmalicious": self = .clean
        case "notenoughdatatovalidate", "noenoughdatatovalidate": self = .insufficientData
        case "compromisedaccount": self = .compromisedUser
        default: return nil
        }
    }
}

public enum InvestigationState: String, DefenderEnum {
    case unknown = "Unknown"
    case terminated = "Terminated"
    case successfullyRemediated = "SuccessfullyRemediated"
    case benign = "Benign"
    case failed = "Failed"
    case partiallyRemediated = "PartiallyRemediated"
    case running = "Running"
    case pendingApproval = "PendingApproval"
    case pendingResource = "PendingResource"
    case partiallyInvestigated = "PartiallyInvestigated"
    case terminatedByUser = "TerminatedByUser"
    case terminatedBySystem = "TerminatedBySystem"
    case queued = "Queued"
    case innerFailure = "InnerFailure"
    case preexistingAlert = "PreexistingAlert"
    case unsupportedOs = "UnsupportedOs"
    case unsupportedAlertType = "UnsupportedAlertType"
    case suppressedAlert = "SuppressedAlert"
}

/// Alert categories: the current MITRE-aligned set plus `General`, which create-alert accepts.
public enum AlertCategory: String, DefenderEnum {
    case collection = "Collection"
    case commandAndControl = "CommandAndControl"
    case credentialAccess = "CredentialAccess"
    case defenseEvasion = "DefenseEvasion"
    case discovery = "Discovery"
    case execution = "Execution"
    case exfiltration = "Exfiltration"
    case exploit = "Exploit"
    case initialAccess = "InitialAccess"
    case lateralMovement = "LateralMovement"
    case malware = "Malware"
    case persistence = "Persistence"
    case privilegeEscalation = "PrivilegeEscalation"
    case ransomware = "Ransomware"
    case suspiciousActivity = "SuspiciousActivity"
    case unwantedSoftware = "UnwantedSoftware"
    case impact = "Impact"
    case general = "General"
}

public enum DetectionSource: String, DefenderEnum {
    case thirdPartySensors = "ThirdPartySensors"
    case windowsDefenderAv = "WindowsDefenderAv"
    case automatedInvestigation = "AutomatedInvestigation"
    case customDetection = "CustomDetection"
    case customerTI = "CustomerTI"
    case windowsDefenderAtp = "WindowsDefenderAtp"
    case mtp = "MTP"
    case officeATP = "OfficeATP"
    case threatExperts = "ThreatExperts"
    case windowsDefenderSmartScreen = "WindowsDefenderSmartScreen"
}

public enum EvidenceEntityType: String, DefenderEnum {
    case user = "User"
    case process = "Process"
    case file = "File"
    case ip = "Ip"
    case url = "Url"
    case registry = "Registry"
    case mailBox = "MailBox"
    case mailMessage = "MailMessage"
    case mailCluster = "MailCluster"
    case securityGroup = "SecurityGroup"
}
