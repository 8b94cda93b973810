import Foundation
import Storage

/// The PostgreSQL form of the dossier migrations `dossier.v1` … `dossier.v10` (registered side
/// by side with their SQLite bodies in ``DossierSchema``): after all of them a PostgreSQL
/// database has the same tables, columns, indexes and trigger names as SQLite's.
///
/// What differs, and why:
/// - Types: INTEGER → BIGINT, BLOB → BYTEA; booleans stay integers 0/1. No STRICT, no WITHOUT ROWID.
/// - Triggers: PostgreSQL runs a function, so each SQLite trigger becomes a PL/pgSQL function
///   of the same name and a trigger of that name calling it, with the same timing, columns and body.
/// - Local dates: `strftime(…, 'unixepoch')` becomes `to_timestamp(…) AT TIME ZONE 'UTC'`
///   on the same seconds shifted by seven hours (Hà Nội time, no daylight saving).
/// - The change feed: SQLite's AFTER trigger rewrites the row it follows by rowid; PostgreSQL
///   has no rowid and sets `change_seq` in a BEFORE trigger instead, on the row being written.
///   The writes hold the database's write lock (``ServiceDatabase``), so the counter still
///   grows in commit order.
enum DossierPostgresSchema {
    /// A row trigger calling a function of the same name whose body is `body` (statements
    /// ending in `;`). AFTER triggers return NULL (ignored); BEFORE triggers return the row.
    static func trigger(_ name: String, _ timing: String, on table: String = "dossier", body: String,
                        returns: String = "NULL") -> String {
        """
        CREATE FUNCTION \(name)() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
        \(body)
        RETURN \(returns);
        END $$;
        CREATE TRIGGER \(name) \(timing) ON \(table) FOR EACH ROW EXECUTE FUNCTION \(name)();
        """
    }

    static func dropTrigger(_ name: String, on table: String = "dossier") -> String {
        "DROP TRIGGER \(name) ON \(table);\nDROP FUNCTION \(name)();"
    }

    /// A trigger refusing every UPDATE or DELETE of an append-only table, with SQLite's message.
    static func appendOnly(_ name: String, _ timing: String, table: String) -> String {
        trigger(name, timing, on: table, body: "RAISE EXCEPTION '\(table) is append-only';")
    }

    static let v1 = """
        CREATE TABLE dossier (
            id TEXT PRIMARY KEY NOT NULL,
            agency_code TEXT NOT NULL,
            procedure_code TEXT NOT NULL,
            applicant_id TEXT NOT NULL,
            state BIGINT NOT NULL CHECK (state BETWEEN 1 AND 10),
            channel BIGINT NOT NULL,
            supplement_from BIGINT,
            receipt_code TEXT UNIQUE,
            pin_salt BYTEA NOT NULL,
            pin_hash BYTEA NOT NULL,
            submitted_at_ms BIGINT NOT NULL,
            received_at_ms BIGINT,
            appointment_at_ms BIGINT,
            paused_since_ms BIGINT,
            paused_minutes BIGINT NOT NULL DEFAULT 0,
            decided_at_ms BIGINT,
            assignee TEXT NOT NULL DEFAULT '',
            overdue BIGINT NOT NULL DEFAULT 0,
            fee_settled BIGINT NOT NULL DEFAULT 0,
            version BIGINT NOT NULL,
            idempotency_key TEXT NOT NULL,
            record BYTEA NOT NULL,
            UNIQUE (applicant_id, idempotency_key)
        );
        CREATE INDEX dossier_queue ON dossier (agency_code, state, appointment_at_ms);
        CREATE INDEX dossier_applicant ON dossier (applicant_id, submitted_at_ms);
        CREATE TABLE attachment (
            id TEXT PRIMARY KEY NOT NULL,
            dossier_id TEXT NOT NULL REFERENCES dossier(id),
            position BIGINT NOT NULL,
            name TEXT NOT NULL,
            media_type TEXT NOT NULL,
            size_bytes BIGINT NOT NULL,
            sha256_hex TEXT NOT NULL
        );
        CREATE INDEX attachment_dossier ON attachment (dossier_id, position);
        CREATE INDEX attachment_sha ON attachment (sha256_hex);
        CREATE TABLE history (
            dossier_id TEXT NOT NULL REFERENCES dossier(id),
            sequence BIGINT NOT NULL,
            actor TEXT NOT NULL,
            at_ms BIGINT NOT NULL,
            from_state BIGINT NOT NULL,
            to_state BIGINT NOT NULL,
            action BIGINT NOT NULL,
            note TEXT NOT NULL,
            PRIMARY KEY (dossier_id, sequence)
        );
        \(appendOnly("history_no_update", "BEFORE UPDATE", table: "history"))
        \(appendOnly("history_no_delete", "BEFORE DELETE", table: "history"))
        CREATE TABLE receipt_sequence (
            agency_code TEXT NOT NULL,
            day TEXT NOT NULL,
            last BIGINT NOT NULL,
            PRIMARY KEY (agency_code, day)
        );
        CREATE TABLE document (
            dossier_id TEXT NOT NULL REFERENCES dossier(id),
            form TEXT NOT NULL,
            number TEXT NOT NULL UNIQUE,
            issued_at_ms BIGINT NOT NULL,
            media_type TEXT NOT NULL,
            content BYTEA NOT NULL
        );
        CREATE INDEX document_dossier ON document (dossier_id);
        CREATE TABLE document_sequence (
            agency_code TEXT NOT NULL,
            form TEXT NOT NULL,
            year BIGINT NOT NULL,
            last BIGINT NOT NULL,
            PRIMARY KEY (agency_code, form, year)
        );
        """

