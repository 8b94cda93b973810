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
        // Guessing is limited per guesser, not by locking the account (SignInGuard); every
        // account event is kept, append-only (AccountAudit). The old per-account lock columns
        // (failed_sign_ins, locked_until_ms) are no longer read.
        migrations.register("gateway.v3.sign-in-guard-and-audit") { db in
            try db.execute(sql: """
                CREATE TABLE sign_in_attempt (
                    account TEXT NOT NULL,
                    -- an address, or '*' for every address together
                    client TEXT NOT NULL,
                    failures INTEGER NOT NULL,
                    blocked_until_ms INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL,
                    PRIMARY KEY (account, client)
                ) STRICT, WITHOUT ROWID;
                CREATE TABLE sign_in_known (
                    account TEXT NOT NULL,
                    client TEXT NOT NULL,
                    last_ms INTEGER NOT NULL,
                    PRIMARY KEY (account, client)
                ) STRICT, WITHOUT ROWID;
                CREATE TABLE account_event (
                    seq INTEGER PRIMARY KEY,
                    at_ms INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    account TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    client TEXT NOT NULL,
                    detail TEXT NOT NULL DEFAULT ''
                ) STRICT;
                CREATE INDEX account_event_account ON account_event (account, seq);
                CREATE TRIGGER account_event_append_only_update BEFORE UPDATE ON account_event
                BEGIN SELECT RAISE(ABORT, 'account_event is append-only'); END;
                CREATE TRIGGER account_event_append_only_delete BEFORE DELETE ON account_event
                BEGIN SELECT RAISE(ABORT, 'account_event is append-only'); END;
                """)
        }
    }
}
