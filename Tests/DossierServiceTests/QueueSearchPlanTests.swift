import DVCProto
import Foundation
import RPCCore
import Storage
import StorageTestKit
import Testing

@testable import DossierService

/// The queue's searches, planned over enough dossiers for the planner's statistics to matter
/// (20,000 over two weeks, names as common as in life: four in ten are Nguyễn) and with nothing
/// priced out, as at a million dossiers (docs/performance.md):
///
/// - by name, for words that many names share, the plan must walk the agency's queue index in
///   order, stopping once the page is full, as SQLite does. (For a rare name, reading a table
///   this small whole is rightly cheaper; over a million dossiers the walk wins again.)
/// - by receipt code or identity number, it must read the few rows of their own index and sort
///   them, never walk the agency's queue hoping to meet them: a receipt code's day lies deep in
///   the queue, which the planner cannot know (it assumes the matches spread evenly). On PostgreSQL that needs the statistics of `dossier.v15.name-statistics`:
/// without them the planner guesses that a `LIKE '% word%'` keeps a row or two, and reads the
/// whole table to sort it (what a million dossiers showed: 0.86 s a search).
@Suite(.serialized) struct QueueSearchPlanTests {
    static let agency = "000.01.20.H26"
    static let families = [("Nguyễn", 40), ("Trần", 11), ("Lê", 10), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4), ("Phan", 4),
                           ("Vũ", 4), ("Võ", 4), ("Đặng", 3), ("Bùi", 3), ("Đỗ", 3), ("Ngô", 2)]
    static let middles = ["Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Hữu", "Thanh"]
    static let givens = ["An", "Bình", "Hải", "Hoa", "Lan", "Minh", "Nam", "Phương", "Quân", "Trang", "Tuấn", "Hùng", "Linh",
                         "Dũng", "Hà", "Hương"]

    /// A dossier database through migration `last`, holding `count` dossiers (four in five in
    /// the agency, received and dated), its statistics gathered as autovacuum would.
    static func database(_ backend: SQLBackend, through last: String?, count: Int = 20_000) throws -> ServiceDatabase {
        let database = try TestDatabases.make(backend, name: "dossier", migrations: DossierSchema.migrations(through: last))
        // Seeded: the same dossiers, the same statistics and the same plans on every run.
        var random = IDGenerator(seed: 2026)
        let familyPool = families.flatMap { Array(repeating: $0.0, count: $0.1) }
        let rows = (0..<count).map { index -> DossierRow in
            var details = DossierV1.Dossier()
            let name = [familyPool.randomElement(using: &random)!, middles.randomElement(using: &random)!,
                        givens.randomElement(using: &random)!].joined(separator: " ")
            details.formData = ["nguoi_yeu_cau_ho_ten": name]
            let submitted = Int64(index) * 60_000
            var row = DossierRow(id: String(format: "d%06d", index), agencyCode: index % 5 == 0 ? "000.02.20.H26" : agency,
                                 procedureCode: "P", applicantID: String(format: "0010990%05d", index), channel: .online,
                                 pinSalt: Data([1]), pinHash: Data([2]), submittedAtMs: submitted,
                                 idempotencyKey: "k\(index)", details: details)
            row.state = .received
            row.receivedAtMs = submitted + 1_000
            // Receipt codes numbered per agency and day, as the receiving desk gives them.
            row.receiptCode = String(format: "%@-2601%02d-%05d", row.agencyCode, 1 + index / 1_440, index)
            row.appointmentAtMs = submitted + 86_400_000 * Int64.random(in: 1...15, using: &random)
            return row
        }
        try database.write { db in
            try DossierRow.insertAll(rows, db)
            try db.execute(sql: "ANALYZE")
        }
        return database
    }

    /// The plan of the first page of a search in the agency's queue, nothing priced out.
    static func plan(_ search: String, _ database: ServiceDatabase) throws -> [String] {
        let filter = DossierQueries.QueueFilter(agency: agency, overdueOnly: false, search: QueueSearch(search))
        let (sql, arguments) = DossierQueries.queueSQL(filter, after: nil, limit: 21, backend: database.backend)
        return try database.read { db in try DossierBulkLoader.plan(sql, arguments: arguments, db) }
    }

    @Test("a search by name walks the agency's queue index in order, with the migrations' statistics", arguments: TestDatabases.backends)
    func walksTheQueueIndex(backend: SQLBackend) throws {
        let database = try Self.database(backend, through: nil)
        for search in ["Nguyễn Văn", "nguyen thi", "le"] {
            let plan = try Self.plan(search, database)
            switch backend {
            case .sqlite:
                #expect(plan.contains { $0.contains("USING INDEX dossier_queue_all") }, "\(search): \(plan)")
                #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(search): \(plan)")
            case .postgres:
                #expect(plan.contains { $0.contains("Index Scan using dossier_queue_all") }, "\(search): \(plan)")
                #expect(!plan.contains { $0.contains("Sort") || $0.contains("Seq Scan") }, "\(search): \(plan)")
            }
        }
        // And it finds what the words select, in queue order.
        let page = try database.read { db in
            try DossierQueries.queue(.init(agency: Self.agency, overdueOnly: false, search: QueueSearch("nguyen van")), after: nil, limit: 21, db)
        }
        #expect(page.count == 21)
        #expect(page.allSatisfy { $0.agencyCode == Self.agency && $0.applicantNameKey.hasPrefix("nguyen van ") })
        let keys = page.map { ($0.appointmentAtMs ?? .max, $0.id) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test("a search by receipt code or identity number reads its own index, even for a day deep in the queue", arguments: TestDatabases.backends)
    func receiptCodeAndIdentityReadTheirIndex(backend: SQLBackend) throws {
        let database = try Self.database(backend, through: nil)
        // The 12th of the 14 days: most of the agency's queue comes before it.
        let receiptDay = "\(Self.agency)-260112"
        let receiptPlan = try Self.plan(receiptDay, database)
        let applicant = "001099000001"  // dossier 1, in the agency
        let identityPlan = try Self.plan(applicant, database)
        switch backend {
        case .sqlite:
            #expect(receiptPlan.contains { $0.contains("receipt_code>?") }, "\(receiptPlan)")
            #expect(identityPlan.contains { $0.contains("USING INDEX dossier_applicant") }, "\(identityPlan)")
        case .postgres:
            #expect(receiptPlan.contains { $0.contains("dossier_receipt_code_key") }, "\(receiptPlan)")
            #expect(!receiptPlan.contains { $0.contains("dossier_queue_") }, "\(receiptPlan)")
            #expect(identityPlan.contains { $0.contains("dossier_applicant") }, "\(identityPlan)")
            #expect(!identityPlan.contains { $0.contains("dossier_queue_") }, "\(identityPlan)")
        }
        // What it finds: that day's receipts, in queue order.
        let page = try database.read { db in
            try DossierQueries.queue(.init(agency: Self.agency, overdueOnly: false, search: QueueSearch(receiptDay)), after: nil, limit: 21, db)
        }
        #expect(page.count == 21 && page.allSatisfy { $0.receiptCode?.hasPrefix(receiptDay) == true })
        let own = try database.read { db in
            try DossierQueries.queue(.init(agency: Self.agency, overdueOnly: false, search: QueueSearch(applicant)), after: nil, limit: 21, db)
        }
        #expect(own.map(\.id) == ["d000001"])
    }

    /// PostgreSQL 15's planner (Debian bookworm's, what the platform installs). Should a later
    /// one estimate `LIKE '% word%'` by itself, this fails: the statistics are then no longer
    /// needed, and this test goes.
    @Test("without the name statistics PostgreSQL guesses a row or two and sorts a whole scan: what v15 is for")
    func withoutTheStatisticsPostgresScans() throws {
        let database = try Self.database(.postgres, through: "dossier.v14.renditions")
        let plan = try Self.plan("Nguyễn Văn An", database)
        #expect(plan.contains { $0.contains("Sort") } && plan.contains { $0.contains("Seq Scan on dossier") }, "\(plan)")
    }
}
