/// Tags analysts assign to a device (Defender's cloud-created tags): checked before they are stored.
public enum DeviceTags {
    public static let maximumCount = 50
    public static let maximumLength = 200

    /// Trimmed, each once, in the order given; empty entries dropped.
    public static func checked(_ tags: [String]) throws(RampartError) -> [String] {
        var result: [String] = []
        for raw in tags {
            let tag = raw.trimmingWhitespace()
            guard !tag.isEmpty else { continue }
            guard tag.count <= maximumLength, !tag.contains(","),
                !tag.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                throw .invalidInput(
                    code: "InvalidInput",
                    message: "Invalid tag: at most \(maximumLength) characters, without commas or control characters.")
            }
            if !result.contains(tag) { result.append(tag) }
        }
        guard result.count <= maximumCount else {
            throw .invalidInput(code: "InvalidInput", message: "A device takes at most \(maximumCount) tags.")
        }
        return result
    }
}
