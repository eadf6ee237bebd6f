import Foundation
import RampartCore
import RampartStore

/// OData options bound to a resource: a filter condition, a total order, and keyset continuation.
///
/// Pages continue after the last row's sort values (not at an offset), so rows that arrive or change while a
/// client pages neither shift the pages it has yet to read nor make it read a row twice.
public struct CollectionQuery<Row>: Sendable {
    public struct SortKey: Sendable {
        public let expression: String
        public let descending: Bool
        let value: @Sendable (Row) -> SQLValue
    }

    public let options: ODataOptions
    public let filter: SQL?
    /// The requested order; the repository appends the unique key in the last key's direction.
    public let order: [SortKey]
    /// Rows after the continuation's position, when the request carries `$skiptoken`.
    public let after: SQL?
    /// Canonical property names to answer with; nil for all.
    public let select: [String]?
    let uniqueKey: String
    let uniqueValue: @Sendable (Row) -> SQLValue

    public init(_ options: ODataOptions, schema: QuerySchema<Row>, selectable: [String]) throws(ODataError) {
        self.options = options
        filter = try options.filter.map { expression throws(ODataError) in
            try FilterSQL.condition(expression, schema: schema)
        }
        let requested =
            options.orderBy.isEmpty
            ? schema.defaultOrder.map { ($0.name, $0.descending) } : options.orderBy.map { ($0.name, $0.descending) }
        var order: [SortKey] = []
        for (name, descending) in requested {
            guard let field = schema.field(name), let key = field.sortKey, let value = field.sortValue else {
                let sortable = schema.fields.filter { $0.sortKey != nil }.map(\.name).joined(separator: ", ")
                throw ODataError(option: "$orderby", message: "cannot sort by '\(name)'; sortable: \(sortable).")
            }
            order.append(SortKey(expression: key, descending: descending, value: value))
        }
        self.order = order
        uniqueKey = schema.uniqueKey
        uniqueValue = schema.uniqueValue
        if let names = options.select {
            var canonical: [String] = []
            for name in names {
                guard let match = selectable.first(where: { $0.lowercased() == name.lowercased() }) else {
                    throw ODataError(
                        option: "$select",
                        message: "unknown property '\(name)'; properties: \(selectable.joined(separator: ", ")).")
                }
                if !canonical.contains(match) { canonical.append(match) }
            }
            select = canonical
        } else {
            select = nil
        }
        after = try options.skipToken.map { token throws(ODataError) in
            try Self.condition(after: Self.decode(token, count: order.count + 1), order: order, uniqueKey: schema.uniqueKey)
        }
    }

    /// The filter and the continuation together.
    public var condition: SQL? {
        switch (filter, after) {
        case (nil, nil): nil
        case (let filter?, nil): filter
        case (nil, let after?): after
        case (let filter?, let after?): "(\(filter)) AND (\(after))"
        }
    }

    public var orderColumns: [(column: String, descending: Bool)] { order.map { ($0.expression, $0.descending) } }

    /// The `$skiptoken` of the page after `row`.
    public func continuation(after row: Row) -> String {
        let values = order.map { $0.value(row) } + [uniqueValue(row)]
        let items: [[Any]] = values.map { value in
            switch value {
            case .integer(let number): ["i", number]
            case .text(let text): ["s", text]
            default: ["n"]
            }
        }
        let data = (try? JSONSerialization.data(withJSONObject: items)) ?? Data("[]".utf8)
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ token: String, count: Int) throws(ODataError) -> [SQLValue] {
        let invalid = ODataError(
            option: "$skiptoken", message: "the continuation is not valid for this request; start again without it.")
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard token.count <= 8_192, let data = Data(base64Encoded: base64),
            let items = try? JSONSerialization.jsonObject(with: data) as? [[Any]], items.count == count
        else { throw invalid }
        var values: [SQLValue] = []
        for item in items {
            switch (item.first as? String, item.count) {
            case ("i", 2):
                guard let number = item[1] as? NSNumber else { throw invalid }
                values.append(.integer(number.int64Value))
            case ("s", 2):
                guard let text = item[1] as? String else { throw invalid }
                values.append(.text(text))
            default: throw invalid
            }
        }
        return values
    }

    /// Rows strictly after `values` in the order: the first differing key decides, the unique key breaks ties.
    static func condition(after values: [SQLValue], order: [SortKey], uniqueKey: String) -> SQL {
        let keys = order.map { ($0.expression, $0.descending) } + [(uniqueKey, order.last?.descending ?? true)]
        var alternatives: [SQL] = []
        for index in keys.indices {
            var parts: [SQL] = []
            for earlier in 0..<index {
                parts.append("\(raw: keys[earlier].0) = \(bind: values[earlier])")
            }
            parts.append("\(raw: keys[index].0) \(raw: keys[index].1 ? "<" : ">") \(bind: values[index])")
            alternatives.append("(" + SQL.joined(parts, separator: " AND ") + ")")
        }
        return SQL.joined(alternatives, separator: " OR ")
    }
}
