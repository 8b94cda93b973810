import GRDB
import Storage

/// The dossier database's migrations: the system of record. Shipped migrations are never
/// edited; a change is a new migration appended at the end.
enum DossierSchema {
    static var migrations: Migrations { migrations(through: nil) }

    /// The migrations up to and including `last` (all of them without it): tests build a
    /// database as an earlier release left it, then migrate it.
    static func migrations(through last: String?) -> Migrations {
        var migrations = Migrations()
        migrations.register("dossier.v1.create-tables", postgres: .sql(DossierPostgresSchema.v1)) { db in
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
        migrations.register("dossier.v2.service-key", postgres: .sql(DossierPostgresSchema.v2)) { db in
            // The key tracking PINs are derived from (see DossierBook.pin(for:)).
            try db.execute(sql: "CREATE TABLE service_key (id INTEGER PRIMARY KEY CHECK (id = 1), key BLOB NOT NULL) STRICT")
        }
        if last == "dossier.v2.service-key" { return migrations }
        migrations.register("dossier.v3.scale", postgres: .sql(DossierPostgresSchema.v3)) { db in
            try db.execute(sql: scaleIndexes)
            try db.execute(sql: agencyStatistics)
        }
        if last == "dossier.v3.scale" { return migrations }
        migrations.register("dossier.v4.access-log", postgres: .sql(DossierPostgresSchema.v4)) { db in
            try db.execute(sql: accessLog)
            try db.execute(sql: trackingFailures)
        }
        migrations.register("dossier.v5.history-api-key", postgres: .sql(DossierPostgresSchema.v5)) { db in
            // The API key (its id) an agency system acted through for the entry's actor: an
            // officer or citizen it vouched for is recorded together with the key that vouched.
            // Empty for the entries before, and for people and services acting themselves.
            try db.execute(sql: "ALTER TABLE history ADD COLUMN api_key TEXT NOT NULL DEFAULT ''")
        }
        migrations.register("dossier.v6.act-idempotency", postgres: .sql(DossierPostgresSchema.v6)) { db in
            // The actions taken with an idempotency key (ActRequests): a retried action answers
            // with the first one's result instead of acting twice.
            try db.execute(sql: """
                CREATE TABLE act_request (
                    dossier_id TEXT NOT NULL REFERENCES dossier(id),
                    actor TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    -- SHA-256 of the request (ActRequests.fingerprint): a key reused for another is refused.
                    fingerprint BLOB NOT NULL,
                    -- The dossier's version the action made.
                    version INTEGER NOT NULL,
                    PRIMARY KEY (dossier_id, actor, idempotency_key)
                ) STRICT, WITHOUT ROWID
                """)
        }
        if last == "dossier.v6.act-idempotency" { return migrations }
        migrations.register("dossier.v7.receiving-point", postgres: .sql(DossierPostgresSchema.v7)) { db in
            try db.execute(sql: receivingPoint)
        }
        if last == "dossier.v7.receiving-point" { return migrations }
        migrations.register("dossier.v8.console-and-indicators", postgres: .code { db in try DossierPostgresSchema.v8(db) }) { db in
            try db.execute(sql: DossierConsoleSchema.searchAndOrder)
            try DossierConsoleSchema.fillApplicantNames(db)
            try db.execute(sql: DossierConsoleSchema.stateCounts)
            try db.execute(sql: DossierMonthStatistics.schema)
        }
        if last == "dossier.v8.console-and-indicators" { return migrations }
        // Which circular's forms a document follows (setting one_stop_forms): "05" is the
        // control slip of Circular 01/2018/TT-VPCP and the stop notice of 03/2025/TT-VPCP.
        // Every document kept before was issued on the 2018 set.
        migrations.register("dossier.v9.form-circular", postgres: .sql(DossierPostgresSchema.v9)) { db in
            try db.execute(sql: "ALTER TABLE document ADD COLUMN circular TEXT NOT NULL DEFAULT '01/2018/TT-VPCP'")
        }
        if last == "dossier.v9.form-circular" { return migrations }
        // The change feed of agency systems (ListDossiers, order CHANGED) and the decision
        // periods of their queue filters.
        migrations.register("dossier.v10.change-feed", postgres: .sql(DossierPostgresSchema.v10)) { db in
            try db.execute(sql: DossierChangeFeedSchema.schema)
        }
        if last == "dossier.v10.change-feed" { return migrations }
        migrations.register("dossier.v11.drafts", postgres: .sql(DraftSchema.postgres)) { db in try db.execute(sql: DraftSchema.schema) }
        if last == "dossier.v11.drafts" { return migrations }
        migrations.register("dossier.v12.ratings", postgres: .sql(RatingSchema.postgres)) { db in try db.execute(sql: RatingSchema.schema) }
        if last == "dossier.v12.ratings" { return migrations }
        migrations.register("dossier.v13.signatures", postgres: .sql(DossierSignatureSchema.postgres)) { db in try db.execute(sql: DossierSignatureSchema.schema) }
        if last == "dossier.v13.signatures" { return migrations }
        migrations.register("dossier.v14.renditions", postgres: .sql(DocumentRenditionSchema.postgres)) { db in try db.execute(sql: DocumentRenditionSchema.schema) }
        if last == "dossier.v14.renditions" { return migrations }
        // PostgreSQL's planner learns how common the words of applicants' names are, so that a
        // search by name walks the agency's queue (DossierPostgresSchema.v15). SQLite walks it
        // already (its planner prefers the index that gives the order): nothing to do there.
        migrations.register("dossier.v15.name-statistics", postgres: .sql(DossierPostgresSchema.v15)) { _ in }
        return migrations
    }

    /// The receiving point apart from the competent agency (Decree 118/2025/NĐ-CP): a centre
    /// that registered a dossier for another agency has it in its queue (its own indexes, in
    /// the queue's order) and counts it in its statistics as received there. The competent
    /// agency counts it under `agency_code` as before; a dossier received by the competent
    /// agency itself is counted once.
    static var receivingPoint: String {
        let receiving = { (r: String, sign: String) in
            contribution(r, sign: sign, agency: "\(r).receiving_agency",
                         extra: "AND \(r).receiving_agency IS NOT NULL AND \(r).receiving_agency != \(r).agency_code")
        }
        return """
            ALTER TABLE dossier ADD COLUMN receiving_agency TEXT;
            -- What each file is: the required document, the officer who confirmed its scan
            -- (số hóa) and when, and the earlier dossier's file it was reused from.
            ALTER TABLE attachment ADD COLUMN required_document TEXT NOT NULL DEFAULT '';
            ALTER TABLE attachment ADD COLUMN digitised_by TEXT NOT NULL DEFAULT '';
            ALTER TABLE attachment ADD COLUMN digitised_at_ms INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE attachment ADD COLUMN reused_from TEXT NOT NULL DEFAULT '';
            CREATE INDEX dossier_queue_receiving ON dossier (receiving_agency, COALESCE(appointment_at_ms, 9223372036854775807), id)
                WHERE receiving_agency IS NOT NULL;
            CREATE INDEX dossier_queue_receiving_state ON dossier (receiving_agency, state, COALESCE(appointment_at_ms, 9223372036854775807), id)
                WHERE receiving_agency IS NOT NULL;
            CREATE INDEX dossier_received_receiving ON dossier (receiving_agency, received_at_ms, id)
                WHERE receiving_agency IS NOT NULL;
            CREATE TRIGGER dossier_receiving_statistics_insert AFTER INSERT ON dossier BEGIN
                INSERT INTO agency_statistics (\(statisticsColumns)) \(receiving("NEW", "1"))
            END;
            CREATE TRIGGER dossier_receiving_statistics_update
                AFTER UPDATE OF agency_code, receiving_agency, state, received_at_ms, appointment_at_ms, decided_at_ms, overdue
                ON dossier BEGIN
                INSERT INTO agency_statistics (\(statisticsColumns)) \(receiving("OLD", "-1"))
                INSERT INTO agency_statistics (\(statisticsColumns)) \(receiving("NEW", "1"))
            END;
            CREATE TRIGGER dossier_receiving_statistics_delete AFTER DELETE ON dossier BEGIN
                INSERT INTO agency_statistics (\(statisticsColumns)) \(receiving("OLD", "-1"))
            END;
            """
    }

    /// The queue's order is `COALESCE(appointment_at_ms, max)`, id (undated dossiers last): an
    /// index on exactly that key lets a page be read in order and stop after its rows, instead
    /// of sorting every dossier of the agency that matches. One per way the queue is filtered
    /// (all of the agency, by state, by assignee, overdue only), so none has to skip over a
    /// large part of an agency to find a page (an assignee's open dossiers come after years of
    /// their closed ones in appointment order, hence assignee and state together). The first index's (agency, state, appointment)
    /// served the queue with a sort and is superseded.
    static let scaleIndexes = """
        DROP INDEX dossier_queue;
        CREATE INDEX dossier_queue_all ON dossier (agency_code, COALESCE(appointment_at_ms, 9223372036854775807), id);
        CREATE INDEX dossier_queue_state ON dossier (agency_code, state, COALESCE(appointment_at_ms, 9223372036854775807), id);
        CREATE INDEX dossier_queue_assignee ON dossier (agency_code, assignee, COALESCE(appointment_at_ms, 9223372036854775807), id);
        CREATE INDEX dossier_queue_assignee_state ON dossier (agency_code, assignee, state, COALESCE(appointment_at_ms, 9223372036854775807), id);
        CREATE INDEX dossier_queue_overdue ON dossier (agency_code, COALESCE(appointment_at_ms, 9223372036854775807), id)
            WHERE overdue = 1;
        -- The tracking book: an agency's dossiers in the order received.
        CREATE INDEX dossier_received ON dossier (agency_code, received_at_ms, id);
        -- The deadline scanner's candidates: held by the agency, not yet marked overdue.
        CREATE INDEX dossier_deadline ON dossier (appointment_at_ms) WHERE overdue = 0 AND state IN (2, 4, 6);
        """

    /// A dossier's contribution to its agency's statistics, for the local year it was received,
    /// in the terms of `DossierQueries.statistics`: received, resolved on time, resolved late, in
    /// progress, in progress and overdue. `R` is the row (NEW or OLD); `sign` is 1 or -1.
    static func contribution(_ r: String, sign: String, agency: String? = nil, extra: String = "",
                             yearOf: (String) -> String = sqliteYear) -> String {
        """
        SELECT \(agency ?? "\(r).agency_code"),
            \(yearOf("\(r).received_at_ms")),
            \(sign),
            \(sign) * (CASE WHEN \(r).decided_at_ms IS NOT NULL AND \(r).decided_at_ms <= \(r).appointment_at_ms THEN 1 ELSE 0 END),
            \(sign) * (CASE WHEN \(r).decided_at_ms IS NOT NULL AND \(r).decided_at_ms > \(r).appointment_at_ms THEN 1 ELSE 0 END),
            \(sign) * (CASE WHEN \(r).decided_at_ms IS NULL AND \(r).state IN (2, 4, 5, 6) THEN 1 ELSE 0 END),
            \(sign) * (CASE WHEN \(r).decided_at_ms IS NULL AND \(r).state IN (2, 4, 5, 6) AND \(r).overdue = 1 THEN 1 ELSE 0 END)
        WHERE \(r).received_at_ms IS NOT NULL\(extra.isEmpty ? "" : " " + extra)
        ON CONFLICT (agency_code, year) DO UPDATE SET
            received = received + excluded.received, on_time = on_time + excluded.on_time,
            late = late + excluded.late, in_progress = in_progress + excluded.in_progress,
            overdue = overdue + excluded.overdue;
        """
    }

    /// The local (UTC+7) year of a Unix-milliseconds column, in SQLite.
    static func sqliteYear(_ column: String) -> String {
        "CAST(strftime('%Y', \(column) / 1000 + \(7 * 3600), 'unixepoch') AS INTEGER)"
    }

    static let statisticsColumns = "agency_code, year, received, on_time, late, in_progress, overdue"

    /// The statistics as counters per agency and local year of receipt, kept by triggers in the
    /// transaction of every change to a dossier (the workflow's update, the receipt code, the
    /// deadline scanner's mark, an apology's reset), so reading them costs the same with ten
    /// dossiers or ten million; counting rows at each request grew with the agency's history.
    /// Filled from the dossiers already there.
    static var agencyStatistics: String {
        """
        CREATE TABLE agency_statistics (
            agency_code TEXT NOT NULL,
            -- The local (UTC+7) year the dossiers were received.
            year INTEGER NOT NULL,
            received INTEGER NOT NULL,
            on_time INTEGER NOT NULL,
            late INTEGER NOT NULL,
            in_progress INTEGER NOT NULL,
            overdue INTEGER NOT NULL,
            PRIMARY KEY (agency_code, year)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO agency_statistics (\(statisticsColumns))
            SELECT agency_code, year, SUM(received), SUM(on_time), SUM(late), SUM(in_progress), SUM(overdue) FROM (
                SELECT agency_code,
                    CAST(strftime('%Y', received_at_ms / 1000 + \(7 * 3600), 'unixepoch') AS INTEGER) AS year,
                    1 AS received,
                    CASE WHEN decided_at_ms IS NOT NULL AND decided_at_ms <= appointment_at_ms THEN 1 ELSE 0 END AS on_time,
                    CASE WHEN decided_at_ms IS NOT NULL AND decided_at_ms > appointment_at_ms THEN 1 ELSE 0 END AS late,
                    CASE WHEN decided_at_ms IS NULL AND state IN (2, 4, 5, 6) THEN 1 ELSE 0 END AS in_progress,
                    CASE WHEN decided_at_ms IS NULL AND state IN (2, 4, 5, 6) AND overdue = 1 THEN 1 ELSE 0 END AS overdue
                FROM dossier WHERE received_at_ms IS NOT NULL)
            GROUP BY agency_code, year;
        CREATE TRIGGER dossier_statistics_insert AFTER INSERT ON dossier BEGIN
            INSERT INTO agency_statistics (\(statisticsColumns)) \(contribution("NEW", sign: "1"))
        END;
        CREATE TRIGGER dossier_statistics_update
            AFTER UPDATE OF agency_code, state, received_at_ms, appointment_at_ms, decided_at_ms, overdue ON dossier BEGIN
            INSERT INTO agency_statistics (\(statisticsColumns)) \(contribution("OLD", sign: "-1"))
            INSERT INTO agency_statistics (\(statisticsColumns)) \(contribution("NEW", sign: "1"))
        END;
        CREATE TRIGGER dossier_statistics_delete AFTER DELETE ON dossier BEGIN
            INSERT INTO agency_statistics (\(statisticsColumns)) \(contribution("OLD", sign: "-1"))
        END;
        """
    }

    /// The data tracker ("Ai đã xem hồ sơ của tôi"): every read of a citizen's dossier, files
    /// or payments by an officer or an agency system. Append-only like the history, and for
    /// the same reason: a log that whoever it records could edit would prove nothing.
    /// `applicant_id` is copied in so the citizen's list is one index range.
    static let accessLog = """
        CREATE TABLE access_log (
            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
            at_ms INTEGER NOT NULL,
            applicant_id TEXT NOT NULL,
            dossier_id TEXT NOT NULL REFERENCES dossier(id),
            receipt_code TEXT NOT NULL,
            reader TEXT NOT NULL,
            agency_code TEXT NOT NULL,
            api_key_id TEXT NOT NULL,
            method TEXT NOT NULL,
            file_id TEXT NOT NULL,
            file_name TEXT NOT NULL
        ) STRICT;
        CREATE INDEX access_log_applicant ON access_log (applicant_id, sequence);
        CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
            BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
        CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
            BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
        """

    /// Failed tracking PINs, one row per failure under two subjects ("code:<receipt code>",
    /// "address:<client>"); rows older than the lockout window are pruned as new ones come.
    static let trackingFailures = """
        CREATE TABLE tracking_failure (
            subject TEXT NOT NULL,
            at_ms INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX tracking_failure_subject ON tracking_failure (subject, at_ms);
        """
}
