import Foundation
import Logging
import Mustache
import RampartCore
import RampartStore

/// The portal's templates and string catalogs; every user-facing text comes from a catalog.
public struct PortalRenderer: Sendable {
    public static let languages = UserPreferences.languages
    let library: MustacheLibrary
    let catalogs: [String: [String: String]]
    let stylesheet: String

    public init() throws {
        let resources = try ResourceFolder.url()
        var library = MustacheLibrary()
        let templates = resources.appendingPathComponent("templates")
        for name in try FileManager.default.contentsOfDirectory(atPath: templates.path) where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: templates.appendingPathComponent(name), encoding: .utf8)
            try library.register(text, named: String(name.dropLast(".mustache".count)))
        }
        self.library = library
        var catalogs: [String: [String: String]] = [:]
        for language in Self.languages {
            let data = try Data(contentsOf: resources.appendingPathComponent("strings/\(language).json"))
            catalogs[language] = try JSONDecoder().decode([String: String].self, from: data)
        }
        self.catalogs = catalogs
        stylesheet = try String(contentsOf: resources.appendingPathComponent("static/portal.css"), encoding: .utf8)
    }

    /// The catalog entry for `key`; the English one when the language lacks it (a test keeps them complete).
    public func text(_ key: String, _ language: String) -> String {
        catalogs[language]?[key] ?? catalogs["en"]?[key] ?? key
    }

    public func text(_ key: String, _ language: String, _ arguments: any CVarArg...) -> String {
        String(format: text(key, language), arguments: arguments)
    }

    /// The entry with each `{name}` replaced by its value; values are inserted as they are (templates escape).
    public func text(_ key: String, _ language: String, replacing values: [String: String]) -> String {
        values.reduce(text(key, language)) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }

    public func catalog(_ language: String) -> [String: String] { catalogs[language] ?? catalogs["en"] ?? [:] }

    /// Renders a page; `context` gets the catalog as `t`, the language and the switcher links.
    public func render(_ template: String, _ context: [String: Any], language: String, back: String) -> String {
        var full = context
        full["t"] = catalog(language)
        full["lang"] = language
        let encodedBack = back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "%2F"
        full["languages"] = Self.languages.map { code -> [String: Any] in
            ["code": code, "name": text("language_name", code), "current": code == language, "back": encodedBack]
        }
        return library.render(full, withTemplate: template) ?? ""
    }

    /// The language to use: the portal cookie, else the first supported `Accept-Language` entry, else English.
    public static func language(cookie: String?, acceptLanguage: String?) -> String {
        if let cookie, languages.contains(cookie) { return cookie }
        guard let acceptLanguage else { return "en" }
        let ranked = acceptLanguage.split(separator: ",").compactMap { entry -> (String, Double)? in
            let parts = entry.split(separator: ";")
            guard let tag = parts.first?.trimmingCharacters(in: .whitespaces).lowercased(), !tag.isEmpty else { return nil }
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix("q="), let value = Double(pair.dropFirst(2)) { quality = value }
            }
            return (String(tag.prefix(while: { $0 != "-" })), quality)
        }
        let best = ranked.enumerated()
            .filter { languages.contains($0.element.0) && $0.element.1 > 0 }
            .max { lhs, rhs in
                lhs.element.1 != rhs.element.1 ? lhs.element.1 < rhs.element.1 : lhs.offset > rhs.offset
            }
        return best?.element.0 ?? "en"
    }
}
