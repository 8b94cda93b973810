import DVCProto
@testable import DossierService
import Foundation
import Storage
import StorageTestKit
import Testing

/// The history's `api_key` column and the table of keyed actions, added to a database an
/// earlier release left: its entries stay as they were, with no key.
@Suite struct HistoryMigrationTests {
    @Test("entries written before the api_key column read back with an empty key; new ones keep theirs", arguments: TestDatabases.backends)
    func historyKeepsItsEntries(backend: SQLBackend) throws {
        let place = try DossierTestPlace(backend)
        let row = DossierRow(id: "d1", agencyCode: "000.00.07.H26", procedureCode: "P", applicantID: "001099012345",
                             channel: .online, pinSalt: Data([1]), pinHash: Data([2]), submittedAtMs: 0,
                             idempotencyKey: "k1", details: .init())
        let earlier = try place.open(DossierSchema.migrations(through: "dossier.v3.scale"))
        try earlier.write { db in
            try row.insert(db)
            try db.execute(sql: """
                INSERT INTO history (dossier_id, sequence, actor, at_ms, from_state, to_state, action, note)
                VALUES ('d1', 1, 'citizen:001099012345', 1, 0, 1, 0, 'nộp hồ sơ trực tuyến')
                """)
        }
        try earlier.close()

        let database = try place.openCurrent()
        try database.write { db in
            try DossierQueries.appendHistory("d1", actor: "officer:tn01", apiKey: "k3f9a0c21be7d", atMs: 2, from: .submitted,
                                             to: .received, action: .receive, note: "", db)
        }
        let entries = try database.read { db in try DossierQueries.history("d1", db) }
        #expect(entries.map(\.actor) == ["citizen:001099012345", "officer:tn01"])
        #expect(entries.map(\.apiKeyId) == ["", "k3f9a0c21be7d"])
        let tables = try database.read { db in try DossierTestDatabases.tables(db) }
        #expect(tables.contains("act_request"))
    }
}