    static let v2 = "CREATE TABLE service_key (id BIGINT PRIMARY KEY CHECK (id = 1), key BYTEA NOT NULL)"

    /// The local (UTC+7) year of a Unix-milliseconds column.
    static func year(_ column: String) -> String {
        "CAST(EXTRACT(YEAR FROM to_timestamp(\(column) / 1000 + \(7 * 3600)) AT TIME ZONE 'UTC') AS BIGINT)"
    }

    private static let statisticsColumns = DossierSchema.statisticsColumns

    private static func contribution(_ r: String, sign: String, agency: String? = nil, extra: String = "") -> String {
        // The stored row's columns are named by their table: bare, they are ambiguous with excluded's.
        let sql = "INSERT INTO agency_statistics (\(statisticsColumns)) "
            + DossierSchema.contribution(r, sign: sign, agency: agency, extra: extra, yearOf: year)
        return ["received", "on_time", "late", "in_progress", "overdue"].reduce(sql) { sql, column in
            sql.replacingOccurrences(of: "\(column) = \(column) +", with: "\(column) = agency_statistics.\(column) +")
        }
    }

    private static func receiving(_ r: String, _ sign: String) -> String {
        contribution(r, sign: sign, agency: "\(r).receiving_agency",
                     extra: "AND \(r).receiving_agency IS NOT NULL AND \(r).receiving_agency != \(r).agency_code")
    }

    static var v3: String {
        """
        \(DossierSchema.scaleIndexes)
        CREATE TABLE agency_statistics (
            agency_code TEXT NOT NULL,
            year BIGINT NOT NULL,
            received BIGINT NOT NULL,
            on_time BIGINT NOT NULL,
            late BIGINT NOT NULL,
            in_progress BIGINT NOT NULL,
            overdue BIGINT NOT NULL,
            PRIMARY KEY (agency_code, year)
        );
        INSERT INTO agency_statistics (\(statisticsColumns))
            SELECT agency_code, year, SUM(received), SUM(on_time), SUM(late), SUM(in_progress), SUM(overdue) FROM (
                SELECT agency_code,
                    \(year("received_at_ms")) AS year,
                    1 AS received,
                    CASE WHEN decided_at_ms IS NOT NULL AND decided_at_ms <= appointment_at_ms THEN 1 ELSE 0 END AS on_time,
                    CASE WHEN decided_at_ms IS NOT NULL AND decided_at_ms > appointment_at_ms THEN 1 ELSE 0 END AS late,
                    CASE WHEN decided_at_ms IS NULL AND state IN (2, 4, 5, 6) THEN 1 ELSE 0 END AS in_progress,
                    CASE WHEN decided_at_ms IS NULL AND state IN (2, 4, 5, 6) AND overdue = 1 THEN 1 ELSE 0 END AS overdue
                FROM dossier WHERE received_at_ms IS NOT NULL) AS contributions
            GROUP BY agency_code, year;
        \(trigger("dossier_statistics_insert", "AFTER INSERT", body: contribution("NEW", sign: "1")))
        \(trigger("dossier_statistics_update",
                  "AFTER UPDATE OF agency_code, state, received_at_ms, appointment_at_ms, decided_at_ms, overdue",
                  body: contribution("OLD", sign: "-1") + "\n" + contribution("NEW", sign: "1")))
        \(trigger("dossier_statistics_delete", "AFTER DELETE", body: contribution("OLD", sign: "-1")))
        """
    }

