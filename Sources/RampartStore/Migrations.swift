import RampartCore

/// The schema as a numbered changelog: each migration runs once, in order, in its own transaction.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    let statements: @Sendable (SQLDialect) -> [String]
    /// Values SQL cannot compute (hashes worked out in Swift), written after `statements` in the same transaction.
    var backfill: (@Sendable (any SQLQuerying) async throws -> Void)? = nil
}

public enum Migrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "directory, apps, signing keys") { dialect in
            [
                """
                CREATE TABLE tenants (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    domain TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    is_operator INTEGER NOT NULL DEFAULT 0,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    upn TEXT NOT NULL UNIQUE,
                    display_name TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    role TEXT NOT NULL,
                    enabled INTEGER NOT NULL DEFAULT 1,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX users_by_tenant ON users (tenant_id, upn)",
                """
                CREATE TABLE security_groups (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    name TEXT NOT NULL,
                    description TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    UNIQUE (tenant_id, name)
                )
                """,
                """
                CREATE TABLE group_members (
                    group_id TEXT NOT NULL REFERENCES security_groups(id),
                    user_id TEXT NOT NULL REFERENCES users(id),
                    PRIMARY KEY (group_id, user_id)
                )
                """,
                """
                CREATE TABLE apps (
                    client_id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    display_name TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE app_secrets (
                    id TEXT PRIMARY KEY,
                    client_id TEXT NOT NULL REFERENCES apps(client_id),
                    secret_hash TEXT NOT NULL,
                    hint TEXT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX app_secrets_by_client ON app_secrets (client_id)",
                """
                CREATE TABLE app_authorizations (
                    client_id TEXT NOT NULL REFERENCES apps(client_id),
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    permission TEXT NOT NULL,
                    granted_at BIGINT NOT NULL,
                    PRIMARY KEY (client_id, tenant_id, permission)
                )
                """,
                """
                CREATE TABLE signing_keys (
                    kid TEXT PRIMARY KEY,
                    private_key_pem TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    retired_at BIGINT
                )
                """,
                """
                CREATE TABLE sessions (
                    token_hash TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users(id),
                    csrf_token TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL
                )
                """,
            ]
        },
        Migration(version: 2, name: "devices, alerts, evidence, comments, event log") { dialect in
            let serial =
                dialect == .sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
            return [
                """
                CREATE TABLE devices (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    device_key TEXT NOT NULL,
                    computer_dns_name TEXT NOT NULL,
                    os_platform TEXT,
                    os_version TEXT,
                    last_ip_address TEXT,
                    rbac_group_name TEXT,
                    machine_tags TEXT NOT NULL,
                    first_seen BIGINT NOT NULL,
                    last_seen BIGINT NOT NULL,
                    UNIQUE (tenant_id, device_key)
                )
                """,
                """
                CREATE TABLE alerts (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    source_id TEXT NOT NULL,
                    incident_id BIGINT,
                    investigation_id BIGINT,
                    assigned_to TEXT,
                    severity TEXT NOT NULL,
                    status TEXT NOT NULL,
                    classification TEXT,
                    determination TEXT,
                    investigation_state TEXT,
                    detection_source TEXT NOT NULL,
                    detector_id TEXT,
                    category TEXT NOT NULL,
                    threat_family_name TEXT,
                    title TEXT NOT NULL,
                    description TEXT NOT NULL,
                    alert_creation_time BIGINT NOT NULL,
                    first_event_time BIGINT,
                    last_event_time BIGINT,
                    last_update_time BIGINT NOT NULL,
                    resolved_time BIGINT,
                    machine_id TEXT REFERENCES devices(id),
                    computer_dns_name TEXT,
                    rbac_group_name TEXT,
                    threat_name TEXT,
                    mitre_techniques TEXT NOT NULL,
                    related_user_name TEXT,
                    related_user_domain TEXT,
                    UNIQUE (tenant_id, source_id)
                )
                """,
                "CREATE INDEX alerts_by_creation ON alerts (tenant_id, alert_creation_time DESC, id DESC)",
                """
                CREATE TABLE alert_evidence (
                    alert_id TEXT NOT NULL REFERENCES alerts(id),
                    position INTEGER NOT NULL,
                    entity_type TEXT NOT NULL,
                    body TEXT NOT NULL,
                    PRIMARY KEY (alert_id, position)
                )
                """,
                """
                CREATE TABLE alert_comments (
                    id \(serial),
                    alert_id TEXT NOT NULL REFERENCES alerts(id),
                    comment TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_time BIGINT NOT NULL
                )
                """,
                "CREATE INDEX alert_comments_by_alert ON alert_comments (alert_id, id)",
                """
                CREATE TABLE alert_events (
                    seq \(serial),
                    tenant_id TEXT NOT NULL,
                    alert_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    occurred_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX alert_events_by_tenant ON alert_events (tenant_id, seq)",
            ]
        },
        Migration(version: 3, name: "roles and device groups") { _ in
            [
                """
                CREATE TABLE roles (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    name TEXT NOT NULL,
                    description TEXT NOT NULL,
                    permissions TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    UNIQUE (tenant_id, name)
                )
                """,
                """
                CREATE TABLE role_groups (
                    role_id TEXT NOT NULL REFERENCES roles(id),
                    group_id TEXT NOT NULL REFERENCES security_groups(id),
                    PRIMARY KEY (role_id, group_id)
                )
                """,
                """
                CREATE TABLE device_groups (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    name TEXT NOT NULL,
                    rank INTEGER NOT NULL,
                    description TEXT NOT NULL,
                    remediation_level TEXT NOT NULL,
                    rules TEXT NOT NULL,
                    is_default INTEGER NOT NULL,
                    created_at BIGINT NOT NULL,
                    UNIQUE (tenant_id, name)
                )
                """,
                """
                CREATE TABLE device_group_access (
                    device_group_id TEXT NOT NULL REFERENCES device_groups(id),
                    group_id TEXT NOT NULL REFERENCES security_groups(id),
                    PRIMARY KEY (device_group_id, group_id)
                )
                """,
                "CREATE INDEX group_members_by_user ON group_members (user_id)",
                "CREATE INDEX alerts_by_machine ON alerts (machine_id)",
                "UPDATE devices SET rbac_group_name = '\(DeviceGroup.defaultName)' WHERE rbac_group_name IS NULL",
                "UPDATE alerts SET rbac_group_name = '\(DeviceGroup.defaultName)' WHERE rbac_group_name IS NULL",
            ]
        },
        Migration(version: 4, name: "hash-chained audit log") { dialect in
            let serial =
                dialect == .sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
            return [
                """
                CREATE TABLE audit_log (
                    seq \(serial),
                    tenant_id TEXT NOT NULL,
                    position BIGINT NOT NULL,
                    actor TEXT NOT NULL,
                    actor_tenant_id TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    details TEXT NOT NULL,
                    request_id TEXT,
                    at BIGINT NOT NULL,
                    previous_hash TEXT NOT NULL,
                    hash TEXT NOT NULL,
                    UNIQUE (tenant_id, position)
                )
                """
            ]
        },
        Migration(version: 5, name: "device-group restrictions of authorized apps") { _ in
            [
                """
                CREATE TABLE app_authorization_device_groups (
                    client_id TEXT NOT NULL REFERENCES apps(client_id),
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    device_group_id TEXT NOT NULL REFERENCES device_groups(id),
                    PRIMARY KEY (client_id, tenant_id, device_group_id)
                )
                """
            ]
        },
        Migration(version: 6, name: "connected organizations") { _ in
            [
                """
                CREATE TABLE connected_orgs (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    org_tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    added_at BIGINT NOT NULL,
                    PRIMARY KEY (tenant_id, org_tenant_id)
                )
                """
            ]
        },
        Migration(version: 7, name: "access packages, requests, guest assignments") { _ in
            [
                "ALTER TABLE users ADD COLUMN home_user_id TEXT REFERENCES users(id)",
                "CREATE UNIQUE INDEX guests_by_home ON users (home_user_id, tenant_id)",
                """
                CREATE TABLE access_packages (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    name TEXT NOT NULL,
                    description TEXT NOT NULL,
                    approver_group_id TEXT REFERENCES security_groups(id),
                    requires_justification INTEGER NOT NULL,
                    expiry_days INTEGER NOT NULL,
                    review_interval_days INTEGER,
                    created_at BIGINT NOT NULL,
                    UNIQUE (tenant_id, name)
                )
                """,
                """
                CREATE TABLE access_package_groups (
                    package_id TEXT NOT NULL REFERENCES access_packages(id),
                    group_id TEXT NOT NULL REFERENCES security_groups(id),
                    PRIMARY KEY (package_id, group_id)
                )
                """,
                """
                CREATE TABLE access_package_requestors (
                    package_id TEXT NOT NULL REFERENCES access_packages(id),
                    org_tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    PRIMARY KEY (package_id, org_tenant_id)
                )
                """,
                "CREATE INDEX package_requestors_by_org ON access_package_requestors (org_tenant_id)",
                """
                CREATE TABLE access_requests (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    package_id TEXT NOT NULL REFERENCES access_packages(id),
                    requester_id TEXT NOT NULL REFERENCES users(id),
                    requester_tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    requester_name TEXT NOT NULL,
                    justification TEXT NOT NULL,
                    status TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    decided_at BIGINT,
                    decided_by TEXT,
                    decision_reason TEXT
                )
                """,
                "CREATE INDEX access_requests_by_tenant ON access_requests (tenant_id, status)",
                "CREATE INDEX access_requests_by_requester ON access_requests (requester_id)",
                """
                CREATE TABLE access_assignments (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    package_id TEXT NOT NULL REFERENCES access_packages(id),
                    guest_user_id TEXT NOT NULL REFERENCES users(id),
                    home_user_id TEXT NOT NULL REFERENCES users(id),
                    home_tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    home_user_name TEXT NOT NULL,
                    request_id TEXT NOT NULL REFERENCES access_requests(id),
                    granted_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    revoked_at BIGINT,
                    revoked_by TEXT
                )
                """,
                "CREATE INDEX access_assignments_by_guest ON access_assignments (guest_user_id, expires_at)",
                "CREATE INDEX access_assignments_by_home ON access_assignments (home_user_id)",
                "CREATE INDEX access_assignments_by_tenant ON access_assignments (tenant_id)",
                """
                CREATE TABLE access_notices (
                    id TEXT PRIMARY KEY,
                    recipient_id TEXT NOT NULL REFERENCES users(id),
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    kind TEXT NOT NULL,
                    package_name TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX access_notices_by_recipient ON access_notices (recipient_id, at)",
            ]
        },
        Migration(version: 8, name: "device group numbers (Defender's rbacGroupId)") { _ in
            [
                "ALTER TABLE device_groups ADD COLUMN number BIGINT",
                """
                UPDATE device_groups SET number = (
                    SELECT COUNT(*) FROM device_groups d2 WHERE d2.tenant_id = device_groups.tenant_id
                    AND (d2.created_at < device_groups.created_at
                         OR (d2.created_at = device_groups.created_at AND d2.id <= device_groups.id)))
                """,
                "CREATE INDEX devices_by_tenant_group ON devices (tenant_id, rbac_group_name)",
                "CREATE INDEX alerts_by_machine_status ON alerts (machine_id, status)",
            ]
        },
        Migration(version: 9, name: "rate-limit counters shared by processes") { _ in
            [
                """
                CREATE TABLE rate_counters (
                    key TEXT NOT NULL,
                    window_start BIGINT NOT NULL,
                    length BIGINT NOT NULL,
                    count BIGINT NOT NULL,
                    PRIMARY KEY (key, window_start, length)
                )
                """
            ]
        },
        Migration(version: 10, name: "authorization codes and refresh tokens") { _ in
            [
                """
                CREATE TABLE oauth_codes (
                    code_hash TEXT PRIMARY KEY,
                    client_id TEXT NOT NULL,
                    redirect_uri TEXT NOT NULL,
                    code_challenge TEXT NOT NULL,
                    account_id TEXT NOT NULL REFERENCES users(id),
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    scope TEXT NOT NULL,
                    nonce TEXT,
                    expires_at BIGINT NOT NULL,
                    used INTEGER NOT NULL DEFAULT 0
                )
                """,
                """
                CREATE TABLE refresh_tokens (
                    token_hash TEXT PRIMARY KEY,
                    family_id TEXT NOT NULL,
                    account_id TEXT NOT NULL REFERENCES users(id),
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    client_id TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    used_at BIGINT,
                    revoked_at BIGINT
                )
                """,
                "CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id)",
                "CREATE INDEX refresh_tokens_by_account ON refresh_tokens (account_id)",
            ]
        },
        Migration(version: 11, name: "alerts in time order across tenants (the MSSP queue)") { _ in
            ["CREATE INDEX alerts_by_time ON alerts (alert_creation_time DESC, id DESC)"]
        },
        Migration(version: 12, name: "email notification rules, items, outbox; severities in the event log") { dialect in
            let serial =
                dialect == .sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
            return [
                "ALTER TABLE alert_events ADD COLUMN severity TEXT",
                "ALTER TABLE alert_events ADD COLUMN previous_severity TEXT",
                // PostgreSQL numbers rows at insert but shows them at commit: the writing transaction's id lets a
                // reader stop before rows of transactions still running (see AlertEventLog). SQLite has one writer.
                dialect == .postgres
                    ? "ALTER TABLE alert_events ADD COLUMN tx BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint)"
                    : "ALTER TABLE alert_events ADD COLUMN tx BIGINT NOT NULL DEFAULT 0",
                "CREATE INDEX alert_events_by_tx ON alert_events (tx, seq)",
                """
                CREATE TABLE notification_rules (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    description TEXT NOT NULL,
                    enabled INTEGER NOT NULL,
                    include_organization INTEGER NOT NULL,
                    include_link INTEGER NOT NULL,
                    include_device INTEGER NOT NULL,
                    all_device_groups INTEGER NOT NULL,
                    device_group_ids TEXT NOT NULL,
                    severities TEXT NOT NULL,
                    recipients TEXT NOT NULL,
                    delivery_mode TEXT NOT NULL,
                    delivery_number INTEGER,
                    language TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    UNIQUE (tenant_id, name)
                )
                """,
                """
                CREATE TABLE notification_items (
                    id \(serial),
                    tenant_id TEXT NOT NULL,
                    rule_id TEXT NOT NULL,
                    alert_id TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    email_id TEXT,
                    UNIQUE (rule_id, alert_id, recipient, severity)
                )
                """,
                "CREATE INDEX notification_items_waiting ON notification_items (email_id, id)",
                """
                CREATE TABLE email_outbox (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL,
                    rule_id TEXT,
                    rule_name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    message_id TEXT NOT NULL UNIQUE,
                    subject TEXT NOT NULL,
                    body TEXT NOT NULL,
                    alert_ids TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    next_attempt_at BIGINT NOT NULL,
                    lease_until BIGINT,
                    last_error TEXT,
                    reply TEXT,
                    created_at BIGINT NOT NULL,
                    sent_at BIGINT
                )
                """,
                "CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at)",
                "CREATE INDEX email_outbox_by_rule ON email_outbox (rule_id, recipient, created_at)",
                "CREATE INDEX email_outbox_by_tenant ON email_outbox (tenant_id, created_at)",
                "CREATE TABLE consumer_checkpoints (name TEXT PRIMARY KEY, tx BIGINT NOT NULL, position BIGINT NOT NULL)",
            ]
        },
        Migration(version: 13, name: "alerts by last update (the SIEM API's time basis)") { _ in
            ["CREATE INDEX alerts_by_update ON alerts (tenant_id, last_update_time DESC, id DESC)"]
        },
        Migration(version: 14, name: "push connectors, their checkpoints and dead letters") { dialect in
            let serial =
                dialect == .sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
            return [
                """
                CREATE TABLE connectors (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    delegated_app TEXT,
                    target TEXT NOT NULL,
                    format TEXT NOT NULL,
                    severities TEXT NOT NULL,
                    device_groups TEXT NOT NULL,
                    kinds TEXT NOT NULL,
                    state TEXT NOT NULL,
                    tx BIGINT NOT NULL,
                    position BIGINT NOT NULL,
                    attempts INTEGER NOT NULL,
                    next_attempt_at BIGINT NOT NULL,
                    lease_owner TEXT,
                    lease_until BIGINT,
                    sent_count BIGINT NOT NULL,
                    failed_count BIGINT NOT NULL,
                    dead_count BIGINT NOT NULL,
                    last_error TEXT,
                    last_sent_at BIGINT,
                    created_at BIGINT NOT NULL,
                    UNIQUE (tenant_id, name)
                )
                """,
                """
                CREATE TABLE connector_dead_letters (
                    id \(serial),
                    connector_id TEXT NOT NULL,
                    tenant_id TEXT NOT NULL,
                    alert_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    tx BIGINT NOT NULL,
                    seq BIGINT NOT NULL,
                    error TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX connector_dead_letters_by_connector ON connector_dead_letters (connector_id, id)",
            ]
        },
        Migration(version: 15, name: "connector secrets (sealed with the installation's key)") { _ in
            ["ALTER TABLE connectors ADD COLUMN secret TEXT"]
        },
        Migration(version: 16, name: "redirect URIs of registered apps (the authorization-code flow of confidential clients)") {
            _ in
            ["CREATE TABLE app_redirect_uris (client_id TEXT NOT NULL, uri TEXT NOT NULL, PRIMARY KEY (client_id, uri))"]
        },
        Migration(version: 17, name: "detections merged into an open alert of the same device and detector") { _ in
            [
                "ALTER TABLE alerts ADD COLUMN detection_count INTEGER NOT NULL DEFAULT 1",
                """
                CREATE TABLE alert_sources (
                    tenant_id TEXT NOT NULL, source_id TEXT NOT NULL, alert_id TEXT NOT NULL,
                    PRIMARY KEY (tenant_id, source_id))
                """,
                "CREATE INDEX alerts_by_detector ON alerts (tenant_id, detector_id, machine_id)",
            ]
        },
        Migration(version: 18, name: "incidents and the links that correlate alerts into them; portal-assigned device tags") {
            dialect in
            var statements = [
                """
                CREATE TABLE incidents (
                    incident_id BIGINT PRIMARY KEY,
                    tenant_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    assigned_to TEXT,
                    classification TEXT NOT NULL,
                    determination TEXT NOT NULL,
                    created_time BIGINT NOT NULL,
                    last_update_time BIGINT NOT NULL
                )
                """,
                "CREATE INDEX incidents_by_update ON incidents (tenant_id, last_update_time DESC, incident_id DESC)",
                """
                CREATE TABLE incident_links (
                    tenant_id TEXT NOT NULL, link TEXT NOT NULL, incident_id BIGINT NOT NULL, last_seen BIGINT NOT NULL,
                    PRIMARY KEY (tenant_id, link))
                """,
                "CREATE INDEX alerts_by_incident ON alerts (incident_id)",
                "ALTER TABLE devices ADD COLUMN cloud_tags TEXT NOT NULL DEFAULT '[]'",
            ]
            // PostgreSQL numbers incidents from a sequence (ingests run at once); SQLite's single writer takes the
            // next number after the largest.
            if dialect == .postgres { statements.append("CREATE SEQUENCE incident_ids") }
            return statements
        },
        Migration(version: 19, name: "fewer b-trees written per ingested alert") { dialect in
            // `alerts_by_machine_status` answers every lookup by machine as well.
            var statements = ["DROP INDEX alerts_by_machine"]
            // On SQLite a table keyed by text is a rowid tree plus an index on the key: every evidence row and link
            // was written twice. Keyed by their primary key alone they are written once (PostgreSQL keeps its heap).
            if dialect == .sqlite {
                statements += [
                    """
                    CREATE TABLE alert_evidence_keyed (
                        alert_id TEXT NOT NULL REFERENCES alerts(id),
                        position INTEGER NOT NULL,
                        entity_type TEXT NOT NULL,
                        body TEXT NOT NULL,
                        PRIMARY KEY (alert_id, position)
                    ) WITHOUT ROWID
                    """,
                    "INSERT INTO alert_evidence_keyed SELECT alert_id, position, entity_type, body FROM alert_evidence",
                    "DROP TABLE alert_evidence",
                    "ALTER TABLE alert_evidence_keyed RENAME TO alert_evidence",
                    """
                    CREATE TABLE incident_links_keyed (
                        tenant_id TEXT NOT NULL, link TEXT NOT NULL, incident_id BIGINT NOT NULL, last_seen BIGINT NOT NULL,
                        PRIMARY KEY (tenant_id, link)) WITHOUT ROWID
                    """,
                    "INSERT INTO incident_links_keyed SELECT tenant_id, link, incident_id, last_seen FROM incident_links",
                    "DROP TABLE incident_links",
                    "ALTER TABLE incident_links_keyed RENAME TO incident_links",
                ]
            }
            return statements
        },
        Migration(version: 20, name: "each user's language and time zone") { _ in
            ["ALTER TABLE users ADD COLUMN language TEXT", "ALTER TABLE users ADD COLUMN time_zone TEXT"]
        },
        Migration(version: 21, name: "one index of alerts by machine and detector") { _ in
            // A machine's open alerts (its risk score) and the open alert a repeated detection merges into
            // (its machine and detector) are both found under the machine: one index that ingest writes instead of
            // two. Device ids are unique across tenants, so the tenant is not part of the key.
            [
                "CREATE INDEX alerts_by_machine_detector ON alerts (machine_id, detector_id, status)",
                "DROP INDEX alerts_by_detector", "DROP INDEX alerts_by_machine_status",
            ]
        },
        Migration(
            version: 22, name: "merge keys: one integer per alert from its tenant, device and detector",
            statements: { _ in
                ["ALTER TABLE devices ADD COLUMN merge_base BIGINT", "ALTER TABLE alerts ADD COLUMN merge_key BIGINT"]
            },
            backfill: MergeKey.backfill),
        Migration(version: 23, name: "alerts by merge key instead of by device and detector text") { _ in
            // Written before the index exists: one pass over the table instead of an index update per row.
            ["CREATE INDEX alerts_by_merge_key ON alerts (merge_key)", "DROP INDEX alerts_by_machine_detector"]
        },
    ]
}

/// Applies pending migrations; safe to call at every start, and by several processes at once on PostgreSQL.
public struct Migrator: Sendable {
    let executor: any SQLExecutor

    public init(executor: any SQLExecutor) { self.executor = executor }

    /// Returns the versions applied by this call.
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await executor.transaction { db in
            try await Self.lockAgainstOtherMigrators(db)
            try await db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
            )
        }
        var applied: [Int] = []
        for migration in Migrations.all {
            let didApply = try await executor.transaction { db in
                try await Self.lockAgainstOtherMigrators(db)
                let done = try await db.queryOne(
                    "SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)")
                guard done == nil else { return false }
                for statement in migration.statements(db.dialect) {
                    try await db.execute(SQL(stringLiteral: statement))
                }
                try await migration.backfill?(db)
                try await db.execute(
                    """
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Timestamp.now()))
                    """)
                return true
            }
            if didApply { applied.append(migration.version) }
        }
        return applied
    }

    /// One migrating process at a time on PostgreSQL; the others wait, then see the work done.
    /// (SQLite transactions already exclude each other.)
    static func lockAgainstOtherMigrators(_ db: any SQLQuerying) async throws {
        if db.dialect == .postgres { try await db.execute("SELECT pg_advisory_xact_lock(727274)") }
    }

    public func currentVersion() async throws -> Int {
        let row = try await executor.queryOne("SELECT MAX(version) AS version FROM schema_migrations")
        return Int(row?.optionalInt("version") ?? 0)
    }
}
