import GRDB
import Storage

/// The gateway's tables for people: citizens' accounts, officers (made by their agency's
/// administrator), and sessions. Passwords and tokens are kept only as hashes.
enum PeopleSchema {
    static func register(in migrations: inout Migrations) {
        migrations.register("gateway.v2.people", postgres: .sql(v2Postgres)) { db in
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
        migrations.register("gateway.v3.sign-in-guard-and-audit", postgres: .sql(v3Postgres)) { db in
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

    // MARK: PostgreSQL (the same tables, columns, indexes and names; docs/storage-backends.md)

    /// `gateway.v2.people` in PostgreSQL.
    static let v2Postgres = """
        CREATE TABLE citizen (
            id TEXT PRIMARY KEY CHECK (length(id) = 12),
            password_hash TEXT NOT NULL,
            full_name TEXT NOT NULL,
            email TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            created_at_ms BIGINT NOT NULL,
            failed_sign_ins BIGINT NOT NULL DEFAULT 0,
            locked_until_ms BIGINT NOT NULL DEFAULT 0
        );
        CREATE TABLE officer (
            id TEXT PRIMARY KEY,
            agency_code TEXT NOT NULL,
            roles TEXT NOT NULL,
            full_name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at_ms BIGINT NOT NULL,
            disabled_at_ms BIGINT,
            failed_sign_ins BIGINT NOT NULL DEFAULT 0,
            locked_until_ms BIGINT NOT NULL DEFAULT 0
        );
        CREATE TABLE session (
            token_sha256 BYTEA PRIMARY KEY,
            identity TEXT NOT NULL,
            kind TEXT NOT NULL,
            csrf_token TEXT NOT NULL,
            created_at_ms BIGINT NOT NULL,
            expires_at_ms BIGINT NOT NULL,
            last_seen_ms BIGINT NOT NULL,
            revoked_at_ms BIGINT
        );
        CREATE INDEX session_identity ON session (identity);
        """

    /// `gateway.v3.sign-in-guard-and-audit` in PostgreSQL. `account_event` stays append-only
    /// through one trigger function (PostgreSQL's triggers call a function, SQLite's hold
    /// their body); it refuses with SQLSTATE 23000, a constraint refusal as SQLite's
    /// `RAISE(ABORT)` is.
    static let v3Postgres = """
        CREATE TABLE sign_in_attempt (
            account TEXT NOT NULL,
            client TEXT NOT NULL,
            failures BIGINT NOT NULL,
            blocked_until_ms BIGINT NOT NULL,
            updated_ms BIGINT NOT NULL,
            PRIMARY KEY (account, client)
        );
        CREATE TABLE sign_in_known (
            account TEXT NOT NULL,
            client TEXT NOT NULL,
            last_ms BIGINT NOT NULL,
            PRIMARY KEY (account, client)
        );
        CREATE TABLE account_event (
            seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            at_ms BIGINT NOT NULL,
            kind TEXT NOT NULL,
            account TEXT NOT NULL,
            actor TEXT NOT NULL,
            client TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX account_event_account ON account_event (account, seq);
        CREATE FUNCTION account_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'account_event is append-only' USING ERRCODE = 'integrity_constraint_violation';
        END
        $$;
        CREATE TRIGGER account_event_append_only_update BEFORE UPDATE ON account_event
            FOR EACH ROW EXECUTE FUNCTION account_event_append_only();
        CREATE TRIGGER account_event_append_only_delete BEFORE DELETE ON account_event
            FOR EACH ROW EXECUTE FUNCTION account_event_append_only();
        """
}
