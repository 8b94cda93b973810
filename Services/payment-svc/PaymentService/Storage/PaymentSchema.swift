import GRDB
import Storage

/// payment-svc's tables. Amounts are integer đồng. A paid fee is unique per dossier (a partial
/// index), an order id is unique (what the provider's callbacks name), a receipt number is
/// unique and comes from a per-agency, per-year sequence taken in the paying transaction.
///
/// Each migration has its PostgreSQL form beside it (``Postgres``): after all of them both
/// backends hold the same tables, columns and indexes under the same names. The SQLite bodies
/// have shipped and are never edited; that is why this file alone still speaks GRDB.
enum PaymentSchema {
    static var migrations: Migrations {
        var migrations = Migrations()
        migrations.register("payment.v1", postgres: .sql(Postgres.v1)) { db in
            try db.execute(sql: """
                CREATE TABLE payment (
                    id TEXT PRIMARY KEY,
                    order_id TEXT NOT NULL UNIQUE,
                    dossier_id TEXT NOT NULL,
                    agency_code TEXT NOT NULL,
                    procedure_code TEXT NOT NULL,
                    applicant_id TEXT NOT NULL,
                    amount_vnd INTEGER NOT NULL CHECK (amount_vnd > 0),
                    state INTEGER NOT NULL,
                    provider TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    expires_at_ms INTEGER NOT NULL,
                    paid_at_ms INTEGER,
                    provider_transaction_id TEXT NOT NULL DEFAULT '',
                    receipt_number TEXT UNIQUE,
                    refunded_vnd INTEGER NOT NULL DEFAULT 0 CHECK (refunded_vnd >= 0 AND refunded_vnd <= amount_vnd),
                    reason TEXT NOT NULL DEFAULT '',
                    record BLOB NOT NULL,
                    UNIQUE (applicant_id, idempotency_key)
                ) STRICT;
                -- At most one successful payment per dossier fee (paid, or paid then refunded).
                CREATE UNIQUE INDEX payment_paid_once ON payment (dossier_id) WHERE state IN (2, 5);
                CREATE INDEX payment_dossier ON payment (dossier_id);
                CREATE INDEX payment_pending ON payment (expires_at_ms) WHERE state = 1;
                CREATE INDEX payment_paid_day ON payment (paid_at_ms) WHERE paid_at_ms IS NOT NULL;
                CREATE TABLE receipt_sequence (
                    agency_code TEXT NOT NULL,
                    year INTEGER NOT NULL,
                    last INTEGER NOT NULL,
                    PRIMARY KEY (agency_code, year)
                ) STRICT;
                CREATE TABLE receipt (
                    number TEXT PRIMARY KEY,
                    payment_id TEXT NOT NULL UNIQUE REFERENCES payment(id),
                    issued_at_ms INTEGER NOT NULL,
                    content BLOB NOT NULL
                ) STRICT;
                CREATE TABLE refund (
                    id TEXT PRIMARY KEY,
                    payment_id TEXT NOT NULL REFERENCES payment(id),
                    amount_vnd INTEGER NOT NULL CHECK (amount_vnd > 0),
                    reason TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    requested_at_ms INTEGER NOT NULL,
                    -- requested, done, failed
                    state TEXT NOT NULL,
                    provider_reference TEXT NOT NULL DEFAULT '',
                    provider_message TEXT NOT NULL DEFAULT ''
                ) STRICT;
                -- Every callback received, authentic or not: the audit trail of the money.
                CREATE TABLE callback_log (
                    id INTEGER PRIMARY KEY,
                    at_ms INTEGER NOT NULL,
                    provider TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    order_id TEXT NOT NULL,
                    query TEXT NOT NULL,
                    outcome TEXT NOT NULL
                ) STRICT;
                """)
        }
        migrations.register("payment.v2.refund-api-key", postgres: .sql(Postgres.v2)) { db in
            // The API key (its id) an agency system decided a refund through for the approver in
            // `actor`; empty when the approver acted themselves, and for refunds before.
            try db.execute(sql: "ALTER TABLE refund ADD COLUMN api_key TEXT NOT NULL DEFAULT ''")
        }
        // Refused callbacks are capped (CallbackLogLimits): the flag finds them, the index keeps
        // trimming the oldest cheap however many authentic rows there are.
        migrations.register("payment.v3.refused-callbacks", postgres: .sql(Postgres.v3)) { db in
            try db.execute(sql: """
                ALTER TABLE callback_log ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX callback_log_refused ON callback_log (refused, id);
                """)
        }
        // Exemptions recorded by an officer are payments of 0 đồng (state 7, exempt), so the
        // amount may now be 0; a partial refund has its own state (6); a settled fee (paid,
        // partially refunded, refunded or exempt) stays unique per dossier; who recorded a
        // counter payment or an exemption, and the category applied, are columns for audit.
        // SQLite cannot change a CHECK, hence the rebuild (foreign keys are checked at commit).
        migrations.register("payment.v4.counter-exemptions-partial-refunds", postgres: .sql(Postgres.v4)) { db in
            try db.execute(sql: """
                CREATE TABLE payment_v4 (
                    id TEXT PRIMARY KEY,
                    order_id TEXT NOT NULL UNIQUE,
                    dossier_id TEXT NOT NULL,
                    agency_code TEXT NOT NULL,
                    procedure_code TEXT NOT NULL,
                    applicant_id TEXT NOT NULL,
                    amount_vnd INTEGER NOT NULL CHECK (amount_vnd >= 0),
                    state INTEGER NOT NULL,
                    provider TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    expires_at_ms INTEGER NOT NULL,
                    paid_at_ms INTEGER,
                    provider_transaction_id TEXT NOT NULL DEFAULT '',
                    receipt_number TEXT UNIQUE,
                    refunded_vnd INTEGER NOT NULL DEFAULT 0 CHECK (refunded_vnd >= 0 AND refunded_vnd <= amount_vnd),
                    reason TEXT NOT NULL DEFAULT '',
                    record BLOB NOT NULL,
                    category TEXT NOT NULL DEFAULT '',
                    recorded_by TEXT NOT NULL DEFAULT '',
                    UNIQUE (applicant_id, idempotency_key),
                    CHECK (amount_vnd > 0 OR state = 7)
                ) STRICT;
                INSERT INTO payment_v4 (id, order_id, dossier_id, agency_code, procedure_code, applicant_id, amount_vnd, state,
                    provider, idempotency_key, created_at_ms, expires_at_ms, paid_at_ms, provider_transaction_id,
                    receipt_number, refunded_vnd, reason, record)
                SELECT id, order_id, dossier_id, agency_code, procedure_code, applicant_id, amount_vnd,
                    CASE WHEN state = 5 AND refunded_vnd < amount_vnd THEN 6 ELSE state END,
                    provider, idempotency_key, created_at_ms, expires_at_ms, paid_at_ms, provider_transaction_id,
                    receipt_number, refunded_vnd, reason, record
                FROM payment;
                DROP TABLE payment;
                ALTER TABLE payment_v4 RENAME TO payment;
                CREATE UNIQUE INDEX payment_settled_once ON payment (dossier_id) WHERE state IN (2, 5, 6, 7);
                CREATE INDEX payment_dossier ON payment (dossier_id);
                CREATE INDEX payment_pending ON payment (expires_at_ms) WHERE state = 1;
                CREATE INDEX payment_paid_day ON payment (paid_at_ms) WHERE paid_at_ms IS NOT NULL;
                CREATE INDEX payment_idempotency ON payment (idempotency_key);
                """)
        }
        // An agency's payments of a period, in the order made (ListPayments by agency, the
        // exports of agency systems).
        migrations.register("payment.v5.agency-period", postgres: .sql(Postgres.v5)) { db in
            try db.execute(sql: "CREATE INDEX payment_agency_created ON payment (agency_code, created_at_ms, id)")
        }
        return migrations
    }
}
