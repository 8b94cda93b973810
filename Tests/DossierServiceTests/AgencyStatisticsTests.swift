import DVCProto
import Foundation
import GRDB
import Storage
import Testing

@testable import DossierService

/// The statistics read from the counters the triggers keep must equal what counting the
/// dossiers gives (the query they replaced, kept here as the reference), through inserts,
/// every kind of update, the deadline scanner's mark, an apology's reset and deletes, on both
/// sides of a new year in Hà Nội; and the migration that adds them must fill them from the
/// dossiers already there.
@Suite struct AgencyStatisticsTests {
    static let agencies = ["000.00.20.H26", "000.01.20.H26", "000.00.09.H26"]
    static let years: [Int?] = [nil, 2024, 2025, 2026, 2027]
    static let newYear2026 = DossierBook.newYearUnixMs(2026)

    /// The statistics counted from the dossier rows, as dossier-svc computed them before.
    static func counted(agency: String, year: Int?, _ db: Database) throws -> DossierV1.AgencyStatistics {
        var conditions = ["agency_code = ?", "received_at_ms IS NOT NULL"]
        var arguments: StatementArguments = [agency]
        if let year {
            conditions += ["received_at_ms >= ?", "received_at_ms < ?"]
            _ = arguments.append(contentsOf: [DossierBook.newYearUnixMs(year), DossierBook.newYearUnixMs(year + 1)])
        }
        let row = try Row.fetchOne(db, sql: """
            SELECT COUNT(*) AS received,
                SUM(CASE WHEN decided_at_ms IS NOT NULL AND decided_at_ms <= appointment_at_ms THEN 1 ELSE 0 END) AS on_time,
                SUM(CASE WHEN decided_at_ms IS NOT NULL AND decided_at_ms > appointment_at_ms THEN 1 ELSE 0 END) AS late,
                SUM(CASE WHEN decided_at_ms IS NULL AND state IN (2, 4, 5, 6) THEN 1 ELSE 0 END) AS in_progress,
                SUM(CASE WHEN decided_at_ms IS NULL AND state IN (2, 4, 5, 6) AND overdue = 1 THEN 1 ELSE 0 END) AS overdue
            FROM dossier WHERE \(conditions.joined(separator: " AND "))
            """, arguments: arguments)
        var statistics = DossierV1.AgencyStatistics()
        statistics.agencyCode = agency
        statistics.received = UInt64(row?["received"] as Int64? ?? 0)
        statistics.resolvedOnTime = UInt64(row?["on_time"] as Int64? ?? 0)
        statistics.resolvedLate = UInt64(row?["late"] as Int64? ?? 0)
        statistics.inProgress = UInt64(row?["in_progress"] as Int64? ?? 0)
        statistics.inProgressOverdue = UInt64(row?["overdue"] as Int64? ?? 0)
        return statistics
    }

    static func expectSame(_ database: ServiceDatabase, _ moment: String) throws {
        try database.read { db in
            for agency in agencies {
                for year in years {
                    let kept = try DossierQueries.statistics(agency: agency, year: year, db)
                    let counted = try counted(agency: agency, year: year, db)
                    #expect(kept == counted, "\(moment): \(agency), year \(year.map(String.init) ?? "all")")
                }
            }
        }
    }

