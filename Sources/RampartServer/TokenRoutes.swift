import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartFormats
import RampartIdentity
import RampartStore

/// The Entra-compatible token service: token endpoints, OpenID discovery and the JWKS.
struct TokenRoutes {
    let services: Services

    func register(on router: Router<AppRequestContext>) {
        router.post("/:tenant/oauth2/v2.0/token") { request, context in
            try await token(request, context, endpoint: .v2)
        }
        router.post("/:tenant/oauth2/token") { request, context in
            try await token(request, context, endpoint: .v1)
        }
        router.get("/:tenant/v2.0/.well-known/openid-configuration") { _, context in
            try await discovery(context, version: .v2)
        }
        router.get("/:tenant/.well-known/openid-configuration") { _, context in
            try await discovery(context, version: .v1)
        }
        router.get("/:tenant/discovery/v2.0/keys") { _, context in try await jwks(context) }
        router.get("/:tenant/discovery/keys") { _, context in try await jwks(context) }
        router.get("/:tenant/oauth2/v2.0/authorize") { request, context in try await authorize(request, context) }
        router.get("/:tenant/oauth2/authorize") { request, context in try await authorize(request, context) }
    }

    func token(_ request: Request, _ context: AppRequestContext, endpoint: TokenRequest.Endpoint) async throws -> Response {
        let tenant = try context.parameters.require("tenant")
        guard let contentType = request.headers[.contentType]?.lowercased(),
            contentType.hasPrefix("application/x-www-form-urlencoded")
        else {
            throw OAuthError(.invalidRequest, "The body must be application/x-www-form-urlencoded.")
        }
        let form: [String: String]
        do {
            form = try await FormBody.collect(request)
        } catch {
            throw OAuthError(.invalidRequest, "The request body is too large.")
        }
        let basic = FormBody.basicCredentials(request.headers[.authorization])
        if request.headers[.authorization]?.lowercased().hasPrefix("basic ") == true, basic == nil {
            throw OAuthError(.invalidClient, "The Basic authorization header is malformed.")
        }
        let response = try await services.tokens.issue(
            TokenRequest(
                tenantReference: tenant, endpoint: endpoint, form: form, basicCredentials: basic,
                remoteAddress: context.remoteAddress))
        var http = try JSONResponse.encodable(response)
        http.headers[.cacheControl] = "no-store"
        http.headers[.pragma] = "no-cache"
        return http
    }

    /// The interactive sign-in: the portal's sign-in page when nobody is signed in, then a code for the client.
    func authorize(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let tenant = try context.parameters.require("tenant")
        let parameters = Dictionary(
            request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
        let portal = PortalRoutes(services: services)
        guard let session = try await portal.session(request, inHomeTenant: true) else {
            var components = URLComponents()
            components.queryItems = [URLQueryItem(name: "next", value: request.uri.description)]
            return PortalResponse.redirect("/signin?" + (components.percentEncodedQuery ?? ""))
        }
        do {
            let target = try await services.tokens.authorize(
                AuthorizeRequest(tenantReference: tenant, parameters: parameters), home: session.user)
            return PortalResponse.redirect(target)
        } catch .redirect(let target) {
            return PortalResponse.redirect(target)
        } catch .page(let message) {
            context.logger.notice("authorize refused", metadata: ["reason": "\(message)"])
            throw RampartError.invalidInput(code: "BadRequest", message: message)
        }
    }

    enum DiscoveryVersion { case v1, v2 }

    func discovery(_ context: AppRequestContext, version: DiscoveryVersion) async throws -> Response {
        let reference = try context.parameters.require("tenant")
        guard let tenant = try await services.directory.tenant(named: reference) else {
            throw OAuthError(.invalidRequest, "Tenant '\(reference)' not found.")
        }
        let base = services.configuration.resolvedPublicURL + "/" + tenant.id.description
        let v2 = version == .v2
        let body = JSONValue.object([
            ("token_endpoint", .string(base + (v2 ? "/oauth2/v2.0/token" : "/oauth2/token"))),
            (
                "token_endpoint_auth_methods_supported",
                .array(["client_secret_post", "client_secret_basic"].map(JSONValue.string))
            ),
            ("jwks_uri", .string(base + (v2 ? "/discovery/v2.0/keys" : "/discovery/keys"))),
            ("response_modes_supported", .array(["query", "form_post"].map(JSONValue.string))),
            ("subject_types_supported", .array([.string("pairwise")])),
            ("id_token_signing_alg_values_supported", .array([.string("ES256")])),
            ("response_types_supported", .array([.string("code")])),
            ("scopes_supported", .array(["openid", "profile", "email", "offline_access"].map(JSONValue.string))),
            ("issuer", .string(services.tokens.issuer(for: tenant.id))),
            ("authorization_endpoint", .string(base + (v2 ? "/oauth2/v2.0/authorize" : "/oauth2/authorize"))),
            (
                "grant_types_supported",
                .array(["authorization_code", "refresh_token", "client_credentials", "password"].map(JSONValue.string))
            ),
            ("code_challenge_methods_supported", .array([.string("S256")])),
            ("request_uri_parameter_supported", .bool(false)),
            ("tenant_region_scope", .null),
            ("cloud_instance_name", .string("rampart")),
        ])
        return JSONResponse.make(body)
    }

    func jwks(_ context: AppRequestContext) async throws -> Response {
        let reference = try context.parameters.require("tenant")
        guard try await services.directory.tenant(named: reference) != nil else {
            throw OAuthError(.invalidRequest, "Tenant '\(reference)' not found.")
        }
        let document = try await services.keys.jwks()
        return try JSONResponse.encodable(document)
    }
}
