import RampartCore
import RampartStore

/// A resource's properties as OData sees them: the name clients use, the trusted SQL behind it, its type, and how
/// a row's value is read back for a paging cursor. Nothing from a request ever becomes SQL text: names are looked
/// up here and values are bound.
public struct QueryField<Row>: Sendable {
    public enum Kind: Sendable {
        case text
        /// Accepted spellings (lower-cased) to the stored value.
        case enumeration([String: String])
        case time
        case integer
        /// A JSON array of strings, filtered with `any`.
        case textList
    }

    public let name: String
    public let column: String
    public let kind: Kind
    public let filterable: Bool
    /// The expression that orders (never NULL, so that a cursor can compare it); nil when not sortable.
    public let sortKey: String?
    /// The row's value of `sortKey`, for the cursor of the next page.
    public let sortValue: (@Sendable (Row) -> SQLValue)?
    /// A condition equivalent to `column = value` that an index answers where the column alone has none.
    public let equality: (@Sendable (SQLValue) -> SQL)?

    public init(
        _ name: String, column: String, kind: Kind, filterable: Bool = true, sortKey: String? = nil,
        sortValue: (@Sendable (Row) -> SQLValue)? = nil, equality: (@Sendable (SQLValue) -> SQL)? = nil
    ) {
        self.name = name
        self.column = column
        self.kind = kind
        self.filterable = filterable
        self.sortKey = sortKey
        self.sortValue = sortValue
        self.equality = equality
    }
}

public struct QuerySchema<Row>: Sendable {
    public let fields: [QueryField<Row>]
    /// The order when the request gives none; a unique key is appended to every order.
    public let defaultOrder: [(name: String, descending: Bool)]
    public let uniqueKey: String
    public let uniqueValue: @Sendable (Row) -> SQLValue

    public init(
        fields: [QueryField<Row>], defaultOrder: [(name: String, descending: Bool)], uniqueKey: String,
        uniqueValue: @escaping @Sendable (Row) -> SQLValue
    ) {
        self.fields = fields
        self.defaultOrder = defaultOrder
        self.uniqueKey = uniqueKey
        self.uniqueValue = uniqueValue
    }

    /// Property names are matched without regard to case, as Defender's API does.
    public func field(_ name: String) -> QueryField<Row>? {
        let lowered = name.lowercased()
        return fields.first { $0.name.lowercased() == lowered }
    }
}

extension QueryField.Kind {
    /// The stored spellings of an enumeration, with the others that are accepted for them.
    public static func enumeration<E: DefenderEnum>(_ type: E.Type, aliases: [String: E] = [:]) -> Self {
        var map: [String: String] = [:]
        for value in E.allCases { map[value.rawValue.lowercased()] = value.rawValue }
        for (alias, value) in aliases { map[alias.lowercased()] = value.rawValue }
        return .enumeration(map)
    }
}