    static func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("statistics-\(UUID().uuidString)").path
    }

    /// Dossiers in every combination the statistics distinguish, some received a millisecond
    /// either side of 1 January 2026 in Hà Nội.
    static func rows(_ random: inout SystemRandomNumberGenerator, count: Int) -> [DossierRow] {
        (0..<count).map { index in
            var row = DossierRow(id: "d\(index)", agencyCode: agencies[index % agencies.count], procedureCode: "P",
                                 applicantID: "001099012345", channel: .online, pinSalt: Data([1]), pinHash: Data([2]),
                                 submittedAtMs: 0, idempotencyKey: "k\(index)", details: .init())
            row.state = DossierV1.DossierState(rawValue: Int32.random(in: 1...10, using: &random))
            let received: [Int64?] = [nil, newYear2026 - 1, newYear2026, newYear2026 - 200 * 86_400_000,
                                      newYear2026 + 100 * 86_400_000, newYear2026 + 400 * 86_400_000]
            row.receivedAtMs = received.randomElement(using: &random)!
            if let at = row.receivedAtMs {
                row.appointmentAtMs = Bool.random(using: &random) ? at + 86_400_000 : nil
                if Bool.random(using: &random) { row.decidedAtMs = at + Int64.random(in: 0...(2 * 86_400_000), using: &random) }
                if let appointment = row.appointmentAtMs, Bool.random(using: &random) { row.decidedAtMs = appointment }
            }
            row.overdue = Bool.random(using: &random)
            return row
        }
    }

    @Test("the kept counters equal the counted statistics after inserts, updates, marks and deletes")
    func counters() throws {
        let database = try ServiceDatabase(directory: Self.folder(), name: "dossier", migrations: DossierSchema.migrations)
        var random = SystemRandomNumberGenerator()
        let rows = Self.rows(&random, count: 300)
        try database.write { db in for row in rows { try row.insert(db) } }
        try Self.expectSame(database, "after inserts")

        // The workflow's versioned update, with every column the statistics read changing.
        try database.write { db in
            for var row in rows where Bool.random(using: &random) {
                let version = row.version
                row.state = DossierV1.DossierState(rawValue: Int32.random(in: 1...10, using: &random))
                if row.receivedAtMs == nil { row.receivedAtMs = Self.newYear2026 - 1 }
                row.appointmentAtMs = Bool.random(using: &random) ? Self.newYear2026 + 3_600_000 : nil
                row.decidedAtMs = Bool.random(using: &random) ? Self.newYear2026 + 7_200_000 : nil
                let written = try row.update(expectedVersion: version, db)
                #expect(written)
            }
        }
        try Self.expectSame(database, "after updates")

        // The deadline scanner's mark, then an apology's reset.
        let now = Self.newYear2026 + 500 * 86_400_000
        let marked = try database.write { db in
            try db.execute(sql: """
                UPDATE dossier SET overdue = 1
                WHERE overdue = 0 AND state IN (2, 4, 6) AND appointment_at_ms IS NOT NULL AND appointment_at_ms < ?
                """, arguments: [now])
            return db.changesCount
        }
        #expect(marked > 0)
        try Self.expectSame(database, "after the scanner's mark")
        try database.write { db in try db.execute(sql: "UPDATE dossier SET overdue = 0 WHERE id IN ('d1', 'd2', 'd3', 'd4')") }
        try Self.expectSame(database, "after apologies")

        try database.write { db in try db.execute(sql: "DELETE FROM dossier WHERE rowid % 7 = 0") }
        try Self.expectSame(database, "after deletes")
    }

    @Test("the migration fills the counters from the dossiers an earlier release stored, and replaces the queue index")
    func migration() throws {
        let folder = Self.folder()
        var random = SystemRandomNumberGenerator()
        let rows = Self.rows(&random, count: 300)
        let earlier = try ServiceDatabase(directory: folder, name: "dossier",
                                          migrations: DossierSchema.migrations(through: "dossier.v2.service-key"))
        try earlier.write { db in for row in rows { try row.insert(db) } }
        try earlier.close()

        let database = try ServiceDatabase(directory: folder, name: "dossier", migrations: DossierSchema.migrations)
        #expect(try database.appliedMigrations().contains("dossier.v3.scale"))
        try Self.expectSame(database, "after the migration")
        let indexes = try database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dossier'")
        }
        #expect(!indexes.contains("dossier_queue"))
        #expect(Set(indexes).isSuperset(of: ["dossier_queue_all", "dossier_queue_state", "dossier_queue_assignee",
                                             "dossier_queue_assignee_state", "dossier_queue_overdue", "dossier_received", "dossier_deadline"]))
        // And they keep counting from there.
        try database.write { db in try db.execute(sql: "UPDATE dossier SET state = 10, decided_at_ms = received_at_ms WHERE rowid % 3 = 0") }
        try Self.expectSame(database, "after updates following the migration")
    }
}
