/// An analyst's change to an incident: only what is given changes. Status and owner carry over to the incident's
/// alerts, as in Defender (resolving an incident resolves its alerts; assigning it assigns them).
public struct IncidentUpdate: Sendable, Equatable {
    public var status: IncidentStatus?
    /// `.some(nil)` unassigns.
    public var assignedTo: String??
    public var classification: IncidentClassification?
    public var determination: IncidentDetermination?

    public init(
        status: IncidentStatus? = nil, assignedTo: String?? = nil, classification: IncidentClassification? = nil,
        determination: IncidentDetermination? = nil
    ) {
        self.status = status
        self.assignedTo = assignedTo
        self.classification = classification
        self.determination = determination
    }

    public var isEmpty: Bool { status == nil && assignedTo == nil && classification == nil && determination == nil }

    public func validate() throws(RampartError) {
        guard !isEmpty else {
            throw .invalidInput(
                code: "MissingRequiredParameter",
                message: "Give at least one of status, assignedTo, classification or determination.")
        }
        if status == .redirected {
            throw .invalidInput(code: "InvalidInput", message: "Invalid input status: use Active or Resolved.")
        }
        if classification == .unknown, let determination, determination != .notAvailable {
            throw .invalidInput(
                code: "InvalidInput",
                message: "Invalid input determination: \(determination.rawValue) needs a classification other than Unknown.")
        }
        if case .some(.some(let owner)) = assignedTo, owner.count > 256 {
            throw .invalidInput(code: "InvalidInput", message: "Invalid input assignedTo: at most 256 characters.")
        }
    }

    /// The same change for each of the incident's alerts.
    public var alertUpdate: AlertUpdate? {
        let alertStatus: AlertStatus? =
            switch status {
            case .resolved: .resolved
            default: nil
            }
        guard alertStatus != nil || assignedTo != nil else { return nil }
        return AlertUpdate(status: alertStatus, assignedTo: assignedTo)
    }

    public func applied(to incident: Incident, at now: Timestamp) -> Incident {
        var result = incident
        if let status { result.status = status }
        if let assignedTo { result.assignedTo = assignedTo }
        if let classification { result.classification = classification }
        if let determination { result.determination = determination }
        result.lastUpdateTime = now
        return result
    }
}
