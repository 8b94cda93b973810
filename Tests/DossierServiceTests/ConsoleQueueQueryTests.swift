import DVCProto
import Foundation
import OneStop
import Storage
import StorageTestKit
import Testing

@testable import DossierService

/// The queue as the officers' console reads it: search by identity number, receipt code or
/// name words, the submission orders paged with their tokens, the per-state counters, and the
/// migration that adds them to a database an earlier release left.
@Suite struct ConsoleQueueQueryTests {
    static let agency = "000.00.20.H26"
    static let other = "000.00.21.H26"

    static func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("console-queue-\(UUID().uuidString)").path
    }

    static func row(_ index: Int, agency: String = agency, name: String, applicant: String = "001099012345",
                    submittedAtMs: Int64, state: DossierV1.DossierState = .submitted, receipt: String? = nil) -> DossierRow {
        var details = DossierV1.Dossier()
        details.formData = ["nguoi_yeu_cau_ho_ten": name, "so_ban_sao": "1"]
        var row = DossierRow(id: String(format: "d%03d", index), agencyCode: agency, procedureCode: "P", applicantID: applicant,
                             channel: .online, pinSalt: Data([1]), pinHash: Data([2]), submittedAtMs: submittedAtMs,
                             idempotencyKey: "k\(index)", details: details)
        row.state = state
        row.receiptCode = receipt
        if receipt != nil {
            row.receivedAtMs = submittedAtMs + 1000
            row.appointmentAtMs = submittedAtMs + 86_400_000
        }
        return row
    }

    static let people: [DossierRow] = [
        row(1, name: "Nguyễn Văn An", applicant: "001099000001", submittedAtMs: 1_000, state: .received, receipt: "000.00.20.H26-260105-0001"),
        row(2, name: "Nguyễn Thị Hoa", applicant: "001099000002", submittedAtMs: 2_000, state: .received, receipt: "000.00.20.H26-260105-0002"),
        row(3, name: "Trần Văn Anh", applicant: "001099000003", submittedAtMs: 3_000, state: .received, receipt: "000.00.20.H26-260106-0001"),
        row(4, name: "Lê Nguyên", applicant: "001099000004", submittedAtMs: 4_000),
        row(5, name: "ĐẶNG Thị  Hoà", applicant: "001099000005", submittedAtMs: 5_000),
        // Another agency's dossier with the same applicant and name: never in this agency's queue.
        row(6, agency: other, name: "Nguyễn Văn An", applicant: "001099000001", submittedAtMs: 6_000),
    ]

    static func database(_ backend: SQLBackend) throws -> ServiceDatabase {
        let database = try DossierTestDatabases.make(backend)
        try database.write { db in for row in people { try row.insertAll(db) } }
        return database
    }

    static func ids(_ database: ServiceDatabase, search: String = "", order: DossierV1.QueueOrder = .appointment,
                    state: DossierV1.DossierState? = nil) throws -> [String] {
        try database.read { db in
            try DossierQueries.queue(.init(agency: agency, state: state, assignee: nil, dueBeforeMs: nil, overdueOnly: false,
                                           search: QueueSearch(search), order: order), after: nil, limit: 50, db).map(\.id)
        }
    }

    @Test("names fold to lower case without diacritics, one space between words")
    func nameKeys() {
        #expect(ApplicantName.searchKey("Nguyễn Văn Ánh") == "nguyen van anh")
        #expect(ApplicantName.searchKey("  ĐẶNG Thị  Hoà ") == "dang thi hoa")
        #expect(ApplicantName.searchKey("O'Brien-Trần, 2") == "o brien tran 2")
        #expect(ApplicantName.searchKey("%_*") == "")
        #expect(ApplicantName.of(["ho_ten": " ", "nguoi_yeu_cau_ho_ten": "Lê A"]) == "Lê A")
        #expect(ApplicantName.of(["so_ban_sao": "2"]) == "")
    }

    @Test("what was typed is recognised as an identity number, a receipt code or name words")
    func recognising() {
        #expect(QueueSearch("001099012345") == .identityNumber("001099012345"))
        #expect(QueueSearch(" 000.00.20.h26-2601 ") == .receiptCodePrefix("000.00.20.H26-2601"))
        #expect(QueueSearch("Nguyễn  văn") == .nameWords(["nguyen", "van"]))
        // Eleven digits are no identity number: read as a name word (which matches no name).
        #expect(QueueSearch("00109901234") == .nameWords(["00109901234"]))
        #expect(QueueSearch("   ") == nil)
        #expect(QueueSearch("%%") == nil)
        #expect(QueueSearch("a b c d e f g h i j") == .nameWords(["a", "b", "c", "d", "e", "f", "g", "h"]))
    }

    @Test("search by name words (each at a word's start, marks optional), identity number and receipt code, only in the agency", arguments: TestDatabases.backends)
    func searching(backend: SQLBackend) throws {
        let database = try Self.database(backend)
        #expect(try Self.ids(database, search: "nguyen an") == ["d001"])
        #expect(try Self.ids(database, search: "Văn") == ["d001", "d003"])
        #expect(try Self.ids(database, search: "hoa") == ["d002", "d005"])
        #expect(try Self.ids(database, search: "dang thi hoa") == ["d005"])
        // Word starts only: "guyen" is inside a word, not at its start.
        #expect(try Self.ids(database, search: "guyen").isEmpty)
        #expect(try Self.ids(database, search: "001099000001") == ["d001"])
        #expect(try Self.ids(database, search: "001099000009").isEmpty)
        #expect(try Self.ids(database, search: "000.00.20.H26-260105") == ["d001", "d002"])
        #expect(try Self.ids(database, search: "000.00.20.H26-260106-0001") == ["d003"])
        #expect(try Self.ids(database, search: "000.00.21.H26-2601").isEmpty)
        // With a state: both filters hold.
        #expect(try Self.ids(database, search: "nguyen", state: .submitted) == ["d004"])
        // A blank search is no filter.
        #expect(try Self.ids(database, search: " ").count == 5)
        // A changed form changes the name searched (the workflow's update writes it).
        try database.write { db in
            var row = try #require(try DossierRow.fetch(id: "d004", db))
            row.details.formData["nguoi_yeu_cau_ho_ten"] = "Lê Văn Bình"
            #expect(try row.update(expectedVersion: row.version, db))
        }
        #expect(try Self.ids(database, search: "binh") == ["d004"])
        #expect(try Self.ids(database, search: "le nguyen").isEmpty)
    }

    @Test("the submission orders, newest and oldest first, page through every dossier once with their tokens", arguments: TestDatabases.backends)
    func orders(backend: SQLBackend) throws {
        let database = try Self.database(backend)
        #expect(try Self.ids(database, order: .submittedNewest) == ["d005", "d004", "d003", "d002", "d001"])
        #expect(try Self.ids(database, order: .submittedOldest) == ["d001", "d002", "d003", "d004", "d005"])
        // The appointment order: dated ones first, then those not received yet.
        #expect(try Self.ids(database) == ["d001", "d002", "d003", "d004", "d005"])
        for order in [DossierV1.QueueOrder.submittedNewest, .submittedOldest, .appointment] {
            var seen: [String] = []
            var cursor: DossierQueries.Cursor?
            repeat {
                let filter = DossierQueries.QueueFilter(agency: Self.agency, state: nil, assignee: nil, dueBeforeMs: nil,
                                                        overdueOnly: false, order: order)
                let after = cursor
                let page = try database.read { db in try DossierQueries.queue(filter, after: after, limit: 2, db) }
                seen += page.map(\.id)
                cursor = page.count == 2 ? DossierQueries.cursor(after: page[1], order: order) : nil
                // The token survives the trip through a URL and names its order.
                if let token = cursor?.token { #expect(DossierQueries.Cursor(token) == cursor) }
            } while cursor != nil
            #expect(seen == (try Self.ids(database, order: order)), "\(order)")
        }
        // Earlier releases' tokens still read; a made-up one does not.
        let old = Data("q1|86400000|d001".utf8).base64EncodedString()
        #expect(DossierQueries.Cursor(old) == DossierQueries.Cursor(key: 86_400_000, id: "d001"))
        #expect(DossierQueries.Cursor(Data("q2|7|1|x".utf8).base64EncodedString()) == nil)
        #expect(DossierQueries.Cursor("not base64!") == nil)
    }

    @Test("the per-state counters equal counting the dossiers through inserts, state changes and deletes", arguments: TestDatabases.backends)
    func stateCounts(backend: SQLBackend) throws {
        let database = try Self.database(backend)
        func expectCounted(_ moment: String) throws {
            try database.read { db in
                for agency in [Self.agency, Self.other] {
                    let kept = try DossierQueries.stateCounts(agency: agency, db)
                    #expect(kept.map(\.state.rawValue) == Array(1...10), "\(moment)")
                    for count in kept {
                        let counted = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dossier WHERE agency_code = ? AND state = ?",
                                                       arguments: [agency, count.state.rawValue]) ?? 0
                        #expect(count.count == UInt64(counted), "\(moment): \(agency) state \(count.state.rawValue)")
                    }
                }
            }
        }
        try expectCounted("after inserts")
        #expect(try database.read { db in try DossierQueries.stateCounts(agency: Self.agency, db) }.first?.count == 2)
        try database.write { db in
            try db.execute(sql: "UPDATE dossier SET state = 4 WHERE id IN ('d001', 'd002')")
            try db.execute(sql: "UPDATE dossier SET state = 3 WHERE id = 'd004'")
        }
        try expectCounted("after state changes")
        try database.write { db in try db.execute(sql: "DELETE FROM dossier WHERE id = 'd003'") }
        try expectCounted("after a delete")
    }

    @Test("the migration fills names, state counts and monthly statistics for dossiers stored before it", arguments: TestDatabases.backends)
    func migration(backend: SQLBackend) throws {
        let place = try DossierTestPlace(backend)
        let earlier = try place.open(DossierSchema.migrations(through: "dossier.v6.act-idempotency"))
        try earlier.write { db in for row in Self.people { try row.insert(db) } }
        try earlier.close()
        let database = try place.openCurrent()
        #expect(try database.appliedMigrations().contains("dossier.v8.console-and-indicators"))
        #expect(try Self.ids(database, search: "nguyen an") == ["d001"])
        let counts = try database.read { db in try DossierQueries.stateCounts(agency: Self.agency, db) }
        #expect(counts.first { $0.state == .submitted }?.count == 2 && counts.first { $0.state == .received }?.count == 3)
        try database.read { db in
            for agency in [Self.agency, Self.other] {
                #expect(try DossierQueries.statistics(agency: agency, year: nil, db) == AgencyStatisticsTests.counted(agency: agency, year: nil, db))
            }
            let tables = try DossierTestDatabases.tables(db)
            #expect(!tables.contains("agency_statistics") && tables.contains("agency_month_statistics"))
        }
    }
}
