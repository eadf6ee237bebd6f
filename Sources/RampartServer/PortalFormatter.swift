import Foundation
import RampartCore

/// Times and numbers as the reader's language writes them, in the reader's time zone; every time also carries its
/// UTC value (shown on hover) and its ISO 8601 form (the `datetime` attribute).
struct PortalFormatter: Sendable {
    let language: String
    let timeZone: TimeZone
    let locale: Locale
    private let local: Date.FormatStyle

    init(language: String, timeZone identifier: String?) {
        self.language = language
        timeZone = identifier.flatMap(TimeZone.init(identifier:)) ?? Self.utc
        locale = Locale(identifier: Self.locales[language] ?? "en_US")
        // Two-digit fields throughout: times line up in a table's column, and analysts write midnight as 00:30.
        local = Date.FormatStyle(locale: locale, calendar: Calendar(identifier: .gregorian), timeZone: timeZone)
            .day(.twoDigits).month(.twoDigits).year(.defaultDigits)
            .hour(.twoDigits(amPM: .abbreviated)).minute(.twoDigits).second(.twoDigits)
    }

    static let utc = TimeZone(identifier: "UTC")!
    /// The region whose conventions each language's dates and numbers follow.
    static let locales = ["en": "en_US", "ru": "ru_RU"]

    /// For the `time` partial: `local` in the reader's zone, `utc`, and `iso`.
    func time(_ time: Timestamp) -> [String: String] {
        ["local": time.date.formatted(local), "utc": Self.utcText(time), "iso": time.description]
    }

    /// A time that may be missing: `false` then, so that a template's inverted section shows what stands for it.
    func time(_ time: Timestamp?) -> Any { time.map { self.time($0) } ?? false }

    func number(_ value: Int) -> String { value.formatted(.number.locale(locale)) }
    func number(_ value: Int64) -> String { number(Int(value)) }

    /// `2026-11-29 10:05:00 UTC`: the same in every language, as analysts compare times across tools in UTC.
    static func utcText(_ time: Timestamp) -> String {
        String(time.description.prefix(19)).replacingOccurrences(of: "T", with: " ") + " UTC"
    }
}
