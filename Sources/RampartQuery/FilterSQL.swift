import RampartCore
import RampartStore

/// Turns a parsed `$filter` into a SQL condition over a schema: property names become the schema's trusted
/// columns, literals become bound values, and type mismatches are refused with the property's name.
public enum FilterSQL {
    public static func condition<Row>(_ expression: FilterExpression, schema: QuerySchema<Row>) throws(ODataError) -> SQL {
        switch expression {
        case .and(let left, let right):
            return "(\(try condition(left, schema: schema))) AND (\(try condition(right, schema: schema)))"
        case .or(let left, let right):
            return "(\(try condition(left, schema: schema))) OR (\(try condition(right, schema: schema)))"
        case .not(let inner):
            return "NOT (\(try condition(inner, schema: schema)))"
        case .compare(let name, let op, let literal):
            let field = try filterable(name, schema)
            return try compare(field, op, literal)
        case .isIn(let name, let literals):
            let field = try filterable(name, schema)
            if case .textList = field.kind { throw problem("use \(field.name)/any(x: x eq '…') on a collection.") }
            let values = try literals.map { literal throws(ODataError) in try value(literal, for: field) }
            guard !values.contains(.null) else { throw problem("'in' lists cannot hold null; use 'eq null'.") }
            if let equality = field.equality { return "(" + SQL.joined(values.map(equality), separator: " OR ") + ")" }
            return "\(raw: field.column) IN (" + SQL.joined(values.map { "\(bind: $0)" }, separator: ", ") + ")"
        case .function(let function, let name, let text):
            let field = try filterable(name, schema)
            guard case .text = field.kind else {
                throw problem("\(function.rawValue) applies to text properties; \(field.name) is not one.")
            }
            let escaped = likeEscaped(text.lowercased())
            let pattern =
                switch function {
                case .startswith: escaped + "%"
                case .endswith: "%" + escaped
                case .contains: "%" + escaped + "%"
                }
            return "LOWER(\(raw: field.column)) LIKE \(bind: pattern) ESCAPE '\\'"
        case .any(let name, let op, let literal):
            let field = try filterable(name, schema)
            guard case .textList = field.kind else { throw problem("\(field.name) is not a collection.") }
            guard op == .eq, case .string(let text) = literal else {
                throw problem("\(field.name)/any supports only 'eq' with a string.")
            }
            // The column holds a JSON array of strings; the element appears in it as its JSON string.
            var quoted = ""
            JSONText.appendString(text, to: &quoted)
            return "\(raw: field.column) LIKE \(bind: "%" + likeEscaped(quoted) + "%") ESCAPE '\\'"
        }
    }

    static func problem(_ message: String) -> ODataError { ODataError(option: "$filter", message: message) }

    static func filterable<Row>(_ name: String, _ schema: QuerySchema<Row>) throws(ODataError) -> QueryField<Row> {
        guard let field = schema.field(name), field.filterable else {
            let names = schema.fields.filter(\.filterable).map(\.name).joined(separator: ", ")
            throw problem("property '\(name)' cannot be filtered on; filterable: \(names).")
        }
        return field
    }

    static func compare<Row>(_ field: QueryField<Row>, _ op: ComparisonOperator, _ literal: FilterLiteral) throws(ODataError)
        -> SQL
    {
        if case .textList = field.kind { throw problem("use \(field.name)/any(x: x eq '…') on a collection.") }
        let bound = try value(literal, for: field)
        if bound == .null {
            switch op {
            case .eq: return "\(raw: field.column) IS NULL"
            case .ne: return "\(raw: field.column) IS NOT NULL"
            default: throw problem("null can only be compared with 'eq' or 'ne'.")
            }
        }
        if case .enumeration = field.kind, op != .eq, op != .ne {
            throw problem("\(field.name) is an enumeration: compare it with 'eq', 'ne' or 'in'.")
        }
        let column = SQL(stringLiteral: field.column)
        switch op {
        case .eq: return field.equality?(bound) ?? "\(column) = \(bind: bound)"
        // OData: null ne 'x' is true.
        case .ne: return "(\(column) IS NULL OR \(column) <> \(bind: bound))"
        case .gt: return "\(column) > \(bind: bound)"
        case .ge: return "\(column) >= \(bind: bound)"
        case .lt: return "\(column) < \(bind: bound)"
        case .le: return "\(column) <= \(bind: bound)"
        }
    }

    /// The literal as the field's stored type; anything else is a 400 naming the property.
    static func value<Row>(_ literal: FilterLiteral, for field: QueryField<Row>) throws(ODataError) -> SQLValue {
        if literal == .null { return .null }
        switch field.kind {
        case .text, .textList:
            switch literal {
            case .string(let text): return .text(text)
            case .guid(let text): return .text(text)
            default: throw problem("\(field.name) takes a string literal, not \(literal.text).")
            }
        case .enumeration(let values):
            let text: String
            switch literal {
            case .string(let value): text = value
            case .enumMember(_, let value): text = value
            default: throw problem("\(field.name) takes one of its enumeration values, not \(literal.text).")
            }
            guard let stored = values[text.lowercased()] else {
                let known = Set(values.values).sorted().joined(separator: ", ")
                throw problem("'\(text)' is not a value of \(field.name); values: \(known).")
            }
            return .text(stored)
        case .time:
            switch literal {
            case .dateTime(let time): return .integer(time.ticks)
            case .string(let text):
                guard let time = Timestamp(iso8601: text) ?? Timestamp(iso8601: text + "T00:00:00Z") else {
                    throw problem("\(field.name) takes a date-time such as 2024-05-01T00:00:00Z, not '\(text)'.")
                }
                return .integer(time.ticks)
            default: throw problem("\(field.name) takes a date-time such as 2024-05-01T00:00:00Z, not \(literal.text).")
            }
        case .integer:
            guard case .integer(let number) = literal else {
                throw problem("\(field.name) takes an integer, not \(literal.text).")
            }
            return .integer(number)
        }
    }

    /// `%`, `_` and the escape character itself match only themselves.
    static func likeEscaped(_ text: String) -> String {
        var result = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
