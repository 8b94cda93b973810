import GRDB
import Storage

/// The dossier database's migrations: the system of record. Shipped migrations are never
/// edited; a change is a new migration appended at the end.
enum DossierSchema {
    static var migrations: Migrations {
        var migrations = Migrations()
        migrations.register("dossier.v1.create-tables") { db in
            try db.execute(sql: """
                CREATE TABLE dossier (
                    id TEXT PRIMARY KEY NOT NULL,
                    agency_code TEXT NOT NULL,
                    procedure_code TEXT NOT NULL,
                    applicant_id TEXT NOT NULL,
                    state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 10),
                    channel INTEGER NOT NULL,
                    -- The state a supplement was requested from, to return to on resubmission.
                    supplement_from INTEGER,
                    receipt_code TEXT UNIQUE,
                    pin_salt BLOB NOT NULL,
                    pin_hash BLOB NOT NULL,
                    submitted_at_ms INTEGER NOT NULL,
                    received_at_ms INTEGER,
                    appointment_at_ms INTEGER,
                    paused_since_ms INTEGER,
                    paused_minutes INTEGER NOT NULL DEFAULT 0,
                    decided_at_ms INTEGER,
                    assignee TEXT NOT NULL DEFAULT '',
                    overdue INTEGER NOT NULL DEFAULT 0,
                    fee_settled INTEGER NOT NULL DEFAULT 0,
                    version INTEGER NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    -- The dossier's details (form data, missing list, reason, result) as protobuf.
                    record BLOB NOT NULL,
                    UNIQUE (applicant_id, idempotency_key)
                ) STRICT;
                CREATE INDEX dossier_queue ON dossier (agency_code, state, appointment_at_ms);
                CREATE INDEX dossier_applicant ON dossier (applicant_id, submitted_at_ms);
                CREATE TABLE attachment (
                    id TEXT PRIMARY KEY NOT NULL,
                    dossier_id TEXT NOT NULL REFERENCES dossier(id),
                    position INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    media_type TEXT NOT NULL,
                    size_bytes INTEGER NOT NULL,
                    sha256_hex TEXT NOT NULL
                ) STRICT;
                CREATE INDEX attachment_dossier ON attachment (dossier_id, position);
                CREATE INDEX attachment_sha ON attachment (sha256_hex);
                CREATE TABLE history (
                    dossier_id TEXT NOT NULL REFERENCES dossier(id),
                    sequence INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    at_ms INTEGER NOT NULL,
                    from_state INTEGER NOT NULL,
                    to_state INTEGER NOT NULL,
                    action INTEGER NOT NULL,
                    note TEXT NOT NULL,
                    PRIMARY KEY (dossier_id, sequence)
                ) STRICT;
                -- History is append-only: the database itself refuses to change or remove it.
                CREATE TRIGGER history_no_update BEFORE UPDATE ON history
                    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
                CREATE TRIGGER history_no_delete BEFORE DELETE ON history
                    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
                -- The last receipt sequence used per agency and local day: incremented in the
                -- transaction that issues the code, so a number is never reused, even after a crash.
                CREATE TABLE receipt_sequence (
                    agency_code TEXT NOT NULL,
                    day TEXT NOT NULL,
                    last INTEGER NOT NULL,
                    PRIMARY KEY (agency_code, day)
                ) STRICT;
                CREATE TABLE document (
                    dossier_id TEXT NOT NULL REFERENCES dossier(id),
                    form TEXT NOT NULL,
                    number TEXT NOT NULL UNIQUE,
                    issued_at_ms INTEGER NOT NULL,
                    media_type TEXT NOT NULL,
                    content BLOB NOT NULL
                ) STRICT;
                CREATE INDEX document_dossier ON document (dossier_id);
                CREATE TABLE document_sequence (
                    agency_code TEXT NOT NULL,
                    form TEXT NOT NULL,
                    year INTEGER NOT NULL,
                    last INTEGER NOT NULL,
                    PRIMARY KEY (agency_code, form, year)
                ) STRICT;
                """)
        }
        migrations.register("dossier.v2.service-key") { db in
            // The key tracking PINs are derived from (see DossierBook.pin(for:)).
            try db.execute(sql: "CREATE TABLE service_key (id INTEGER PRIMARY KEY CHECK (id = 1), key BLOB NOT NULL) STRICT")
        }
        return migrations
    }
}
