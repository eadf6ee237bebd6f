import HTTPTypes
import Synchronization

/// The registered routes, to answer 405 with `Allow` (rather than 404) for a known path with another method.
final class RouteTable: Sendable {
    private let routes = Mutex<[(method: HTTPRequest.Method, segments: [String])]>([])

    func set(_ entries: [(method: HTTPRequest.Method, path: String)]) {
        routes.withLock { $0 = entries.map { ($0.method, Self.segments($0.path)) } }
    }

    /// The methods registered for a path, matching parameter segments (`:id`, `{id}`) against anything.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let wanted = Self.segments(path)
        return routes.withLock { routes in
            let matching = routes.filter { route in
                route.segments.count == wanted.count
                    && zip(route.segments, wanted).allSatisfy { pattern, segment in
                        pattern == segment || pattern.hasPrefix(":") || pattern.hasPrefix("{") || pattern == "*"
                    }
            }
            // The router prefers a literal segment (`/device-groups/preview`) to a parameter (`/{id}`).
            let literal = matching.filter { $0.segments == wanted }
            return (literal.isEmpty ? matching : literal).map(\.method)
        }
    }

    static func segments(_ path: String) -> [String] { path.split(separator: "/").map(String.init) }
}
