import Foundation
import RampartCore

/// The body of `PATCH /api/incidents/{id}` (Defender XDR's update incident).
public enum DefenderIncidentUpdateBody {
    static let updatable: Set<String> = ["status", "assignedTo", "classification", "determination"]

    public static func update(_ data: Data) throws(RampartError) -> IncidentUpdate {
        let fields = try UpdateBodyFields(
            DefenderAlertUpdateBody.object(data), allowing: updatable, updatable: updatable)
        var update = IncidentUpdate()
        update.status = try fields.value("status", IncidentStatus.init(caseInsensitive:), "Active, Resolved")
        update.classification = try fields.value(
            "classification", IncidentClassification.init(caseInsensitive:), "Unknown, FalsePositive, TruePositive")
        update.determination = try fields.value(
            "determination", IncidentDetermination.init(caseInsensitive:),
            IncidentDetermination.allCases.map(\.rawValue).joined(separator: ", "))
        update.assignedTo = try fields.owner()
        try update.validate()
        return update
    }
}
