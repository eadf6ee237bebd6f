import HTTPTypes
import Hummingbird
import Logging
import RampartStore

/// Errors in the portal as a page in the reader's language.
enum PortalErrorPage {
    static func response(status: HTTPResponse.Status, renderer: PortalRenderer, request: Request) -> Response {
        let language = PortalRenderer.language(
            cookie: PortalCookies.value(named: PortalCookies.language, in: request),
            acceptLanguage: request.headers[.acceptLanguage])
        let (heading, message): (String, String) =
            switch status {
            case .notFound: ("error_not_found", "error_not_found_message")
            case .forbidden: ("error_forbidden", "error_forbidden_message")
            case .contentTooLarge: ("error_title", "error_too_large_message")
            case .tooManyRequests: ("error_title", "error_too_many_message")
            case .badRequest: ("error_title", "error_bad_request_message")
            default: ("error_title", "error_generic_message")
            }
        let html = renderer.render(
            "error", ["heading": renderer.text(heading, language), "message": renderer.text(message, language)],
            language: language, back: "/alerts")
        return PortalResponse.html(html, status: status)
    }
}
