import GRDB
import Storage

/// The gateway's tables for the national identity: sign-ins under way (each used once), which
/// citizen account each national identity is linked to, and the ID token of each session that
/// began with one (the hint the provider's sign-out asks for).
enum NationalIdentitySchema {
    static func register(in migrations: inout Migrations) {
        migrations.register("gateway.national-identity.v1", postgres: .sql(v1Postgres)) { db in
            try db.execute(sql: """
                CREATE TABLE oidc_pending (
                    -- SHA-256 of the state sent to the provider, and of the browser's own cookie
                    state_sha256 BLOB PRIMARY KEY,
                    browser_sha256 BLOB NOT NULL,
                    nonce TEXT NOT NULL,
                    code_verifier TEXT NOT NULL,
                    -- 'sign_in', or 'link:<citizen id>' for a signed-in citizen linking their account
                    purpose TEXT NOT NULL,
                    next_path TEXT NOT NULL,
                    expires_at_ms INTEGER NOT NULL
                ) STRICT, WITHOUT ROWID;
                CREATE TABLE citizen_national_identity (
                    citizen_id TEXT PRIMARY KEY CHECK (length(citizen_id) = 12),
                    issuer TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    linked_at_ms INTEGER NOT NULL,
                    UNIQUE (issuer, subject)
                ) STRICT;
                CREATE TABLE oidc_session (
                    token_sha256 BLOB PRIMARY KEY,
                    id_token TEXT NOT NULL,
                    expires_at_ms INTEGER NOT NULL
                ) STRICT, WITHOUT ROWID;
                """)
        }
    }

    /// `gateway.national-identity.v1` in PostgreSQL (docs/storage-backends.md).
    static let v1Postgres = """
        CREATE TABLE oidc_pending (
            state_sha256 BYTEA PRIMARY KEY,
            browser_sha256 BYTEA NOT NULL,
            nonce TEXT NOT NULL,
            code_verifier TEXT NOT NULL,
            purpose TEXT NOT NULL,
            next_path TEXT NOT NULL,
            expires_at_ms BIGINT NOT NULL
        );
        CREATE TABLE citizen_national_identity (
            citizen_id TEXT PRIMARY KEY CHECK (length(citizen_id) = 12),
            issuer TEXT NOT NULL,
            subject TEXT NOT NULL,
            linked_at_ms BIGINT NOT NULL,
            UNIQUE (issuer, subject)
        );
        CREATE TABLE oidc_session (
            token_sha256 BYTEA PRIMARY KEY,
            id_token TEXT NOT NULL,
            expires_at_ms BIGINT NOT NULL
        );
        """
}
