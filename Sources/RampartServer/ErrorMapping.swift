import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RampartCore
import RampartFormats
import RampartIdentity
import RampartStore

/// The one place where errors become responses: Defender error bodies on the APIs, RFC 6749 bodies on the token
/// endpoints, an HTML page in the portal. Unexpected errors are logged and answered without detail.
struct ErrorMappingMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let renderer: PortalRenderer
    var routes = RouteTable()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            // The request id travels with the task, so audit entries written deeper down can name it.
            return try await RequestTrace.$requestID.withValue(context.requestID) {
                try await next(request, context)
            }
        } catch let error as OAuthError {
            return Self.oauth(error)
        } catch let error as RampartError {
            return response(for: error, request: request, context: context)
        } catch let error as HTTPError {
            switch error.status {
            case .contentTooLarge:
                return response(for: .payloadTooLarge(limit: 0), request: request, context: context)
            case .notFound:
                let allowed = routes.methods(for: request.uri.path)
                if !allowed.isEmpty, !allowed.contains(request.method), Self.surface(of: request) == .api {
                    var response = Self.defenderError(
                        status: .methodNotAllowed, code: "BadRequest",
                        message: "Method \(request.method.rawValue) is not allowed here.", context: context)
                    response.headers[.allow] = allowed.map(\.rawValue).sorted().joined(separator: ", ")
                    return response
                }
                return response(for: .notFound("Resource not found."), request: request, context: context)
            case .methodNotAllowed:
                return Self.defenderError(
                    status: .methodNotAllowed, code: "BadRequest", message: "Method not allowed.", context: context)
            default:
                return response(
                    for: .invalidInput(code: "BadRequest", message: error.body ?? "Bad request."), request: request,
                    context: context)
            }
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            if Self.surface(of: request) == .portal {
                return PortalErrorPage.response(status: .internalServerError, renderer: renderer, request: request)
            }
            return Self.defenderError(
                status: .internalServerError, code: "InternalServerError", message: "Internal error; retry the operation.",
                context: context)
        }
    }

    enum Surface {
        case api
        case portal
    }

    static func surface(of request: Request) -> Surface {
        let path = request.uri.path
        for prefix in ["/api/", "/ingest/", "/manage/", "/v1.0/", "/siem/"] where path.hasPrefix(prefix) { return .api }
        return path == "/api" ? .api : .portal
    }

    func response(for error: RampartError, request: Request, context: Context) -> Response {
        let (status, code, message) = Self.describe(error)
        if Self.surface(of: request) == .portal {
            return PortalErrorPage.response(status: status, renderer: renderer, request: request)
        }
        var response =
            request.uri.path.hasPrefix("/v1.0/")
            ? Self.graphError(status: status, code: code, message: message, context: context)
            : Self.defenderError(status: status, code: code, message: message, context: context)
        if case .tooManyRequests(let seconds) = error {
            response.headers[.retryAfter] = String(seconds)
        }
        if case .unauthorized = error {
            response.headers[.wwwAuthenticate] = "Bearer"
        }
        return response
    }

    static func describe(_ error: RampartError) -> (HTTPResponse.Status, String, String) {
        switch error {
        case .unauthorized(let message): (.unauthorized, "Unauthorized", message)
        case .forbidden(let message): (.forbidden, "Forbidden", message)
        case .notFound(let message): (.notFound, "NotFound", message)
        case .invalidInput(let code, let message): (.badRequest, code, message)
        case .conflict(let message): (.conflict, "Conflict", message)
        case .tooManyRequests(let seconds):
            (.tooManyRequests, "TooManyRequests", "Too many requests; retry after \(seconds) seconds.")
        case .payloadTooLarge(let limit):
            (
                .contentTooLarge, "PayloadTooLarge",
                limit > 0 ? "The body exceeds the limit of \(limit) bytes." : "The body is too large."
            )
        }
    }

    /// Defender's error body; `target` carries the request id for tracking, as Defender's does.
    static func defenderError(status: HTTPResponse.Status, code: String, message: String, context: Context) -> Response {
        let body = JSONValue.object([
            (
                "error",
                .object([
                    ("code", .string(code)), ("message", .string(message)),
                    ("target", .string(context.requestID)),
                ])
            )
        ])
        return JSONResponse.make(body, status: status)
    }

    /// Graph's error body: the request id goes in `innerError`, where Graph clients look for it.
    static func graphError(status: HTTPResponse.Status, code: String, message: String, context: Context) -> Response {
        let body = JSONValue.object([
            (
                "error",
                .object([
                    ("code", .string(code)), ("message", .string(message)),
                    (
                        "innerError",
                        .object([
                            ("date", .string(Timestamp.now().description)), ("request-id", .string(context.requestID)),
                            ("client-request-id", .string(context.requestID)),
                        ])
                    ),
                ])
            )
        ])
        return JSONResponse.make(body, status: status)
    }

    static func oauth(_ error: OAuthError) -> Response {
        let body = JSONValue.object([
            ("error", .string(error.code.rawValue)),
            ("error_description", .string(error.description)),
            ("error_codes", .array([])),
            ("timestamp", .string(Timestamp.now().description)),
        ])
        var response = JSONResponse.make(body, status: HTTPResponse.Status(code: error.status))
        response.headers[.cacheControl] = "no-store"
        if error.code == .invalidClient { response.headers[.wwwAuthenticate] = "Basic realm=\"rampart\"" }
        return response
    }
}

enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        bytes(value.serializedBytes(), status: status)
    }

    /// JSON text already written as UTF-8.
    static func bytes(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok, contentType: String = "application/json; charset=utf-8")
        -> Response
    {
        Response(
            status: status, headers: [.contentType: contentType],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func encodable(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return text(String(decoding: try encoder.encode(value), as: UTF8.self), status: status)
    }
}

extension RequestContext {
    /// The id Hummingbird gave this request, also in every log line of it.
    var requestID: String { logger[metadataKey: "hb.request.id"].map { "\($0)" } ?? "" }
}