    static let v4 = """
        CREATE TABLE access_log (
            sequence BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            at_ms BIGINT NOT NULL,
            applicant_id TEXT NOT NULL,
            dossier_id TEXT NOT NULL REFERENCES dossier(id),
            receipt_code TEXT NOT NULL,
            reader TEXT NOT NULL,
            agency_code TEXT NOT NULL,
            api_key_id TEXT NOT NULL,
            method TEXT NOT NULL,
            file_id TEXT NOT NULL,
            file_name TEXT NOT NULL
        );
        CREATE INDEX access_log_applicant ON access_log (applicant_id, sequence);
        \(appendOnly("access_log_no_update", "BEFORE UPDATE", table: "access_log"))
        \(appendOnly("access_log_no_delete", "BEFORE DELETE", table: "access_log"))
        CREATE TABLE tracking_failure (
            subject TEXT NOT NULL,
            at_ms BIGINT NOT NULL
        );
        CREATE INDEX tracking_failure_subject ON tracking_failure (subject, at_ms);
        """

    static let v5 = "ALTER TABLE history ADD COLUMN api_key TEXT NOT NULL DEFAULT ''"

    static let v6 = """
        CREATE TABLE act_request (
            dossier_id TEXT NOT NULL REFERENCES dossier(id),
            actor TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            fingerprint BYTEA NOT NULL,
            version BIGINT NOT NULL,
            PRIMARY KEY (dossier_id, actor, idempotency_key)
        )
        """

    static var v7: String {
        """
        ALTER TABLE dossier ADD COLUMN receiving_agency TEXT;
        ALTER TABLE attachment ADD COLUMN required_document TEXT NOT NULL DEFAULT '';
        ALTER TABLE attachment ADD COLUMN digitised_by TEXT NOT NULL DEFAULT '';
        ALTER TABLE attachment ADD COLUMN digitised_at_ms BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE attachment ADD COLUMN reused_from TEXT NOT NULL DEFAULT '';
        CREATE INDEX dossier_queue_receiving ON dossier (receiving_agency, COALESCE(appointment_at_ms, 9223372036854775807), id)
            WHERE receiving_agency IS NOT NULL;
        CREATE INDEX dossier_queue_receiving_state ON dossier (receiving_agency, state, COALESCE(appointment_at_ms, 9223372036854775807), id)
            WHERE receiving_agency IS NOT NULL;
        CREATE INDEX dossier_received_receiving ON dossier (receiving_agency, received_at_ms, id)
            WHERE receiving_agency IS NOT NULL;
        \(trigger("dossier_receiving_statistics_insert", "AFTER INSERT", body: receiving("NEW", "1")))
        \(trigger("dossier_receiving_statistics_update",
                  "AFTER UPDATE OF agency_code, receiving_agency, state, received_at_ms, appointment_at_ms, decided_at_ms, overdue",
                  body: receiving("OLD", "-1") + "\n" + receiving("NEW", "1")))
        \(trigger("dossier_receiving_statistics_delete", "AFTER DELETE", body: receiving("OLD", "-1")))
        """
    }

    /// `dossier.v8.console-and-indicators`: the console's columns and counters, and the monthly
    /// statistics replacing the yearly ones. Code, because the applicant names of the dossiers
    /// already there are read from their protobuf records.
    static func v8(_ db: any SQLConnection) throws {
        try db.execute(sql: DossierConsoleSchema.searchAndOrder)
        try DossierConsoleSchema.fillApplicantNames(in: db)
        try db.execute(sql: stateCounts)
        try db.execute(sql: monthStatistics)
    }

    static var stateCounts: String {
        """
        CREATE TABLE agency_state_count (
            agency_code TEXT NOT NULL,
            state BIGINT NOT NULL,
            count BIGINT NOT NULL,
            PRIMARY KEY (agency_code, state)
        );
        INSERT INTO agency_state_count (agency_code, state, count)
            SELECT agency_code, state, COUNT(*) FROM dossier GROUP BY agency_code, state;
        \(trigger("dossier_state_count_insert", "AFTER INSERT", body: """
            INSERT INTO agency_state_count AS c (agency_code, state, count) VALUES (NEW.agency_code, NEW.state, 1)
                ON CONFLICT (agency_code, state) DO UPDATE SET count = c.count + 1;
            """))
        \(trigger("dossier_state_count_update", "AFTER UPDATE OF agency_code, state", body: """
            UPDATE agency_state_count SET count = count - 1 WHERE agency_code = OLD.agency_code AND state = OLD.state;
            INSERT INTO agency_state_count AS c (agency_code, state, count) VALUES (NEW.agency_code, NEW.state, 1)
                ON CONFLICT (agency_code, state) DO UPDATE SET count = c.count + 1;
            """))
        \(trigger("dossier_state_count_delete", "AFTER DELETE", body: """
            UPDATE agency_state_count SET count = count - 1 WHERE agency_code = OLD.agency_code AND state = OLD.state;
            """))
        """
    }

