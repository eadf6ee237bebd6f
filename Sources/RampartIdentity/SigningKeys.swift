import Foundation
import JWTKit
import RampartCore
import RampartStore

/// The token-signing keys, kept in the database so that every process and every restart signs alike.
public actor SigningKeys {
    let repository: KeyRepository
    /// How long a retired key stays published: longer than any token it signed lives.
    let retention: Int64
    private var collection = JWTKeyCollection()
    private var activeKid: String?
    private var published: [[String: String]] = []
    private var loadedAt: Timestamp?

    public init(repository: KeyRepository, retentionSeconds: Int64 = 2 * 3600) {
        self.repository = repository
        self.retention = retentionSeconds
    }

    /// Loads the keys, creating the first one when there is none.
    public func load() async throws {
        var stored = try await repository.keys(retiredAfter: Timestamp.now().adding(seconds: -retention))
        if !stored.contains(where: { $0.retiredAt == nil }) {
            _ = try await repository.insertIfNoActiveKey(Self.newKey())
            stored = try await repository.keys(retiredAfter: Timestamp.now().adding(seconds: -retention))
        }
        let collection = JWTKeyCollection()
        var jwks: [[String: String]] = []
        var active: String?
        for key in stored {
            let privateKey = try ES256PrivateKey(pem: key.privateKeyPEM)
            await collection.add(ecdsa: privateKey, kid: JWKIdentifier(string: key.kid))
            if key.retiredAt == nil, active == nil { active = key.kid }
            if let parameters = privateKey.publicKey.parameters {
                jwks.append([
                    "kty": "EC", "use": "sig", "crv": "P-256", "alg": "ES256", "kid": key.kid,
                    "x": parameters.x, "y": parameters.y,
                ])
            }
        }
        self.collection = collection
        self.activeKid = active
        self.published = jwks
        self.loadedAt = Timestamp.now()
    }

    /// Makes a new key active; the old one stays published until its tokens have expired.
    public func rotate() async throws -> String {
        let key = Self.newKey()
        try await repository.rotate(to: key)
        try await load()
        return key.kid
    }

    public func sign(_ claims: some JWTPayload) async throws -> String {
        try await reloadIfStale()
        guard let activeKid else { throw JWTError.generic(identifier: "signing", reason: "no active key") }
        return try await collection.sign(claims, kid: JWKIdentifier(string: activeKid))
    }

    public func verify(_ token: String) async throws -> AccessTokenClaims {
        try await reloadIfStale()
        do {
            return try await collection.verify(token, as: AccessTokenClaims.self)
        } catch {
            // Another process may have rotated: reload once and try again.
            try await load()
            return try await collection.verify(token, as: AccessTokenClaims.self)
        }
    }

    /// The JSON Web Key Set document.
    public func jwks() async throws -> [String: [[String: String]]] {
        try await reloadIfStale()
        return ["keys": published]
    }

    private func reloadIfStale() async throws {
        if let loadedAt, Timestamp.now().ticks - loadedAt.ticks < 60 * Timestamp.ticksPerSecond { return }
        try await load()
    }

    static func newKey() -> StoredSigningKey {
        let key = ES256PrivateKey()
        return StoredSigningKey(
            kid: Secrets.makeToken(bytes: 12), privateKeyPEM: key.pemRepresentation, createdAt: Timestamp.now(),
            retiredAt: nil)
    }
}
