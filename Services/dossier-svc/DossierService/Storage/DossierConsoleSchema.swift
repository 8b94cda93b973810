import DVCProto
import Foundation
import GRDB
import OneStop
import Storage

/// What the officers' console needs of the dossier table beyond the queue of `dossier.v3.scale`
/// (migration `dossier.v8.console-and-indicators`): the applicant's name in searchable form,
/// the submission order, and the number of dossiers per state kept as counters.
enum DossierConsoleSchema {
    /// `applicant_name`: `ApplicantName.searchKey` of the name in the form data (the record is
    /// protobuf, which SQL cannot read), written by the service with every insert and update.
    /// Indexes for the submission orders, with and without a state.
    static let searchAndOrder = """
        ALTER TABLE dossier ADD COLUMN applicant_name TEXT NOT NULL DEFAULT '';
        CREATE INDEX dossier_submitted ON dossier (agency_code, submitted_at_ms, id);
        CREATE INDEX dossier_submitted_state ON dossier (agency_code, state, submitted_at_ms, id);
        """

    /// The name column of the dossiers already stored, read from their records.
    static func fillApplicantNames(_ db: Database) throws {
        let update = try db.makeStatement(sql: "UPDATE dossier SET applicant_name = ? WHERE id = ?")
        let rows = try Row.fetchCursor(db, sql: "SELECT id, record FROM dossier")
        var names: [(String, String)] = []
        while let row = try rows.next() {
            let details = try DossierV1.Dossier(protobuf: row["record"] as Data)
            let key = ApplicantName.searchKey(ApplicantName.of(details.formData))
            if !key.isEmpty { names.append((row["id"], key)) }
        }
        for (id, key) in names { try update.execute(arguments: [key, id]) }
    }

    /// The same on either backend (the PostgreSQL form of the migration).
    static func fillApplicantNames(in db: any SQLConnection) throws {
        for row in try SQLRow.fetchAll(db, sql: "SELECT id, record FROM dossier") {
            let details = try DossierV1.Dossier(protobuf: row["record"] as Data)
            let key = ApplicantName.searchKey(ApplicantName.of(details.formData))
            if !key.isEmpty {
                try db.execute(sql: "UPDATE dossier SET applicant_name = ? WHERE id = ?", arguments: [key, row["id"] as String])
            }
        }
    }

    /// The number of dossiers of each agency in each state, kept by triggers in the
    /// transaction of every change (the console's tabs read them instead of counting an agency's
    /// history at every page). Filled from the dossiers already there.
    static let stateCounts = """
        CREATE TABLE agency_state_count (
            agency_code TEXT NOT NULL,
            state INTEGER NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (agency_code, state)
        ) STRICT, WITHOUT ROWID;
        INSERT INTO agency_state_count (agency_code, state, count)
            SELECT agency_code, state, COUNT(*) FROM dossier GROUP BY agency_code, state;
        CREATE TRIGGER dossier_state_count_insert AFTER INSERT ON dossier BEGIN
            INSERT INTO agency_state_count (agency_code, state, count) VALUES (NEW.agency_code, NEW.state, 1)
                ON CONFLICT (agency_code, state) DO UPDATE SET count = count + 1;
        END;
        CREATE TRIGGER dossier_state_count_update AFTER UPDATE OF agency_code, state ON dossier BEGIN
            UPDATE agency_state_count SET count = count - 1 WHERE agency_code = OLD.agency_code AND state = OLD.state;
            INSERT INTO agency_state_count (agency_code, state, count) VALUES (NEW.agency_code, NEW.state, 1)
                ON CONFLICT (agency_code, state) DO UPDATE SET count = count + 1;
        END;
        CREATE TRIGGER dossier_state_count_delete AFTER DELETE ON dossier BEGIN
            UPDATE agency_state_count SET count = count - 1 WHERE agency_code = OLD.agency_code AND state = OLD.state;
        END;
        """
}
