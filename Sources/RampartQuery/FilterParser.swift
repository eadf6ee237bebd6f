import RampartCore

/// Parses `$filter` text. It never traps: every malformed input is an `ODataError` with the 1-based position of
/// the problem, and the parser's work is bounded by the text's length and a nesting limit.
public struct FilterParser {
    public static let maximumLength = 8_192
    public static let maximumDepth = 32
    public static let maximumInListLength = 1_000

    enum Token: Equatable {
        case identifier(String)
        case string(String)
        case enumMember(type: String, value: String)
        /// A number, date, date-time or GUID, classified when used.
        case word(String)
        case open, close, comma, colon, slash
        case end
    }

    struct Located {
        let token: Token
        let position: Int
    }

    let tokens: [Located]
    var index = 0
    var depth = 0

    public static func parse(_ text: String) throws(ODataError) -> FilterExpression {
        guard text.count <= maximumLength else {
            throw error("the filter is longer than \(maximumLength) characters.", 1)
        }
        var parser = FilterParser(tokens: try lex(text))
        let expression = try parser.expression()
        guard case .end = parser.current.token else {
            throw error("unexpected \(describe(parser.current.token)).", parser.current.position)
        }
        return expression
    }

    static func error(_ message: String, _ position: Int) -> ODataError {
        ODataError(option: "$filter", message: message, position: position)
    }

    static func describe(_ token: Token) -> String {
        switch token {
        case .identifier(let name): "'\(name)'"
        case .string(let value): "string '\(value)'"
        case .enumMember(let type, _): "enum literal of \(type)"
        case .word(let text): "'\(text)'"
        case .open: "'('"
        case .close: "')'"
        case .comma: "','"
        case .colon: "':'"
        case .slash: "'/'"
        case .end: "end of the filter"
        }
    }

    // MARK: Lexing

