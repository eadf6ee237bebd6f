import RampartCore

/// Portal sessions; only a hash of the cookie value is stored.
public struct SessionRepository: Sendable {
    let db: any SQLExecutor

    public init(db: any SQLExecutor) { self.db = db }

    public func create(tokenHash: String, userID: ObjectID, csrfToken: String, now: Timestamp, expiresAt: Timestamp)
        async throws
    {
        try await db.execute(
            """
            INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
            VALUES (\(bind: tokenHash), \(bind: userID), \(bind: csrfToken), \(bind: now), \(bind: expiresAt))
            """)
    }

    /// The session's user and CSRF token while the session is live.
    public func find(tokenHash: String, now: Timestamp) async throws -> (userID: ObjectID, csrfToken: String)? {
        guard
            let row = try await db.queryOne(
                "SELECT user_id, csrf_token FROM sessions WHERE token_hash = \(bind: tokenHash) AND expires_at > \(bind: now)")
        else { return nil }
        return (try row.objectID("user_id"), try row.string("csrf_token"))
    }

    public func delete(tokenHash: String) async throws {
        try await db.execute("DELETE FROM sessions WHERE token_hash = \(bind: tokenHash)")
    }

    public func deleteExpired(now: Timestamp) async throws {
        try await db.execute("DELETE FROM sessions WHERE expires_at <= \(bind: now)")
    }
}
