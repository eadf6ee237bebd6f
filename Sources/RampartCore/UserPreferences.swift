import Foundation

/// A person's own settings: the language of the portal and of the emails sent to them, and the time zone the portal
/// shows times in. Unset, the portal follows the browser's `Accept-Language` and shows UTC, and emails follow the
/// notification rule's language.
public struct UserPreferences: Sendable, Equatable, Codable {
    /// The languages Rampart ships in.
    public static let languages = ["en", "ru"]

    public var language: String?
    /// An IANA time zone identifier (`Europe/Moscow`).
    public var timeZone: String?

    public init(language: String? = nil, timeZone: String? = nil) {
        self.language = language
        self.timeZone = timeZone
    }

    /// The settings as given, empty values as unset; an unknown language or time zone is refused.
    public static func checked(language: String?, timeZone: String?) throws(RampartError) -> UserPreferences {
        let language = language.flatMap { $0.isEmpty ? nil : $0 }
        let timeZone = timeZone.flatMap { $0.isEmpty ? nil : $0 }
        if let language, !languages.contains(language) {
            throw .invalidInput(
                code: "InvalidInput", message: "language must be one of \(languages.joined(separator: ", ")).")
        }
        if let timeZone, TimeZone(identifier: timeZone) == nil || timeZone.count > 64 {
            throw .invalidInput(code: "InvalidInput", message: "timeZone must be an IANA time zone such as Europe/Moscow.")
        }
        return UserPreferences(language: language, timeZone: timeZone)
    }
}
