import GRDB
import Storage

/// notify-svc's migrations. Shipped migrations are never edited; a change is a new migration
/// appended at the end. Times are Unix milliseconds (UTC).
enum NotifySchema {
    static var migrations: Migrations {
        var migrations = Migrations()
        migrations.register("notify.v1.create-tables") { db in
            try db.execute(sql: """
                -- Templates are data: every save is a new row; the highest version is used.
                CREATE TABLE template (
                    key TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    subject TEXT NOT NULL,
                    body TEXT NOT NULL,
                    sms TEXT NOT NULL,
                    updated_by TEXT NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (key, version)
                ) STRICT;
                -- A citizen's own contact details and channels (absent: the dossier's form data).
                CREATE TABLE contact_preference (
                    citizen_id TEXT PRIMARY KEY NOT NULL,
                    email TEXT NOT NULL,
                    phone TEXT NOT NULL,
                    channels INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) STRICT;
                -- What the dossier events said about each dossier, for the payment events that
                -- follow (they carry no receipt code nor form data).
                CREATE TABLE dossier_contact (
                    dossier_id TEXT PRIMARY KEY NOT NULL,
                    citizen_id TEXT NOT NULL,
                    receipt_code TEXT NOT NULL,
                    name TEXT NOT NULL,
                    email TEXT NOT NULL,
                    phone TEXT NOT NULL,
                    agency_code TEXT NOT NULL,
                    procedure_code TEXT NOT NULL,
                    updated_at INTEGER NOT NULL
                ) STRICT;
                -- One row per notification: it is also the citizen's inbox message.
                CREATE TABLE notification (
                    id TEXT PRIMARY KEY NOT NULL,
                    event_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    template_version INTEGER NOT NULL,
                    citizen_id TEXT NOT NULL,
                    dossier_id TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    body TEXT NOT NULL,
                    sms TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    read_at INTEGER
                ) STRICT;
                CREATE INDEX notification_inbox ON notification (citizen_id, created_at DESC, id DESC);
                CREATE INDEX notification_dossier ON notification (dossier_id);
                -- The durable queue: one row per notification per channel.
                -- state: 1 pending, 2 sending, 3 sent, 4 failed (DeliveryState in notify.proto).
                CREATE TABLE delivery (
                    id TEXT PRIMARY KEY NOT NULL,
                    notification_id TEXT NOT NULL REFERENCES notification(id),
                    channel INTEGER NOT NULL,
                    recipient TEXT NOT NULL,
                    state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 4),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    last_error TEXT NOT NULL DEFAULT '',
                    provider_message_id TEXT NOT NULL DEFAULT '',
                    sent_at INTEGER,
                    created_at INTEGER NOT NULL,
                    UNIQUE (notification_id, channel)
                ) STRICT;
                CREATE INDEX delivery_due ON delivery (state, next_attempt_at);
                -- The delivery log: every attempt and its outcome, append-only.
                CREATE TABLE delivery_log (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    delivery_id TEXT NOT NULL REFERENCES delivery(id),
                    at INTEGER NOT NULL,
                    result TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    provider_message_id TEXT NOT NULL
                ) STRICT;
                CREATE INDEX delivery_log_delivery ON delivery_log (delivery_id, seq);
                """)
        }
        migrations.register("notify.v2.webhooks") { db in
            try db.execute(sql: """
                -- An agency system's change feed: one webhook per API key (docs/webhooks.md).
                -- The secret is kept in clear: signing needs it. deleted_at: stopped (deleted by
                -- the key, or the key revoked); the row stays so its deliveries stay listed.
                CREATE TABLE webhook (
                    api_key_id TEXT PRIMARY KEY NOT NULL,
                    agency_code TEXT NOT NULL,
                    url TEXT NOT NULL,
                    secret TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    deleted_at INTEGER
                ) STRICT;
                CREATE INDEX webhook_agency ON webhook (agency_code) WHERE deleted_at IS NULL;
                -- One row per event per webhook, numbered in arrival order (each dossier's
                -- commit order); body is the exact JSON sent at every attempt.
                -- state: 1 pending, 2 sending, 3 sent, 4 failed (DeliveryState in notify.proto).
                CREATE TABLE webhook_delivery (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    api_key_id TEXT NOT NULL REFERENCES webhook(api_key_id),
                    event_id TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    dossier_id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 4),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    last_error TEXT NOT NULL DEFAULT '',
                    sent_at INTEGER,
                    created_at INTEGER NOT NULL,
                    UNIQUE (api_key_id, event_id)
                ) STRICT;
                CREATE INDEX webhook_delivery_due ON webhook_delivery (state, next_attempt_at);
                CREATE INDEX webhook_delivery_dossier ON webhook_delivery (api_key_id, dossier_id, seq);
                """)
        }
        return migrations
    }
}
