import RampartCore

/// The SIEM API's query parameters (Defender §4.3), checked: a time range on `LastProcessedTimeUtc`, a limit, device
/// groups and device tags. Without parameters the range is the last two hours, as Defender's.
public struct SIEMQuery: Sendable, Equatable {
    public var since: Timestamp
    public var until: Timestamp
    /// The most recent `limit` detections of the range; nil means all of them (up to `maximumLimit`).
    public var limit: Int?
    public var machineGroups: [String]
    /// Tags the sensors set (`DeviceCreatedMachineTags`) and tags assigned in the portal (`CloudCreatedMachineTags`).
    public var deviceTags: [String]
    public var cloudTags: [String] = []

    /// A call never returns more than this many detections; a larger range is read with `sinceTimeUtc` steps.
    public static let maximumLimit = 100_000
    public static let defaultWindowSeconds: Int64 = 2 * 3600

    /// `items` are the query's name–value pairs in order (repeated names kept). Names are matched without regard to
    /// case, as the connectors that call this API do not agree on it.
    public static func parse(_ items: [(String, String)], now: Timestamp) throws(RampartError) -> SIEMQuery {
        var since: Timestamp?
        var until: Timestamp?
        var ago: Int64?
        var limit: Int?
        var groups: [String] = []
        var tags: [String] = []
        var cloudTags: [String] = []
        for (name, value) in items {
            switch name.lowercased() {
            case "sincetimeutc": since = try time(value, name)
            case "untiltimeutc": until = try time(value, name)
            case "ago":
                guard let seconds = ISODuration.seconds(value) else {
                    throw invalid("ago must be an ISO 8601 duration such as PT10M, PT2H or P1D, not '\(value)'.")
                }
                ago = seconds
            case "limit":
                guard let number = Int(value), number > 0 else { throw invalid("limit must be a positive integer.") }
                limit = min(number, maximumLimit)
            case "machinegroups": groups.append(value)
            case "devicecreatedmachinetags": tags.append(value)
            case "cloudcreatedmachinetags": cloudTags.append(value)
            default: continue
            }
        }
        if ago != nil && (since != nil || until != nil) {
            throw invalid("ago cannot be combined with sinceTimeUtc or untilTimeUtc.")
        }
        let end = until ?? now
        let start = ago.map { now.adding(seconds: -$0) } ?? since ?? end.adding(seconds: -defaultWindowSeconds)
        guard start <= end else { throw invalid("sinceTimeUtc must not be after untilTimeUtc.") }
        var query = SIEMQuery(since: start, until: end, limit: limit, machineGroups: groups, deviceTags: tags)
        query.cloudTags = cloudTags
        return query
    }

    /// ISO 8601 with or without a zone (`2016-09-12T00:00:00.000` is UTC, as in Defender's examples).
    static func time(_ text: String, _ name: String) throws(RampartError) -> Timestamp {
        if let parsed = Timestamp(iso8601: text) ?? Timestamp(iso8601: text + "Z") { return parsed }
        throw invalid("\(name) must be an ISO 8601 date and time such as 2016-09-12T00:00:00.000, not '\(text)'.")
    }

    static func invalid(_ message: String) -> RampartError { .invalidInput(code: "InvalidInput", message: message) }
}

/// ISO 8601 durations in days and time: `P1D`, `PT10M`, `P1DT2H30M`, `PT0.5S`, `P2W`. Years and months have no
/// fixed length and are refused.
public enum ISODuration {
    /// Whole seconds (fractions rounded down), or nil when the text is not such a duration.
    public static func seconds(_ text: String) -> Int64? {
        var characters = Array(text.uppercased())
        guard characters.first == "P", characters.count > 1 else { return nil }
        characters.removeFirst()
        var total: Double = 0
        var inTime = false
        var number = ""
        var sawUnit = false
        var lastRank = -1
        for character in characters {
            if character.isASCII, character.isNumber || character == "." || character == "," {
                number.append(character == "," ? "." : character)
                continue
            }
            if character == "T" {
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
                continue
            }
            guard let value = Double(number), value >= 0, value.isFinite else { return nil }
            let (rank, seconds): (Int, Double)
            switch (inTime, character) {
            case (false, "W"): (rank, seconds) = (0, 604_800)
            case (false, "D"): (rank, seconds) = (1, 86_400)
            case (true, "H"): (rank, seconds) = (2, 3600)
            case (true, "M"): (rank, seconds) = (3, 60)
            case (true, "S"): (rank, seconds) = (4, 1)
            default: return nil
            }
            guard rank > lastRank else { return nil }
            lastRank = rank
            total += value * seconds
            number = ""
            sawUnit = true
        }
        guard sawUnit, number.isEmpty, total < 1e12 else { return nil }
        if inTime && lastRank < 2 { return nil }
        return Int64(total)
    }
}
