import GRDB
import Storage

/// The migrations of the keys' table, each with its PostgreSQL form (docs/storage-backends.md).
/// The SQLite bodies have shipped and are never edited; they are GRDB's, hence this file's import.
extension APIKeyStore {
    /// The migrations of the gateway's database that hold the keys.
    public static func register(in migrations: inout Migrations) {
        migrations.register("gateway.v1.api-keys", postgres: .sql(v1Postgres)) { db in
            try db.execute(sql: """
                CREATE TABLE api_key (
                    id TEXT PRIMARY KEY,
                    secret_sha256 BLOB NOT NULL,
                    agency_code TEXT NOT NULL,
                    scopes TEXT NOT NULL,
                    label TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    revoked_at_ms INTEGER
                ) STRICT;
                """)
        }
    }

    /// Who made and who revoked each key, and whether a revoked key's webhook was stopped at
    /// notify-svc (`WebhookRelease`). Keys made before this migration were the operator's.
    static func registerRotation(in migrations: inout Migrations) {
        migrations.register("gateway.v4.api-key-rotation", postgres: .sql(v4Postgres)) { db in
            try db.execute(sql: """
                ALTER TABLE api_key ADD COLUMN created_by TEXT NOT NULL DEFAULT 'system:gateway-cli';
                ALTER TABLE api_key ADD COLUMN revoked_by TEXT NOT NULL DEFAULT '';
                ALTER TABLE api_key ADD COLUMN webhook_stopped INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX api_key_agency ON api_key (agency_code, created_at_ms);
                """)
        }
    }

    static let v1Postgres = """
        CREATE TABLE api_key (
            id TEXT PRIMARY KEY,
            secret_sha256 BYTEA NOT NULL,
            agency_code TEXT NOT NULL,
            scopes TEXT NOT NULL,
            label TEXT NOT NULL,
            created_at_ms BIGINT NOT NULL,
            revoked_at_ms BIGINT
        );
        """

    static let v4Postgres = """
        ALTER TABLE api_key ADD COLUMN created_by TEXT NOT NULL DEFAULT 'system:gateway-cli';
        ALTER TABLE api_key ADD COLUMN revoked_by TEXT NOT NULL DEFAULT '';
        ALTER TABLE api_key ADD COLUMN webhook_stopped BIGINT NOT NULL DEFAULT 0;
        CREATE INDEX api_key_agency ON api_key (agency_code, created_at_ms);
        """
}
