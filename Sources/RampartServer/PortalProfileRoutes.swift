import Foundation
import HTTPTypes
import Hummingbird
import RampartCore
import RampartStore

/// The signed-in person's own settings: the language of the portal and of their emails, and the time zone the
/// portal shows times in. Always on the home account, whichever tenant is being worked in.
struct PortalProfileRoutes: PortalFeature {
    let portal: PortalRoutes

    func register(on router: Router<AppRequestContext>) {
        router.get("/profile") { request, _ in
            try await page(request, error: nil, saved: request.uri.queryParameters.get("saved") != nil)
        }
        router.post("/profile") { request, _ in try await save(request) }
    }

    func page(_ request: Request, error: String?, saved: Bool, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let session = try await portal.session(request, inHomeTenant: true) else {
            return PortalResponse.redirect("/signin")
        }
        let language = session.language
        let chosen = session.user.preferences
        let languages: [[String: Any]] =
            [["code": "", "name": renderer.text("profile_language_browser", language), "selected": chosen.language == nil]]
            + UserPreferences.languages.map { code in
                ["code": code, "name": renderer.text("language_name", code), "selected": chosen.language == code]
            }
        let zone = chosen.timeZone ?? "UTC"
        let zones = (["UTC"] + TimeZone.knownTimeZoneIdentifiers.filter { $0 != "UTC" }.sorted()).map { id -> [String: Any] in
            ["id": id, "selected": id == zone]
        }
        let context = session.layout([
            "csrf": session.csrf, "error": error ?? false, "saved": saved, "languageChoices": languages, "zones": zones,
            "now": session.time(services.clock.now()), "zone": zone,
        ])
        return PortalResponse.html(
            renderer.render("profile", context, language: language, back: "/profile"), status: status)
    }

    func save(_ request: Request) async throws -> Response {
        guard let session = try await portal.session(request, inHomeTenant: true) else {
            return PortalResponse.redirect("/signin")
        }
        let form = try await portal.checkedForm(request, session)
        let preferences: UserPreferences
        do {
            preferences = try UserPreferences.checked(language: form["language"], timeZone: form["timeZone"])
        } catch {
            return try await page(
                request, error: renderer.text("profile_invalid", session.language), saved: false, status: .badRequest)
        }
        try await services.directory.setPreferences(userID: session.user.id, preferences)
        return PortalResponse.redirect("/profile?saved=1")
    }
}
