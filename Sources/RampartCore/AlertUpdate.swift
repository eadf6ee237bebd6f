/// An analyst's change to an alert (Defender's PATCH and batchUpdate bodies): only what is given changes; what
/// depends on it is recalculated.
public struct AlertUpdate: Sendable, Equatable {
    public var status: AlertStatus?
    /// `.some(nil)` unassigns.
    public var assignedTo: String??
    public var classification: AlertClassification?
    public var determination: AlertDetermination?
    public var comment: String?

    public static let maximumCommentLength = 10_000

    public init(
        status: AlertStatus? = nil, assignedTo: String?? = nil, classification: AlertClassification? = nil,
        determination: AlertDetermination? = nil, comment: String? = nil
    ) {
        self.status = status
        self.assignedTo = assignedTo
        self.classification = classification
        self.determination = determination
        self.comment = comment
    }

    public var isEmpty: Bool {
        status == nil && assignedTo == nil && classification == nil && determination == nil && comment == nil
    }

    /// The determinations each classification allows (reference §5.5); `Other` belongs to all three.
    public static func determinations(of classification: AlertClassification) -> Set<AlertDetermination> {
        switch classification {
        case .truePositive:
            [.multiStagedAttack, .maliciousUserActivity, .compromisedUser, .malware, .phishing, .unwantedSoftware, .other]
        case .informationalExpectedActivity: [.securityTesting, .lineOfBusinessApplication, .confirmedUserActivity, .other]
        case .falsePositive: [.clean, .insufficientData, .other]
        case .unknown: [.notAvailable, .other]
        }
    }

    /// Checks the update on its own, before any alert is read.
    public func validate() throws(RampartError) {
        guard !isEmpty else {
            throw .invalidInput(
                code: "MissingRequiredParameter",
                message: "Give at least one of status, assignedTo, classification, determination or comment.")
        }
        if status == .unknown {
            throw .invalidInput(code: "InvalidInput", message: "Invalid input status: use New, InProgress or Resolved.")
        }
        if let classification, let determination, !Self.determinations(of: classification).contains(determination) {
            throw .invalidInput(
                code: "InvalidInput",
                message: "Invalid input determination: \(determination.rawValue) does not go with \(classification.rawValue).")
        }
        if let comment, comment.count > Self.maximumCommentLength {
            throw .invalidInput(
                code: "InvalidInput", message: "Invalid input comment: at most \(Self.maximumCommentLength) characters.")
        }
        if case .some(.some(let owner)) = assignedTo, owner.count > 256 {
            throw .invalidInput(code: "InvalidInput", message: "Invalid input assignedTo: at most 256 characters.")
        }
    }

    /// The alert after the update, made by `actor` at `now`.
    public func applied(to alert: Alert, by actor: String, at now: Timestamp) -> Alert {
        var result = alert
        if let status, status != alert.status {
            result.status = status
            result.resolvedTime = status == .resolved ? now : nil
        }
        if let assignedTo { result.assignedTo = assignedTo }
        if let classification {
            result.classification = classification
            // A determination of the old classification no longer applies.
            if let current = result.determination, !Self.determinations(of: classification).contains(current) {
                result.determination = nil
            }
        }
        if let determination {
            result.determination = determination
            if result.classification.map({ !Self.determinations(of: $0).contains(determination) }) ?? true {
                result.classification = AlertClassification.allCases.first {
                    $0 != .unknown && Self.determinations(of: $0).contains(determination)
                }
            }
        }
        if let comment, !comment.isEmpty {
            result.comments.append(AlertComment(comment: comment, createdBy: actor, createdTime: now))
        }
        result.lastUpdateTime = now
        return result
    }
}
