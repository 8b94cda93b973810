import DVCProto
@testable import DossierService
import Foundation
import OneStop
import Storage
import StorageTestKit
import Testing

/// The documents' `circular` column (migration dossier.v9.form-circular), added to a database an
/// earlier release left: every document it kept was of the 2018 set, the only one then, and
/// reads back as such (so its 05 stays the control slip, hidden from the citizen).
@Suite struct DocumentCircularMigrationTests {
    @Test("documents kept before the circular was recorded read back as Circular 01/2018/TT-VPCP", arguments: TestDatabases.backends)
    func earlierDocumentsAreOfThe2018Set(backend: SQLBackend) throws {
        let place = try DossierTestPlace(backend)
        defer { try? FileManager.default.removeItem(atPath: place.folder) }
        let row = DossierRow(id: "d1", agencyCode: "000.00.07.H26", procedureCode: "P", applicantID: "001099012345",
                             channel: .online, pinSalt: Data([1]), pinHash: Data([2]), submittedAtMs: 0,
                             idempotencyKey: "k1", details: .init())
        let earlier = try place.open(DossierSchema.migrations(through: "dossier.v8.console-and-indicators"))
        try earlier.write { db in
            try row.insert(db)
            for (form, at) in [("01", 1), ("05", 2)] {
                try db.execute(sql: """
                    INSERT INTO document (dossier_id, form, number, issued_at_ms, media_type, content)
                    VALUES ('d1', ?, ?, ?, 'text/html; charset=utf-8', ?)
                    """, arguments: [form, "\(form)/2026/000.00.07.H26-1", at, Data("<p>".utf8)])
            }
        }
        try earlier.close()

        let database = try place.openCurrent()
        let documents = try database.read { db in try DossierBook.documents(of: "d1", db) }
        #expect(documents.map(\.form) == ["01", "05"])
        #expect(documents.allSatisfy { $0.circular == "01/2018/TT-VPCP" })
        #expect(documents.map(\.oneStopForm) == [.receipt, .processingControl])
        #expect(documents.map(\.isForCitizens) == [true, false])
    }
}