    static func lex(_ text: String) throws(ODataError) -> [Located] {
        let characters = Array(text)
        var tokens: [Located] = []
        var i = 0
        func isIdentifierStart(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c == "_") }
        func isIdentifierPart(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == ".") }
        func isWordPart(_ c: Character) -> Bool {
            c.isASCII && (c.isNumber || c.isLetter || c == "-" || c == ":" || c == "." || c == "+")
        }
        func quoted(from start: Int) throws(ODataError) -> (String, Int) {
            var value = ""
            var j = start + 1
            while true {
                guard j < characters.count else { throw error("the string starting here is not closed.", start + 1) }
                if characters[j] == "'" {
                    if j + 1 < characters.count, characters[j + 1] == "'" {
                        value.append("'")
                        j += 2
                        continue
                    }
                    return (value, j + 1)
                }
                value.append(characters[j])
                j += 1
            }
        }
        while i < characters.count {
            let c = characters[i]
            let position = i + 1
            if c.isWhitespace {
                i += 1
                continue
            }
            switch c {
            case "(":
                tokens.append(Located(token: .open, position: position))
                i += 1
            case ")":
                tokens.append(Located(token: .close, position: position))
                i += 1
            case ",":
                tokens.append(Located(token: .comma, position: position))
                i += 1
            case ":":
                tokens.append(Located(token: .colon, position: position))
                i += 1
            case "/":
                tokens.append(Located(token: .slash, position: position))
                i += 1
            case "'":
                let (value, next) = try quoted(from: i)
                tokens.append(Located(token: .string(value), position: position))
                i = next
            default:
                if c.isHexDigit, i + 36 <= characters.count, ObjectID(String(characters[i..<i + 36])) != nil,
                    i + 36 == characters.count || !isWordPart(characters[i + 36])
                {
                    // A GUID may start with a letter: it is a literal, not a name.
                    tokens.append(Located(token: .word(String(characters[i..<i + 36])), position: position))
                    i += 36
                } else if isIdentifierStart(c) {
                    var j = i
                    while j < characters.count, isIdentifierPart(characters[j]) { j += 1 }
                    let name = String(characters[i..<j])
                    if j < characters.count, characters[j] == "'" {
                        let (value, next) = try quoted(from: j)
                        tokens.append(Located(token: .enumMember(type: name, value: value), position: position))
                        i = next
                    } else {
                        tokens.append(Located(token: .identifier(name), position: position))
                        i = j
                    }
                } else if c.isASCII, c.isNumber || c == "-" {
                    var j = i + 1
                    while j < characters.count, isWordPart(characters[j]) { j += 1 }
                    tokens.append(Located(token: .word(String(characters[i..<j])), position: position))
                    i = j
                } else {
                    throw error("unexpected character '\(c)'.", position)
                }
            }
        }
        tokens.append(Located(token: .end, position: characters.count + 1))
        return tokens
    }

    // MARK: Parsing

    var current: Located { tokens[index] }

    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    mutating func keyword(_ word: String) -> Bool {
        if case .identifier(let name) = current.token, name.lowercased() == word {
            advance()
            return true
        }
        return false
    }

    mutating func expect(_ token: Token, _ what: String) throws(ODataError) {
        guard current.token == token else {
            throw Self.error("expected \(what), found \(Self.describe(current.token)).", current.position)
        }
        advance()
    }

    mutating func expression() throws(ODataError) -> FilterExpression {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            throw Self.error("the filter nests deeper than \(Self.maximumDepth) levels.", current.position)
        }
        var left = try conjunction()
        while keyword("or") { left = .or(left, try conjunction()) }
        return left
    }

    mutating func conjunction() throws(ODataError) -> FilterExpression {
        var left = try unary()
        while keyword("and") { left = .and(left, try unary()) }
        return left
    }

    mutating func unary() throws(ODataError) -> FilterExpression {
        if keyword("not") {
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maximumDepth else {
                throw Self.error("the filter nests deeper than \(Self.maximumDepth) levels.", current.position)
            }
            return .not(try unary())
        }
        return try primary()
    }

    mutating func primary() throws(ODataError) -> FilterExpression {
        let start = current
        switch start.token {
        case .open:
            advance()
            let inner = try expression()
            try expect(.close, "')'")
            return inner
        case .identifier(let name):
            advance()
            if let function = StringFunction(rawValue: name.lowercased()), current.token == .open {
                advance()
                let property = try propertyName()
                try expect(.comma, "','")
                guard case .string(let value) = current.token else {
                    throw Self.error("\(function.rawValue) takes a string literal.", current.position)
                }
                advance()
                try expect(.close, "')'")
                return .function(function, property: property, value)
            }
            if current.token == .slash { return try lambda(on: name) }
            if keyword("in") { return .isIn(property: name, try list()) }
            return .compare(property: name, try comparison(), try literal())
        default:
            throw Self.error("expected a property, '(' or 'not', found \(Self.describe(start.token)).", start.position)
        }
    }

    mutating func propertyName() throws(ODataError) -> String {
        guard case .identifier(let name) = current.token else {
            throw Self.error("expected a property, found \(Self.describe(current.token)).", current.position)
        }
        advance()
        return name
    }

    mutating func comparison() throws(ODataError) -> ComparisonOperator {
        guard case .identifier(let word) = current.token, let op = ComparisonOperator(rawValue: word.lowercased()) else {
            throw Self.error(
                "expected a comparison (eq, ne, gt, ge, lt, le) or 'in', found \(Self.describe(current.token)).",
                current.position)
        }
        advance()
        return op
    }

    mutating func lambda(on property: String) throws(ODataError) -> FilterExpression {
        advance()  // the slash
        guard case .identifier(let word) = current.token, word.lowercased() == "any" else {
            throw Self.error("only the 'any' lambda is supported.", current.position)
        }
        advance()
        try expect(.open, "'('")
        let variable = try propertyName()
        try expect(.colon, "':'")
        let position = current.position
        guard try propertyName() == variable else {
            throw Self.error("the lambda must compare its variable '\(variable)'.", position)
        }
        let op = try comparison()
        let value = try literal()
        try expect(.close, "')'")
        return .any(property: property, op, value)
    }

    mutating func list() throws(ODataError) -> [FilterLiteral] {
        try expect(.open, "'(' after 'in'")
        var values = [try literal()]
        while current.token == .comma {
            advance()
            values.append(try literal())
            guard values.count <= Self.maximumInListLength else {
                throw Self.error("an 'in' list has at most \(Self.maximumInListLength) values.", current.position)
            }
        }
        try expect(.close, "')'")
        return values
    }

    mutating func literal() throws(ODataError) -> FilterLiteral {
        let located = current
        advance()
        switch located.token {
        case .string(let value): return .string(value)
        case .enumMember(let type, let value): return .enumMember(type: type, value: value)
        case .identifier(let word):
            switch word.lowercased() {
            case "true": return .boolean(true)
            case "false": return .boolean(false)
            case "null": return .null
            default: throw Self.error("expected a literal, found '\(word)'.", located.position)
            }
        case .word(let text):
            if let value = Self.classify(text) { return value }
            throw Self.error("'\(text)' is not a number, date, date-time or GUID.", located.position)
        default:
            throw Self.error("expected a literal, found \(Self.describe(located.token)).", located.position)
        }
    }

    /// A bare literal: GUID, date (midnight UTC), date-time with offset, integer or decimal.
    static func classify(_ text: String) -> FilterLiteral? {
        if text.count == 36, let uuid = ObjectID(text) { return .guid(uuid.description) }
        if text.count == 10, let day = Timestamp(iso8601: text + "T00:00:00Z") { return .dateTime(day) }
        // Defender's own example: `lastSeen gt 2018-08-01Z`.
        if text.count == 11, text.last == "Z" || text.last == "z",
            let day = Timestamp(iso8601: text.dropLast() + "T00:00:00Z")
        {
            return .dateTime(day)
        }
        if text.contains("T") || text.contains("t"), let time = Timestamp(iso8601: text) { return .dateTime(time) }
        if let integer = Int64(text) { return .integer(integer) }
        if text.contains(where: { $0.isNumber }), !text.contains(where: { $0.isLetter && $0 != "e" && $0 != "E" }),
            let value = Double(text), value.isFinite
        {
            return .decimal(value)
        }
        return nil
    }
}
