import JWTKit
import RampartCore

/// The claims of a Rampart access token, named as Entra names them.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var iss: String
    public var aud: String
    public var tid: String
    public var sub: String
    /// The client (app) id; `azp` says the same in v2 tokens.
    public var appid: String
    public var azp: String
    /// Application permissions (app-only tokens).
    public var roles: [String]?
    /// Delegated scopes (user tokens).
    public var scp: String?
    /// The user's object id and name (user tokens).
    public var oid: String?
    public var upn: String?
    public var iat: Int64
    public var nbf: Int64
    public var exp: Int64
    public var jti: String
    public var ver: String

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        let now = Timestamp.now().unixSeconds
        // A minute of leeway for clocks that differ a little.
        guard exp + 60 > now else { throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "expired") }
        guard nbf - 60 <= now else { throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "not yet valid") }
    }

    public var isUserToken: Bool { oid != nil && scp != nil }
}
