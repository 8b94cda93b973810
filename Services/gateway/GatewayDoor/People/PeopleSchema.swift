import GRDB
import Storage

/// The gateway's tables for people: citizens' accounts, officers (made by their agency's
/// administrator), and sessions. Passwords and tokens are kept only as hashes.
enum PeopleSchema {
    static func register(in migrations: inout Migrations) {
        migrations.register("gateway.v2.people") { db in
            try db.execute(sql: """
                CREATE TABLE citizen (
                    id TEXT PRIMARY KEY CHECK (length(id) = 12),
                    password_hash TEXT NOT NULL,
                    full_name TEXT NOT NULL,
                    email TEXT NOT NULL DEFAULT '',
                    phone TEXT NOT NULL DEFAULT '',
                    created_at_ms INTEGER NOT NULL,
                    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
                    locked_until_ms INTEGER NOT NULL DEFAULT 0
                ) STRICT;
                CREATE TABLE officer (
                    id TEXT PRIMARY KEY,
                    agency_code TEXT NOT NULL,
                    roles TEXT NOT NULL,
                    full_name TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    disabled_at_ms INTEGER,
                    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
                    locked_until_ms INTEGER NOT NULL DEFAULT 0
                ) STRICT;
                CREATE TABLE session (
                    token_sha256 BLOB PRIMARY KEY,
                    -- What the gateway vouches for downstream (CallerIdentity text).
                    identity TEXT NOT NULL,
                    -- browser (cookie, CSRF token, idle timeout) or api (bearer token).
                    kind TEXT NOT NULL,
                    csrf_token TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    expires_at_ms INTEGER NOT NULL,
                    last_seen_ms INTEGER NOT NULL,
                    revoked_at_ms INTEGER
                ) STRICT;
                CREATE INDEX session_identity ON session (identity);
                """)
        }
    }
}
