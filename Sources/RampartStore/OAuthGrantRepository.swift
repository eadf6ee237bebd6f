import RampartCore

/// A code issued by the authorize endpoint, kept by its hash until it is redeemed once.
public struct AuthorizationCode: Sendable, Equatable {
    public var clientID: ObjectID
    public var redirectURI: String
    public var codeChallenge: String
    /// The account the token is for: the user, or their guest account in a customer tenant.
    public var accountID: ObjectID
    public var tenantID: TenantID
    public var scope: String
    public var nonce: String?
    public var expiresAt: Timestamp

    public init(
        clientID: ObjectID, redirectURI: String, codeChallenge: String, accountID: ObjectID, tenantID: TenantID,
        scope: String, nonce: String?, expiresAt: Timestamp
    ) {
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.codeChallenge = codeChallenge
        self.accountID = accountID
        self.tenantID = tenantID
        self.scope = scope
        self.nonce = nonce
        self.expiresAt = expiresAt
    }
}

/// A refresh token's record: rotated on every use; a used token presented again revokes its whole family.
public struct RefreshTokenRecord: Sendable, Equatable {
    public var familyID: String
    public var accountID: ObjectID
    public var tenantID: TenantID
    public var clientID: ObjectID
    public var scope: String
    public var expiresAt: Timestamp
    public var usedAt: Timestamp?
    public var revokedAt: Timestamp?

    public init(
        familyID: String, accountID: ObjectID, tenantID: TenantID, clientID: ObjectID, scope: String, expiresAt: Timestamp,
        usedAt: Timestamp? = nil, revokedAt: Timestamp? = nil
    ) {
        self.familyID = familyID
        self.accountID = accountID
        self.tenantID = tenantID
        self.clientID = clientID
        self.scope = scope
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.revokedAt = revokedAt
    }
}

public enum RefreshOutcome: Sendable, Equatable {
    case valid(RefreshTokenRecord)
    /// Unknown, expired or revoked.
    case invalid
    /// Already used: someone replayed it, so the family is revoked.
    case replayed
}

/// Authorization codes and refresh tokens; only hashes are stored.
public struct OAuthGrantRepository: Sendable {
    let db: any SQLExecutor

    public init(db: any SQLExecutor) { self.db = db }

    public func saveCode(hash: String, _ code: AuthorizationCode) async throws {
        try await db.execute(
            """
            INSERT INTO oauth_codes (code_hash, client_id, redirect_uri, code_challenge, account_id, tenant_id, scope, nonce,
                expires_at)
            VALUES (\(bind: hash), \(bind: code.clientID), \(bind: code.redirectURI), \(bind: code.codeChallenge),
                \(bind: code.accountID), \(bind: code.tenantID), \(bind: code.scope), \(bind: code.nonce), \(bind: code.expiresAt))
            """)
    }

    /// Redeems a code once: nil when unknown, expired or already redeemed.
    public func redeem(hash: String, now: Timestamp) async throws -> AuthorizationCode? {
        try await db.transaction { db in
            let rows = try await db.query(
                """
                UPDATE oauth_codes SET used = 1
                WHERE code_hash = \(bind: hash) AND used = 0 AND expires_at > \(bind: now) RETURNING *
                """)
            guard let row = rows.first else { return nil }
            return AuthorizationCode(
                clientID: try row.objectID("client_id"), redirectURI: try row.string("redirect_uri"),
                codeChallenge: try row.string("code_challenge"), accountID: try row.objectID("account_id"),
                tenantID: try row.tenantID("tenant_id"), scope: try row.string("scope"), nonce: row.optionalString("nonce"),
                expiresAt: try row.timestamp("expires_at"))
        }
    }

    public func saveRefresh(hash: String, _ record: RefreshTokenRecord, now: Timestamp) async throws {
        try await db.execute(
            """
            INSERT INTO refresh_tokens (token_hash, family_id, account_id, tenant_id, client_id, scope, created_at, expires_at)
            VALUES (\(bind: hash), \(bind: record.familyID), \(bind: record.accountID), \(bind: record.tenantID),
                \(bind: record.clientID), \(bind: record.scope), \(bind: now), \(bind: record.expiresAt))
            """)
    }

    /// Takes a refresh token for rotation: marks it used, or revokes its family when it was used before.
    public func use(hash: String, now: Timestamp) async throws -> RefreshOutcome {
        try await db.transaction { db in
            guard let row = try await db.queryOne("SELECT * FROM refresh_tokens WHERE token_hash = \(bind: hash)") else {
                return .invalid
            }
            let record = RefreshTokenRecord(
                familyID: try row.string("family_id"), accountID: try row.objectID("account_id"),
                tenantID: try row.tenantID("tenant_id"), clientID: try row.objectID("client_id"), scope: try row.string("scope"),
                expiresAt: try row.timestamp("expires_at"), usedAt: row.optionalTimestamp("used_at"),
                revokedAt: row.optionalTimestamp("revoked_at"))
            if record.usedAt != nil {
                try await db.execute(
                    """
                    UPDATE refresh_tokens SET revoked_at = \(bind: now)
                    WHERE family_id = \(bind: record.familyID) AND revoked_at IS NULL
                    """)
                return .replayed
            }
            guard record.revokedAt == nil, record.expiresAt > now else { return .invalid }
            try await db.execute("UPDATE refresh_tokens SET used_at = \(bind: now) WHERE token_hash = \(bind: hash)")
            return .valid(record)
        }
    }

    /// Ends everything a person signed in with: their portal sessions and every refresh token of the account and of
    /// its guest accounts in other tenants. Returns how many refresh tokens were live.
    public func revokeEverywhere(userID: ObjectID, now: Timestamp, audit: AuditEntry) async throws -> Int {
        try await db.transaction { db in
            let guests = try await db.query("SELECT id FROM users WHERE home_user_id = \(bind: userID)").map {
                try $0.objectID("id")
            }
            let list = SQL.joined(([userID] + guests).map { "\(bind: $0)" }, separator: ", ")
            let revoked = try await db.query(
                """
                UPDATE refresh_tokens SET revoked_at = \(bind: now)
                WHERE account_id IN (\(list)) AND revoked_at IS NULL AND used_at IS NULL RETURNING token_hash
                """
            ).count
            try await db.execute("DELETE FROM sessions WHERE user_id IN (\(list))")
            try await AuditRepository.append(audit, in: db)
            return revoked
        }
    }
}
