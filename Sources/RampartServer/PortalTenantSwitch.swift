import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartIdentity
import RampartStore

/// The signed-in user asked for a tenant they hold no live assignment in (or one that does not exist: the answer is
/// the same, so that nobody learns which tenants exist).
struct PortalNoAccess: Error {
    let user: User
    let requested: TenantID?
    let csrf: String
}

/// Remembers a tenant chosen with `?tid=`, and answers `PortalNoAccess` with the no-access page.
struct PortalTenantMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let services: Services

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let secure = services.configuration.usesTLS
        do {
            var response = try await next(request, context)
            if response.status == .ok, request.method == .get,
                let tid = request.uri.queryParameters.get("tid"), TenantID(String(tid)) != nil,
                response.headers[.contentType]?.hasPrefix("text/html") == true
            {
                response.headers.append(
                    HTTPField(
                        name: .setCookie,
                        value: PortalCookies.make(PortalCookies.tenant, String(tid), secure: secure, maxAge: nil)))
            }
            return response
        } catch let refusal as PortalNoAccess {
            context.logger.notice(
                "portal tenant refused",
                metadata: ["upn": "\(refusal.user.userPrincipalName)", "requested": "\(refusal.requested?.description ?? "-")"])
            return try await page(refusal, request: request)
        }
    }

    func page(_ refusal: PortalNoAccess, request: Request) async throws -> Response {
        let renderer = services.portal
        let language = PortalRenderer.language(
            cookie: PortalCookies.value(named: PortalCookies.language, in: request),
            acceptLanguage: request.headers[.acceptLanguage])
        // Only packages the user may request anyway: a tenant that offers none looks like no tenant at all.
        let links: [[String: Any]] = try await services.entitlements.requestable(by: refusal.user)
            .filter { $0.0.tenantID == refusal.requested }
            .map { package, _ in ["name": package.name, "path": package.requestPath] }
        // The refusal sends the user back home (the remembered tenant is cleared), so the header shows home.
        let home = try await services.directory.tenant(id: refusal.user.tenantID)
        let session: [String: Any] = [
            "tenantName": home?.name ?? "", "tenantID": refusal.user.tenantID.description, "isGuest": false,
            "userPrincipalName": refusal.user.userPrincipalName, "csrf": refusal.csrf,
        ]
        let html = renderer.render(
            "no-access",
            [
                "links": links, "hasLinks": !links.isEmpty, "homeTenantID": refusal.user.tenantID.description,
                "session": session,
            ], language: language, back: "/alerts?tid=\(refusal.user.tenantID)")
        return PortalResponse.html(
            html, status: .forbidden,
            cookies: [PortalCookies.make(PortalCookies.tenant, "", secure: services.configuration.usesTLS, maxAge: 0)])
    }
}
