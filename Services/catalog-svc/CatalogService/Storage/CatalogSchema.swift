import GRDB
import Storage

/// The catalog database's migrations. Shipped migrations are never edited; a change is a new
/// migration appended at the end.
enum CatalogSchema {
    static var migrations: Migrations {
        var migrations = Migrations()
        migrations.register("catalog.v1.create-tables") { db in
            // Procedures are stored as their protobuf encoding: the service reads them whole
            // into its in-memory snapshot, and the message can grow fields without a migration.
            try db.execute(sql: """
                CREATE TABLE agency (
                    code TEXT PRIMARY KEY NOT NULL,
                    parent_code TEXT NOT NULL,
                    record BLOB NOT NULL
                ) STRICT;
                CREATE TABLE field (
                    code TEXT PRIMARY KEY NOT NULL,
                    record BLOB NOT NULL
                ) STRICT;
                CREATE TABLE procedure (
                    code TEXT PRIMARY KEY NOT NULL,
                    record BLOB NOT NULL
                ) STRICT;
                CREATE TABLE form_content (
                    form_id TEXT PRIMARY KEY NOT NULL,
                    procedure_code TEXT NOT NULL REFERENCES procedure(code) ON DELETE CASCADE,
                    media_type TEXT NOT NULL,
                    sha256_hex TEXT NOT NULL,
                    content BLOB NOT NULL
                ) STRICT;
                CREATE TABLE enabled_level (
                    agency_code TEXT NOT NULL REFERENCES agency(code),
                    procedure_code TEXT NOT NULL REFERENCES procedure(code) ON DELETE CASCADE,
                    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
                    PRIMARY KEY (agency_code, procedure_code)
                ) STRICT;
                CREATE TABLE calendar_override (
                    date TEXT PRIMARY KEY NOT NULL,
                    working INTEGER NOT NULL,
                    reason TEXT NOT NULL
                ) STRICT;
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    actor TEXT NOT NULL,
                    at_unix_ms INTEGER NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    before_json TEXT NOT NULL,
                    after_json TEXT NOT NULL
                ) STRICT;
                CREATE TABLE catalog_version (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    version INTEGER NOT NULL
                ) STRICT;
                INSERT INTO catalog_version (id, version) VALUES (1, 0);
                """)
        }
        migrations.register("catalog.v2.procedure-groups") { db in
            // Nhóm thủ tục liên thông, kept whole as their protobuf encoding like procedures.
            try db.execute(sql: """
                CREATE TABLE procedure_group (
                    code TEXT PRIMARY KEY NOT NULL,
                    record BLOB NOT NULL
                ) STRICT;
                """)
        }
        return migrations
    }
}