    static var monthStatistics: String {
        typealias M = DossierMonthStatistics
        let columns = M.allColumns.map { "\($0) BIGINT NOT NULL DEFAULT 0" }.joined(separator: ",\n    ")
        let watched = "agency_code, receiving_agency, state, channel, submitted_at_ms, received_at_ms, appointment_at_ms, decided_at_ms, overdue, fee_settled"
        func contribution(_ r: String, _ sign: Int, receiving: Bool = false) -> String {
            M.contribution(r, sign: sign, atReceivingPoint: receiving, postgres: true)
        }
        return """
            \(dropTrigger("dossier_statistics_insert"))
            \(dropTrigger("dossier_statistics_update"))
            \(dropTrigger("dossier_statistics_delete"))
            \(dropTrigger("dossier_receiving_statistics_insert"))
            \(dropTrigger("dossier_receiving_statistics_update"))
            \(dropTrigger("dossier_receiving_statistics_delete"))
            DROP TABLE agency_statistics;
            CREATE TABLE agency_month_statistics (
                agency_code TEXT NOT NULL,
                month BIGINT NOT NULL,
                \(columns),
                PRIMARY KEY (agency_code, month)
            );
            \(M.fill(agencyColumn: "agency_code", condition: "TRUE", postgres: true))
            \(M.fill(agencyColumn: "receiving_agency", condition: "d.receiving_agency IS NOT NULL AND d.receiving_agency != d.agency_code",
                     postgres: true))
            \(trigger("dossier_month_statistics_insert", "AFTER INSERT",
                      body: contribution("NEW", 1) + "\n" + contribution("NEW", 1, receiving: true)))
            \(trigger("dossier_month_statistics_update", "AFTER UPDATE OF \(watched)",
                      body: [contribution("OLD", -1), contribution("NEW", 1),
                             contribution("OLD", -1, receiving: true), contribution("NEW", 1, receiving: true)].joined(separator: "\n")))
            \(trigger("dossier_month_statistics_delete", "AFTER DELETE",
                      body: contribution("OLD", -1) + "\n" + contribution("OLD", -1, receiving: true)))
            """
    }

    static let v9 = "ALTER TABLE document ADD COLUMN circular TEXT NOT NULL DEFAULT '01/2018/TT-VPCP'"

    /// The change feed: the counter's next number set on the row being inserted or changed.
    static var v10: String {
        let next = """
            UPDATE dossier_change_counter SET value = value + 1 WHERE id = 1 RETURNING value INTO NEW.change_seq;
            """
        return """
            ALTER TABLE dossier ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
            -- Existing dossiers enter the feed in the order they were written (SQLite's rowid order;
            -- here the rows' physical order, where each insert or update put its row last).
            UPDATE dossier SET change_seq = numbered.n FROM (
                SELECT id, ROW_NUMBER() OVER (ORDER BY ctid) AS n FROM dossier) AS numbered
                WHERE dossier.id = numbered.id;
            CREATE TABLE dossier_change_counter (id BIGINT PRIMARY KEY CHECK (id = 1), value BIGINT NOT NULL);
            INSERT INTO dossier_change_counter (id, value) VALUES (1, (SELECT COALESCE(MAX(change_seq), 0) FROM dossier));
            \(trigger("dossier_change_insert", "BEFORE INSERT", body: next, returns: "NEW"))
            \(trigger("dossier_change_update", "BEFORE UPDATE OF version, overdue, receipt_code", body: next, returns: "NEW"))
            CREATE INDEX dossier_changes ON dossier (agency_code, change_seq, id);
            CREATE INDEX dossier_changes_receiving ON dossier (receiving_agency, change_seq, id) WHERE receiving_agency IS NOT NULL;
            CREATE INDEX dossier_decided ON dossier (agency_code, decided_at_ms, id) WHERE decided_at_ms IS NOT NULL;
            """
    }

    /// `dossier.v15.name-statistics`: statistics on the expression the queue's search by name
    /// filters on (`' ' || applicant_name`, see ``QueueSearch``). Without them PostgreSQL prices
    /// `LIKE '% word%'` at a fixed guess of a row or two, so it reads every dossier in parallel
    /// and sorts them (0.86 s over a million) instead of walking the agency's queue index in
    /// order until the page is full, as SQLite does; with them it knows "nguyen" is in four
    /// names of ten and walks the index (65 ms p99, docs/performance.md). ANALYZE fills them at
    /// once; autovacuum keeps them current.
    static let v15 = """
        CREATE STATISTICS dossier_applicant_name_words ON ((' ' || applicant_name)) FROM dossier;
        ANALYZE dossier;
        """
}
