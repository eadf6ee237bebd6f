import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartStore

enum PortalCookies {
    static let session = "rampart_session"
    /// The sign-in form's CSRF token, before there is a session (double-submit cookie).
    static let signinCSRF = "rampart_signin_csrf"
    static let language = "rampart_lang"
    /// The tenant chosen last with `?tid=`, so that links without it stay in that tenant.
    static let tenant = "rampart_tenant"

    static func value(named name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return String(parts[1]).trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }

    /// A cookie that scripts cannot read and other sites cannot send.
    static func make(_ name: String, _ value: String, secure: Bool, maxAge: Int?) -> String {
        var cookie = "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict"
        if secure { cookie += "; Secure" }
        if let maxAge { cookie += "; Max-Age=\(maxAge)" }
        return cookie
    }
}

enum PortalResponse {
    static func html(_ html: String, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }
}

/// Headers that keep the portal's pages from being framed, sniffed or made to load foreign code.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "same-origin"
        if response.headers[.contentType]?.hasPrefix("text/html") == true {
            response.headers[.contentSecurityPolicy] =
                "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
            response.headers[.xFrameOptions] = "DENY"
        }
        return response
    }
}

extension HTTPField.Name {
    static let pragma = Self("Pragma")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
}

/// A group of portal pages: it reaches the services, the catalogs and the shared session handling through `portal`.
protocol PortalFeature {
    var portal: PortalRoutes { get }
    init(portal: PortalRoutes)
}

extension PortalFeature {
    init(services: Services) { self.init(portal: PortalRoutes(services: services)) }
    var services: Services { portal.services }
    var renderer: PortalRenderer { services.portal }
}
