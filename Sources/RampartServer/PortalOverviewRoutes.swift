import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartIdentity
import RampartStore

/// The overview: for each tenant the user works in, open alerts by severity, the oldest unassigned alert and the
/// last 30 days of new alerts as a chart drawn on the server (SVG, no script).
struct PortalOverviewRoutes: PortalFeature {
    let portal: PortalRoutes

    func register(on router: Router<AppRequestContext>) {
        router.get("/overview") { request, _ in try await overview(request) }
    }

    func overview(_ request: Request) async throws -> Response {
        guard let session = try await portal.session(request, inHomeTenant: true) else {
            return PortalResponse.redirect("/signin")
        }
        let language = session.language
        let now = Timestamp.now()
        var cards: [[String: Any]] = []
        for (tenant, scope) in try await services.delegatedScopes.scopes(forHome: session.user)
        where scope.allows(.readAlerts) {
            let figures = try await services.alerts.overview(scope, now: now)
            let severities: [[String: Any]] = [AlertSeverity.high, .medium, .low, .informational].map { severity in
                [
                    "name": severity.rawValue, "class": severity.rawValue.lowercased(),
                    "count": session.format.number(figures.openBySeverity[severity, default: 0]),
                ]
            }
            cards.append([
                "tenant": tenant.name, "tenantID": tenant.id.description, "open": session.format.number(figures.openTotal),
                "severities": severities,
                "oldest": figures.oldestUnassigned.map { oldest -> [String: Any] in
                    [
                        "id": oldest.id, "title": oldest.title, "created": session.time(oldest.created),
                    ]
                } ?? false,
                "chart": Self.chart(
                    figures.newPerDay, label: renderer.text("overview_chart_label", language, figures.newPerDay.reduce(0, +))),
                "total30": figures.newPerDay.reduce(0, +),
            ])
        }
        let context = session.layout(["cards": cards, "hasCards": !cards.isEmpty])
        return PortalResponse.html(renderer.render("overview", context, language: language, back: "/overview"))
    }

    /// One bar per day, scaled to the busiest day; drawn from numbers only, so it needs no escaping.
    static func chart(_ counts: [Int], label: String) -> String {
        let width = 300
        let height = 60
        let barWidth = Double(width) / Double(max(counts.count, 1))
        let peak = max(counts.max() ?? 0, 1)
        var bars = ""
        for (index, count) in counts.enumerated() {
            let barHeight = Double(count) / Double(peak) * Double(height - 2)
            let x = Double(index) * barWidth
            bars += String(
                format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%d</title></rect>", x + 1,
                Double(height) - barHeight, barWidth - 2, barHeight, count)
        }
        var escaped = ""
        for character in label {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return "<svg class=\"trend\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escaped)\">\(bars)</svg>"
    }
}
