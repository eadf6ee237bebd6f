import RampartCore

/// One result row, read by column name.
public struct SQLRow: Sendable {
    let columns: [String: Int]
    let values: [SQLValue]

    public init(columns: [String: Int], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript(_ column: String) -> SQLValue {
        guard let index = columns[column] else { return .null }
        return values[index]
    }

    public func string(_ column: String) throws -> String {
        guard let value = optionalString(column) else { throw StoreError.unexpectedNull(column) }
        return value
    }

    public func optionalString(_ column: String) -> String? {
        switch self[column] {
        case .text(let text): text
        case .integer(let number): String(number)
        case .real(let number): String(number)
        case .blob(let bytes): String(decoding: bytes, as: UTF8.self)
        case .null: nil
        }
    }

    public func int(_ column: String) throws -> Int64 {
        guard let value = optionalInt(column) else { throw StoreError.unexpectedNull(column) }
        return value
    }

    public func optionalInt(_ column: String) -> Int64? {
        switch self[column] {
        case .integer(let number): number
        case .real(let number): Int64(number)
        case .text(let text): Int64(text)
        case .blob, .null: nil
        }
    }

    public func bool(_ column: String) throws -> Bool { try int(column) != 0 }

    public func timestamp(_ column: String) throws -> Timestamp { Timestamp(ticks: try int(column)) }
    public func optionalTimestamp(_ column: String) -> Timestamp? { optionalInt(column).map(Timestamp.init(ticks:)) }

    public func tenantID(_ column: String) throws -> TenantID {
        guard let id = TenantID(try string(column)) else { throw StoreError.corrupt(column) }
        return id
    }

    public func objectID(_ column: String) throws -> ObjectID {
        guard let id = ObjectID(try string(column)) else { throw StoreError.corrupt(column) }
        return id
    }

    public func blob(_ column: String) throws -> [UInt8] {
        switch self[column] {
        case .blob(let bytes): return bytes
        case .text(let text): return Array(text.utf8)
        default: throw StoreError.unexpectedNull(column)
        }
    }
}

public enum StoreError: Error, Sendable, Equatable {
    case unexpectedNull(String)
    case corrupt(String)
    case unsupportedDatabaseURL(String)
    /// A unique constraint refused the write.
    case uniqueViolation(String)
}

extension Timestamp: SQLBindable { public var sqlValue: SQLValue { .integer(ticks) } }
extension TenantID: SQLBindable { public var sqlValue: SQLValue { .text(description) } }
extension ObjectID: SQLBindable { public var sqlValue: SQLValue { .text(description) } }
