import RampartCore

/// A parsed `$filter`: what the parser accepts, before any property is checked against a resource.
public indirect enum FilterExpression: Sendable, Equatable {
    case compare(property: String, ComparisonOperator, FilterLiteral)
    case isIn(property: String, [FilterLiteral])
    case function(StringFunction, property: String, String)
    /// `machineTags/any(t: t eq 'x')`: a collection property holding an element that compares true.
    case any(property: String, ComparisonOperator, FilterLiteral)
    case and(FilterExpression, FilterExpression)
    case or(FilterExpression, FilterExpression)
    case not(FilterExpression)

    /// The canonical text: parsing it gives this expression back.
    public var text: String {
        switch self {
        case .compare(let property, let op, let literal): "\(property) \(op.rawValue) \(literal.text)"
        case .isIn(let property, let literals): "\(property) in (\(literals.map(\.text).joined(separator: ", ")))"
        case .function(let function, let property, let value):
            "\(function.rawValue)(\(property), \(FilterLiteral.string(value).text))"
        case .any(let property, let op, let literal): "\(property)/any(x: x \(op.rawValue) \(literal.text))"
        case .and(let left, let right): "\(left.grouped) and \(right.grouped)"
        case .or(let left, let right): "\(left.grouped) or \(right.grouped)"
        case .not(let inner): "not \(inner.grouped)"
        }
    }

    /// Compound expressions in parentheses, so the printed text never depends on precedence.
    var grouped: String {
        switch self {
        case .and, .or, .not: "(\(text))"
        default: text
        }
    }
}

public enum ComparisonOperator: String, Sendable, CaseIterable {
    case eq, ne, gt, ge, lt, le
}

public enum StringFunction: String, Sendable, CaseIterable {
    case startswith, endswith, contains
}

public enum FilterLiteral: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case decimal(Double)
    case boolean(Bool)
    case null
    case dateTime(Timestamp)
    /// Lower-case GUID text.
    case guid(String)
    /// `microsoft.graph.alertSeverity'high'`: an enum member written with its type.
    case enumMember(type: String, value: String)

    public var text: String {
        switch self {
        case .string(let value): "'" + value.replacingQuote() + "'"
        case .integer(let value): String(value)
        case .decimal(let value): "\(value)"
        case .boolean(let value): value ? "true" : "false"
        case .null: "null"
        case .dateTime(let value): value.description
        case .guid(let value): value
        case .enumMember(let type, let value): "\(type)'\(value.replacingQuote())'"
        }
    }
}

extension String {
    /// OData escapes a quote inside a string literal by doubling it.
    func replacingQuote() -> String {
        var result = ""
        for character in self {
            result.append(character)
            if character == "'" { result.append("'") }
        }
        return result
    }
}
