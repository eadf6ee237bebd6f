import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartStore

/// `application/x-www-form-urlencoded` bodies and HTTP Basic credentials.
enum FormBody {
    static func parse(_ text: String) -> [String: String] {
        // The first occurrence wins: a repeated parameter must not override what was checked.
        Dictionary(pairs(text), uniquingKeysWith: { first, _ in first })
    }

    /// Every field in order, repeats included (checkbox lists post one field per ticked box).
    static func pairs(_ text: String) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), !name.isEmpty else { return nil }
            return (name, parts.count > 1 ? decode(parts[1]) ?? "" : "")
        }
    }

    static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    static func collect(_ request: Request, limit: Int = 64 * 1024) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: limit)
        return parse(String(buffer: buffer))
    }

    static func collectPairs(_ request: Request, limit: Int = 64 * 1024) async throws -> [(String, String)] {
        pairs(String(buffer: try await request.body.collect(upTo: limit)))
    }

    /// Client id and secret from `Authorization: Basic`, each form-url-decoded as RFC 6749 §2.3.1 requires.
    static func basicCredentials(_ header: String?) -> (String, String)? {
        guard let header, header.count > 6, header.prefix(6).lowercased() == "basic " else { return nil }
        guard let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        guard let id = decode(text[..<colon]), let secret = decode(text[text.index(after: colon)...]) else { return nil }
        return (id, secret)
    }
}

/// Query strings decoded as browsers and HTTP libraries encode them: `+` is a space (Defender's own examples write
/// `$filter=lastUpdateTime+ge+2019-11-22T00:00:00Z`) and a literal plus arrives as `%2B`.
enum QueryString {
    static func items(_ request: Request) -> [(name: String, value: String)] {
        guard let raw = request.uri.query, !raw.isEmpty else { return [] }
        return FormBody.pairs(raw).map { (name: $0.0, value: $0.1) }
    }
}
