import Foundation
import RampartCore

/// Reads the properties of an update body (a JSON object already parsed): names outside `allowing` are refused, so
/// that a misspelt property is not silently ignored; values have their type checked with a message naming them.
struct UpdateBodyFields {
    let body: [String: Any]

    init(_ body: [String: Any], allowing names: Set<String>, updatable: Set<String>) throws(RampartError) {
        if let unknown = body.keys.sorted().first(where: { !names.contains($0) }) {
            throw .invalidInput(
                code: "InvalidRequestBody",
                message:
                    "Invalid request body: unknown property \(unknown); updatable: \(updatable.sorted().joined(separator: ", "))."
            )
        }
        self.body = body
    }

    func text(_ name: String) throws(RampartError) -> String? {
        guard let value = body[name], !JSONNumber.isNull(value) else { return nil }
        guard let string = value as? String else {
            throw .invalidInput(code: "InvalidInput", message: "Invalid input \(name): a string is required.")
        }
        return string
    }

    func value<E>(_ name: String, _ make: (String) -> E?, _ allowed: String) throws(RampartError) -> E? {
        guard let raw = try text(name) else { return nil }
        guard let parsed = make(raw) else {
            throw .invalidInput(code: "InvalidInput", message: "Invalid input \(name) \(raw); values: \(allowed).")
        }
        return parsed
    }

    /// `assignedTo`: absent leaves the owner, null or blank unassigns.
    func owner() throws(RampartError) -> String?? {
        guard body.keys.contains("assignedTo") else { return nil }
        let owner = try text("assignedTo")?.trimmingCharacters(in: .whitespaces)
        return .some(owner?.isEmpty == true ? nil : owner)
    }
}
