import RampartCore

/// A token-signing key as stored: PEM private key, retired keys kept until their tokens expire.
public struct StoredSigningKey: Sendable, Equatable {
    public let kid: String
    public let privateKeyPEM: String
    public let createdAt: Timestamp
    public let retiredAt: Timestamp?

    public init(kid: String, privateKeyPEM: String, createdAt: Timestamp, retiredAt: Timestamp?) {
        self.kid = kid
        self.privateKeyPEM = privateKeyPEM
        self.createdAt = createdAt
        self.retiredAt = retiredAt
    }
}

public struct KeyRepository: Sendable {
    let db: any SQLExecutor

    public init(db: any SQLExecutor) { self.db = db }

    /// Keys that are active or were retired after `since` (their tokens may still be valid).
    public func keys(retiredAfter since: Timestamp) async throws -> [StoredSigningKey] {
        try await db.query(
            """
            SELECT * FROM signing_keys WHERE retired_at IS NULL OR retired_at > \(bind: since)
            ORDER BY created_at DESC, kid
            """
        ).map { row in
            StoredSigningKey(
                kid: try row.string("kid"), privateKeyPEM: try row.string("private_key_pem"),
                createdAt: try row.timestamp("created_at"), retiredAt: row.optionalTimestamp("retired_at"))
        }
    }

    /// Adds a new active key and retires the others, in one transaction.
    public func rotate(to key: StoredSigningKey) async throws {
        try await db.transaction { db in
            try await db.execute("UPDATE signing_keys SET retired_at = \(bind: key.createdAt) WHERE retired_at IS NULL")
            try await db.execute(
                """
                INSERT INTO signing_keys (kid, private_key_pem, created_at, retired_at)
                VALUES (\(bind: key.kid), \(bind: key.privateKeyPEM), \(bind: key.createdAt), NULL)
                """)
        }
    }

    /// Adds the first key unless another process already did; returns whether this call added it.
    public func insertIfNoActiveKey(_ key: StoredSigningKey) async throws -> Bool {
        try await db.transaction { db in
            if db.dialect == .postgres { try await db.execute("SELECT pg_advisory_xact_lock(727275)") }
            let active = try await db.queryOne("SELECT kid FROM signing_keys WHERE retired_at IS NULL")
            guard active == nil else { return false }
            try await db.execute(
                """
                INSERT INTO signing_keys (kid, private_key_pem, created_at, retired_at)
                VALUES (\(bind: key.kid), \(bind: key.privateKeyPEM), \(bind: key.createdAt), NULL)
                """)
            return true
        }
    }
}
