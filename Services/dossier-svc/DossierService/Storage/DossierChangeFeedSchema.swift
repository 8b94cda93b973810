/// The change feed's column and the indexes of the agency systems' filters
/// (`dossier.v10.change-feed`).
///
/// Every insert of a dossier and every change of it (a new version, the overdue mark, the
/// receipt code) takes the next number of one counter into `change_seq`, in the same
/// transaction, by triggers, so no write path can forget it. The counter is a number, not a
/// clock: SQLite commits one writer at a time, so a later commit always has a larger number, and a
/// system that read up to number n has seen every change up to n — a timestamp taken before
/// the transaction could commit after a later one and be skipped.
enum DossierChangeFeedSchema {
    static let schema = """
        ALTER TABLE dossier ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
        -- Existing dossiers enter the feed in the order they were written.
        UPDATE dossier SET change_seq = rowid;
        CREATE TABLE dossier_change_counter (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL) STRICT;
        INSERT INTO dossier_change_counter (id, value) VALUES (1, (SELECT COALESCE(MAX(change_seq), 0) FROM dossier));
        CREATE TRIGGER dossier_change_insert AFTER INSERT ON dossier BEGIN
            UPDATE dossier_change_counter SET value = value + 1 WHERE id = 1;
            UPDATE dossier SET change_seq = (SELECT value FROM dossier_change_counter WHERE id = 1) WHERE rowid = NEW.rowid;
        END;
        CREATE TRIGGER dossier_change_update AFTER UPDATE OF version, overdue, receipt_code ON dossier BEGIN
            UPDATE dossier_change_counter SET value = value + 1 WHERE id = 1;
            UPDATE dossier SET change_seq = (SELECT value FROM dossier_change_counter WHERE id = 1) WHERE rowid = NEW.rowid;
        END;
        CREATE INDEX dossier_changes ON dossier (agency_code, change_seq, id);
        CREATE INDEX dossier_changes_receiving ON dossier (receiving_agency, change_seq, id) WHERE receiving_agency IS NOT NULL;
        -- Decided in a period (the filters by decision date, the exports of decisions).
        CREATE INDEX dossier_decided ON dossier (agency_code, decided_at_ms, id) WHERE decided_at_ms IS NOT NULL;
        """
}
