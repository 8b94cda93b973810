/// The tables of citizens' satisfaction ratings (`dossier.v12.ratings`, docs/satisfaction.md).
///
/// Two tables that share nothing, so no query can tell which dossier (and so which citizen, or
/// which officer's work) a rating is about:
/// - `rating`: the scores and the comment with only the agency, the procedure and the local
///   month (`period`, yyyymm) — no dossier id, no citizen, no officer, no time finer than the
///   month. Its key is a random id and the table has no rowid (WITHOUT ROWID: rows are kept in
///   key order), so neither the key nor the storage order tells which rating came first.
/// - `rated_dossier`: only that a dossier has been rated, to refuse a second rating; no score,
///   no time, no agency. Also WITHOUT ROWID, ordered by dossier id.
/// Both rows are written in one transaction; nothing else (history, outbox, access log)
/// records the rating.
enum RatingSchema {
    static let schema = """
        CREATE TABLE rating (
            id TEXT PRIMARY KEY NOT NULL,
            agency_code TEXT NOT NULL,
            procedure_code TEXT NOT NULL,
            period INTEGER NOT NULL,
            publicity INTEGER NOT NULL CHECK (publicity BETWEEN 1 AND 3),
            timeliness INTEGER NOT NULL CHECK (timeliness BETWEEN 1 AND 3),
            conduct INTEGER NOT NULL CHECK (conduct BETWEEN 1 AND 3),
            fees INTEGER NOT NULL CHECK (fees BETWEEN 1 AND 3),
            result INTEGER NOT NULL CHECK (result BETWEEN 1 AND 3),
            comment TEXT NOT NULL DEFAULT ''
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX rating_agency_period ON rating (agency_code, period);
        CREATE TABLE rated_dossier (dossier_id TEXT PRIMARY KEY NOT NULL) STRICT, WITHOUT ROWID;
        """

    /// `schema` in PostgreSQL: the same tables, columns and index. PostgreSQL has no rowid and no
    /// WITHOUT ROWID: its tables are heaps, which keep rows roughly in the order they were
    /// written (a row's `ctid` shows it) until the table is rewritten. The service never reads
    /// that order (every query counts, averages or sorts by the text), but whoever reads the
    /// database files or the table directly could; docs/satisfaction.md says so.
    static let postgres = """
        CREATE TABLE rating (
            id TEXT PRIMARY KEY NOT NULL,
            agency_code TEXT NOT NULL,
            procedure_code TEXT NOT NULL,
            period BIGINT NOT NULL,
            publicity BIGINT NOT NULL CHECK (publicity BETWEEN 1 AND 3),
            timeliness BIGINT NOT NULL CHECK (timeliness BETWEEN 1 AND 3),
            conduct BIGINT NOT NULL CHECK (conduct BETWEEN 1 AND 3),
            fees BIGINT NOT NULL CHECK (fees BETWEEN 1 AND 3),
            result BIGINT NOT NULL CHECK (result BETWEEN 1 AND 3),
            comment TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX rating_agency_period ON rating (agency_code, period);
        CREATE TABLE rated_dossier (dossier_id TEXT PRIMARY KEY NOT NULL);
        """
}
