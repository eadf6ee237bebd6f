import Foundation

/// Splits an ingest body into JSON values: a JSON array, JSON lines, or JSON objects written one after another
/// (pretty-printed EVE files, `jq` output). Each value is parsed on its own, so one broken record is named with its
/// position instead of failing the batch as a whole.
public enum IngestBody {
    public static let maximumRecords = 5_000

    /// The body's values; `unwrap` may open an envelope (`{"alerts": [...]}`, `{"value": [...]}`) into its records.
    public static func values(from body: Data, unwrap: ([String: Any]) -> [Any]? = { _ in nil }) throws(IngestRejection)
        -> [Any]
    {
        let bytes = [UInt8](body)
        var values: [Any] = []
        var index = 0
        var number = 0
        while true {
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count else { break }
            number += 1
            guard bytes[index] == 0x7B || bytes[index] == 0x5B else {
                throw IngestRejection("Record \(number) is not a JSON object or array.")
            }
            guard let end = endOfValue(bytes, from: index) else {
                throw IngestRejection("Record \(number) is not complete JSON (a bracket or quote is never closed).")
            }
            guard let value = JSONTree.parse(bytes[index..<end]) else {
                throw IngestRejection("Record \(number) is not valid JSON.")
            }
            index = end
            if let array = value as? [Any] {
                values += array
            } else if let object = value as? [String: Any], let inner = unwrap(object) {
                values += inner
            } else {
                values.append(value)
            }
            guard values.count <= maximumRecords else {
                throw IngestRejection("A batch holds at most \(maximumRecords) records.")
            }
        }
        guard !values.isEmpty else { throw IngestRejection("The body is empty.") }
        return values
    }

    public static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

    /// The index just past the JSON value starting at `start`: brackets are counted outside strings. A scalar runs
    /// to the next space; a value never closed answers nil.
    public static func endOfValue(_ bytes: [UInt8], from start: Int) -> Int? {
        let first = bytes[start]
        guard first == 0x7B || first == 0x5B else {
            var index = start
            while index < bytes.count, !isSpace(bytes[index]) { index += 1 }
            return index
        }
        var depth = 0
        var inString = false
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if byte == 0x5C {
                    index += 1
                } else if byte == 0x22 {
                    inString = false
                }
            } else {
                switch byte {
                case 0x22: inString = true
                case 0x7B, 0x5B: depth += 1
                case 0x7D, 0x5D:
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default: break
                }
            }
            index += 1
        }
        return nil
    }
}

/// JSON numbers as Foundation's parser returns them.
enum JSONNumber {
    /// A number that is not `true`/`false`: on Linux `NSNumber(1) is Bool` holds, so booleans are told apart by
    /// their Objective-C type (`c`).
    static func number(_ value: Any?) -> NSNumber? {
        guard let value, isNumber(value), let number = value as? NSNumber, String(cString: number.objCType) != "c"
        else { return nil }
        return number
    }

    /// Whether the value is an `NSNumber`, judged by its type: `as? NSNumber` on a Swift dictionary or array first
    /// bridges it to a Foundation object (a copy), which showed in ingest's profile.
    static func isNumber(_ value: Any) -> Bool { type(of: value) is NSNumber.Type }

    /// Whether the value is JSON's null (`NSNull`), judged by its type for the same reason.
    static func isNull(_ value: Any) -> Bool { type(of: value) is NSNull.Type }
}
