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

/// The system query options of a collection request, checked before anything reaches the database.
public struct ODataOptions: Sendable, Equatable {
    public var top: Int
    public var skip: Int
    public var expand: Set<String>

    /// Options this version understands; others are refused by name rather than silently ignored.
    public init(top: Int, skip: Int, expand: Set<String>) {
        self.top = top
        self.skip = skip
        self.expand = expand
    }

    public static let supported: Set<String> = ["$top", "$skip", "$expand"]

    /// Parses query items (name, value), in request order.
    public static func parse(
        _ items: [(name: String, value: String)], defaultTop: Int, maximumTop: Int, expandable: Set<String>
    ) throws(ODataError) -> ODataOptions {
        var options = ODataOptions(top: defaultTop, skip: 0, expand: [])
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
}
