import Foundation
import RampartCore

/// The bodies of `PATCH /api/alerts/{id}` and `POST /api/alerts/batchUpdate`. Names are case-sensitive, as
/// Defender's are; unknown names are refused, so that a misspelt property is not silently ignored.
public enum DefenderAlertUpdateBody {
    public static let maximumBatchSize = 500
    static let updatable: Set<String> = ["status", "assignedTo", "classification", "determination", "comment"]

    public static func update(_ data: Data) throws(RampartError) -> AlertUpdate {
        try parse(object(data), allowing: updatable)
    }

    /// The ids and the update of a batch; more than `maximumBatchSize` ids is `MaximumBatchSizeExceeded`.
    public static func batch(_ data: Data) throws(RampartError) -> ([String], AlertUpdate) {
        let body = try object(data)
        guard let raw = body["alertIds"] else {
            throw .invalidInput(code: "MissingRequiredParameter", message: "Parameter alertIds is missing.")
        }
        guard let ids = raw as? [String], !ids.isEmpty, ids.allSatisfy({ !$0.isEmpty && $0.count <= 128 }) else {
            throw .invalidInput(code: "InvalidInput", message: "Invalid input alertIds: a non-empty list of alert ids.")
        }
        guard ids.count <= maximumBatchSize else {
            throw .invalidInput(
                code: "MaximumBatchSizeExceeded",
                message: "Maximum batch size exceeded. Received: \(ids.count), allowed: \(maximumBatchSize).")
        }
        return (ids, try parse(body, allowing: updatable.union(["alertIds"])))
    }

    static func object(_ data: Data) throws(RampartError) -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .invalidInput(code: "InvalidRequestBody", message: "Invalid request body: a JSON object is required.")
        }
        return object
    }

    static func parse(_ body: [String: Any], allowing names: Set<String>) throws(RampartError) -> AlertUpdate {
        let fields = try UpdateBodyFields(body, allowing: names, updatable: updatable)
        var update = AlertUpdate()
        update.status = try fields.value("status", AlertStatus.init(caseInsensitive:), "New, InProgress, Resolved")
        update.classification = try fields.value(
            "classification", AlertClassification.init(caseInsensitive:),
            "TruePositive, InformationalExpectedActivity, FalsePositive")
        update.determination = try fields.value(
            "determination", AlertDetermination.init(lenient:),
            AlertDetermination.allCases.map(\.rawValue).joined(separator: ", "))
        update.assignedTo = try fields.owner()
        update.comment = try fields.text("comment")
        try update.validate()
        return update
    }

    /// Graph's PATCH body: the same properties without `comment` (Graph adds comments on their own path); the
    /// `@odata.type` annotation Graph clients send is accepted.
    public static func graphUpdate(_ data: Data) throws(RampartError) -> AlertUpdate {
        var body = try object(data)
        try dropODataType(&body)
        return try parse(body, allowing: ["status", "assignedTo", "classification", "determination"])
    }

    /// Graph's new comment: `{"comment": "…"}`.
    public static func graphComment(_ data: Data) throws(RampartError) -> AlertUpdate {
        var body = try object(data)
        try dropODataType(&body)
        guard let comment = body["comment"] as? String, !comment.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalidInput(code: "MissingRequiredParameter", message: "Parameter comment is missing.")
        }
        return try parse(body, allowing: ["comment"])
    }

    /// Graph clients annotate bodies with `@odata.type`; it must be a type name if it is there at all.
    static func dropODataType(_ body: inout [String: Any]) throws(RampartError) {
        guard let annotation = body.removeValue(forKey: "@odata.type") else { return }
        guard annotation is String else {
            throw .invalidInput(code: "InvalidRequestBody", message: "Invalid request body: @odata.type must be a string.")
        }
    }
}
