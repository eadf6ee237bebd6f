import Foundation

/// An OData query problem, with the 1-based position in the option's text where it was found.
public struct ODataError: Error, Sendable, Equatable {
    public let option: String
    public let message: String
    public let position: Int?

    public init(option: String, message: String, position: Int? = nil) {
        self.option = option
        self.message = message
        self.position = position
    }

    public var description: String {
        let place = position.map { " at position \($0)" } ?? ""
        return "Invalid OData query option \(option)\(place): \(message)"
    }
}

/// The system query options of a collection request, parsed and checked before anything reaches the database;
/// `CollectionQuery` then binds them to a resource's properties.
public struct ODataOptions: Sendable, Equatable {
    public var top: Int
    public var skip: Int
    public var expand: Set<String>
    public var filter: FilterExpression?
    /// Property names as written, with direction.
    public var orderBy: [OrderKey]
    public var select: [String]?
    /// `$count=true`: the total of matching rows goes with the page.
    public var count: Bool
    /// The opaque continuation of `@odata.nextLink`.
    public var skipToken: String?

    public struct OrderKey: Sendable, Equatable {
        public let name: String
        public let descending: Bool
    }

    public init(
        top: Int, skip: Int = 0, expand: Set<String> = [], filter: FilterExpression? = nil, orderBy: [OrderKey] = [],
        select: [String]? = nil, count: Bool = false, skipToken: String? = nil
    ) {
        self.top = top
        self.skip = skip
        self.expand = expand
        self.filter = filter
        self.orderBy = orderBy
        self.select = select
        self.count = count
        self.skipToken = skipToken
    }

    public static let supported: Set<String> = [
        "$top", "$skip", "$expand", "$filter", "$orderby", "$select", "$count", "$skiptoken",
    ]

    /// Parses query items (name, value), in request order.
    public static func parse(
        _ items: [(name: String, value: String)], defaultTop: Int, maximumTop: Int, expandable: Set<String>
    ) throws(ODataError) -> ODataOptions {
        var options = ODataOptions(top: defaultTop)
        var seen: Set<String> = []
        for (rawName, value) in items {
            let name = rawName.lowercased()
            guard name.hasPrefix("$") else { continue }
            guard seen.insert(name).inserted else {
                throw ODataError(option: rawName, message: "the option may be given only once.")
            }
            switch name {
            case "$top":
                options.top = try integer(rawName, value, range: 0...maximumTop)
            case "$skip":
                options.skip = try integer(rawName, value, range: 0...Int(Int32.max))
            case "$expand":
                for (offset, part) in value.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
                    let property = part.trimmingCharacters(in: .whitespaces)
                    guard let match = expandable.first(where: { $0.lowercased() == property.lowercased() }) else {
                        throw ODataError(
                            option: rawName,
                            message:
                                "'\(property)' cannot be expanded; expandable: \(expandable.sorted().joined(separator: ", ")).",
                            position: offset == 0 ? 1 : nil)
                    }
                    options.expand.insert(match)
                }
            case "$filter":
                options.filter = try FilterParser.parse(value)
            case "$orderby":
                options.orderBy = try orderKeys(rawName, value)
            case "$select":
                options.select = try names(rawName, value)
            case "$count":
                switch value.lowercased() {
                case "true": options.count = true
                case "false": options.count = false
                default: throw ODataError(option: rawName, message: "the value must be true or false.", position: 1)
                }
            case "$skiptoken":
                options.skipToken = value
            default:
                throw ODataError(
                    option: rawName,
                    message:
                        "the option is not supported on this resource; supported: \(supported.sorted().joined(separator: ", ")).")
            }
        }
        return options
    }

    static func integer(_ name: String, _ text: String, range: ClosedRange<Int>) throws(ODataError) -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw ODataError(option: name, message: "'\(text)' is not a non-negative integer.", position: 1)
        }
        guard range.contains(value) else {
            throw ODataError(
                option: name, message: "the value must be between \(range.lowerBound) and \(range.upperBound).", position: 1)
        }
        return value
    }

    /// `name [asc|desc], …` with the position of each part for errors.
    static func orderKeys(_ option: String, _ text: String) throws(ODataError) -> [OrderKey] {
        var keys: [OrderKey] = []
        var position = 1
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let words = part.split(separator: " ", omittingEmptySubsequences: true)
            guard (1...2).contains(words.count), isName(words[0]) else {
                throw ODataError(option: option, message: "expected 'property [asc|desc]'.", position: position)
            }
            var descending = false
            if words.count == 2 {
                switch words[1].lowercased() {
                case "asc": descending = false
                case "desc": descending = true
                default:
                    throw ODataError(option: option, message: "expected asc or desc after \(words[0]).", position: position)
                }
            }
            keys.append(OrderKey(name: String(words[0]), descending: descending))
            position += part.count + 1
        }
        guard keys.count <= 8 else { throw ODataError(option: option, message: "at most 8 sort keys.") }
        return keys
    }

    static func names(_ option: String, _ text: String) throws(ODataError) -> [String] {
        var result: [String] = []
        var position = 1
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard isName(Substring(name)) else {
                throw ODataError(option: option, message: "expected a property name.", position: position)
            }
            result.append(name)
            position += part.count + 1
        }
        return result
    }

    static func isName(_ text: Substring) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
