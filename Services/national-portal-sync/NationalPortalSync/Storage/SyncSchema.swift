import GRDB
import Storage

/// national-portal-sync's migrations. Shipped migrations are never edited; a change is a new
/// migration appended at the end. Times are Unix milliseconds (UTC).
enum SyncSchema {
    static var migrations: Migrations {
        var migrations = Migrations()
        migrations.register("national-portal.v1.create-tables") { db in
            try db.execute(sql: """
                -- A dossier the national portal delivered: its id there and here. Written before
                -- the submission to dossier-svc (dossier_id NULL) and completed after it, so a
                -- restart in between submits again with the same idempotency key.
                CREATE TABLE inbound (
                    portal_id TEXT PRIMARY KEY NOT NULL,
                    dossier_id TEXT UNIQUE,
                    agency_code TEXT NOT NULL,
                    procedure_code TEXT NOT NULL,
                    deliveries INTEGER NOT NULL DEFAULT 1,
                    first_delivered_at INTEGER NOT NULL,
                    submitted_at INTEGER
                ) STRICT;
                -- What is to be told to the portal, one row per dossier event, in the order the
                -- events arrived. state: 0 pending, 1 sent, 2 refused by the portal (kept for
                -- the operator; later reports of the dossier wait behind it), 3 superseded (an
                -- event older than one already recorded: never sent, so the portal never sees
                -- a dossier go back).
                CREATE TABLE report (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    dossier_id TEXT NOT NULL,
                    seq INTEGER,
                    version INTEGER NOT NULL,
                    event_id TEXT NOT NULL UNIQUE,
                    event_type TEXT NOT NULL,
                    body TEXT NOT NULL,
                    occurred_at INTEGER NOT NULL,
                    state INTEGER NOT NULL DEFAULT 0 CHECK (state IN (0, 1, 2, 3)),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    last_error TEXT NOT NULL DEFAULT '',
                    created_at INTEGER NOT NULL,
                    sent_at INTEGER,
                    UNIQUE (dossier_id, seq)
                ) STRICT;
                CREATE INDEX report_open ON report (dossier_id, id) WHERE state IN (0, 2);
                -- Nonces of the portal's requests within the signature window: a replay is refused,
                -- across restarts too.
                CREATE TABLE seen_nonce (
                    nonce TEXT PRIMARY KEY NOT NULL,
                    seen_at INTEGER NOT NULL
                ) STRICT;
                """)
        }
        return migrations
    }
}
