import Foundation

/// A value bound to a statement parameter.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// SQL text with bound values; rendered with `?` placeholders for SQLite and `$n` for PostgreSQL.
///
/// User input only ever enters as a bind, never as text: `"WHERE id = \(bind: id)"`.
public struct SQL: Sendable, ExpressibleByStringInterpolation {
    enum Part: Sendable {
        case text(String)
        case bind(SQLValue)
    }
    var parts: [Part]

    public init(stringLiteral value: String) { parts = [.text(value)] }
    public init(stringInterpolation: StringInterpolation) { parts = stringInterpolation.parts }
    init(parts: [Part]) { self.parts = parts }

    public struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ literal: String) { parts.append(.text(literal)) }
        public mutating func appendInterpolation(bind value: some SQLBindable) { parts.append(.bind(value.sqlValue)) }
        public mutating func appendInterpolation(bind value: (some SQLBindable)?) {
            parts.append(.bind(value?.sqlValue ?? .null))
        }
        /// Trusted SQL text: a fragment built by code, never user input.
        public mutating func appendInterpolation(_ fragment: SQL) { parts.append(contentsOf: fragment.parts) }
        /// A trusted identifier or keyword chosen by code from a fixed list.
        public mutating func appendInterpolation(raw text: String) { parts.append(.text(text)) }
    }

    public static func + (lhs: SQL, rhs: SQL) -> SQL { SQL(parts: lhs.parts + rhs.parts) }

    /// Joins fragments with a separator such as `", "` or `" AND "`.
    public static func joined(_ fragments: some Sequence<SQL>, separator: String) -> SQL {
        var parts: [Part] = []
        for (index, fragment) in fragments.enumerated() {
            if index > 0 { parts.append(.text(separator)) }
            parts.append(contentsOf: fragment.parts)
        }
        return SQL(parts: parts)
    }

    /// The text for a dialect and the binds in order.
    public func render(_ dialect: SQLDialect) -> (text: String, binds: [SQLValue]) {
        var text = ""
        var binds: [SQLValue] = []
        for part in parts {
            switch part {
            case .text(let fragment):
                text += fragment
            case .bind(let value):
                binds.append(value)
                switch dialect {
                case .sqlite: text += "?"
                case .postgres: text += "$\(binds.count)"
                }
            }
        }
        return (text, binds)
    }
}

public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres
}

/// A Swift value that can be bound to a statement.
public protocol SQLBindable: Sendable {
    var sqlValue: SQLValue { get }
}

extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .integer(self) } }
extension Int: SQLBindable { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Double: SQLBindable { public var sqlValue: SQLValue { .real(self) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension SQLValue: SQLBindable {
    public var sqlValue: SQLValue { self }

    /// NULL for nil.
    public static func optional(_ value: (some SQLBindable)?) -> SQLValue { value?.sqlValue ?? .null }
}
