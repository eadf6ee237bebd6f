import Foundation
import RampartCore

/// The body of Defender's "Add or Remove Tag" (`POST /api/machines/{id}/tags`): `{"Value": "…", "Action": "Add"}`.
public enum DefenderMachineTagBody {
    static let names: Set<String> = ["Value", "Action"]

    /// The tag and whether it is added (else removed).
    public static func parse(_ data: Data) throws(RampartError) -> (value: String, add: Bool) {
        let fields = try UpdateBodyFields(DefenderAlertUpdateBody.object(data), allowing: names, updatable: names)
        guard let value = try fields.text("Value"), let tag = try DeviceTags.checked([value]).first else {
            throw .invalidInput(code: "MissingRequiredParameter", message: "Parameter Value is missing.")
        }
        guard let action = try fields.text("Action"), ["add", "remove"].contains(action.lowercased()) else {
            throw .invalidInput(code: "InvalidInput", message: "Invalid input Action: use Add or Remove.")
        }
        return (tag, action.lowercased() == "add")
    }
}
