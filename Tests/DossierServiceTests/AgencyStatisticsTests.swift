import DVCProto
import Foundation
import Storage
import StorageTestKit
import Testing

@testable import DossierService

/// The statistics read from the monthly counters the triggers keep must equal what counting the
/// dossiers gives (the reference below), through inserts,
/// every kind of update, the deadline scanner's mark, an apology's reset and deletes, on both
/// sides of a new year in Hà Nội; and the migration that adds them must fill them from the
/// dossiers already there.
@Suite struct AgencyStatisticsTests {
    static let agencies = ["000.00.20.H26", "000.01.20.H26", "000.00.09.H26"]
    static let years: [Int?] = [nil, 2024, 2025, 2026, 2027]
    static let newYear2026 = DossierBook.newYearUnixMs(2026)

    /// The statistics counted from the dossier rows, the reference the kept counters must
    /// equal: the counts that follow reception by the local year received, the submission
    /// counts by the local year submitted. Only an approval (9, 10) is resolved on time or
    /// late; a refusal (8) and a withdrawal (7) are counted apart.
    static func counted(agency: String, year: Int?, _ db: any SQLConnection) throws -> DossierV1.AgencyStatistics {
        func bounds(_ column: String) -> (String, SQLArguments) {
            guard let year else { return ("", []) }
            return (" AND \(column) >= ? AND \(column) < ?", [DossierBook.newYearUnixMs(year), DossierBook.newYearUnixMs(year + 1)])
        }
        let (receivedBound, receivedArguments) = bounds("received_at_ms")
        let held = "decided_at_ms IS NULL AND state IN (2, 4, 5, 6)"
        let row = try SQLRow.fetchOne(db, sql: """
            SELECT COUNT(*) AS received,
                SUM(CASE WHEN state IN (9, 10) AND decided_at_ms <= appointment_at_ms THEN 1 ELSE 0 END) AS on_time,
                SUM(CASE WHEN state IN (9, 10) AND decided_at_ms > appointment_at_ms THEN 1 ELSE 0 END) AS late,
                SUM(CASE WHEN state = 8 THEN 1 ELSE 0 END) AS refused,
                SUM(CASE WHEN state = 7 THEN 1 ELSE 0 END) AS withdrawn,
                SUM(CASE WHEN \(held) THEN 1 ELSE 0 END) AS in_progress,
                SUM(CASE WHEN \(held) AND overdue = 1 THEN 1 ELSE 0 END) AS overdue,
                SUM(CASE WHEN state = 6 OR fee_settled = 1 THEN 1 ELSE 0 END) AS fee_required,
                SUM(CASE WHEN fee_settled = 1 THEN 1 ELSE 0 END) AS fee_paid_online
            FROM dossier WHERE agency_code = ? AND received_at_ms IS NOT NULL\(receivedBound)
            """, arguments: [agency] + receivedArguments)
        let (submittedBound, submittedArguments) = bounds("submitted_at_ms")
        let submittedRow = try SQLRow.fetchOne(db, sql: """
            SELECT COUNT(*) AS submitted,
                SUM(CASE WHEN channel IN (2, 4) THEN 1 ELSE 0 END) AS submitted_online,
                SUM(CASE WHEN state = 3 THEN 1 ELSE 0 END) AS not_received
            FROM dossier WHERE agency_code = ?\(submittedBound)
            """, arguments: [agency] + submittedArguments)
        func count(_ row: SQLRow?, _ column: String) -> UInt64 { UInt64(row?[column] as Int64? ?? 0) }
        var statistics = DossierV1.AgencyStatistics()
        statistics.agencyCode = agency
        statistics.received = count(row, "received")
        statistics.resolvedOnTime = count(row, "on_time")
        statistics.resolvedLate = count(row, "late")
        statistics.refused = count(row, "refused")
        statistics.withdrawn = count(row, "withdrawn")
        statistics.inProgress = count(row, "in_progress")
        statistics.inProgressOverdue = count(row, "overdue")
        statistics.feeRequired = count(row, "fee_required")
        statistics.feePaidOnline = count(row, "fee_paid_online")
        statistics.submitted = count(submittedRow, "submitted")
        statistics.submittedOnline = count(submittedRow, "submitted_online")
        statistics.notReceived = count(submittedRow, "not_received")
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
            let submitted: [Int64] = [0, newYear2026 - 1, newYear2026, newYear2026 - 300 * 86_400_000]
            var row = DossierRow(id: "d\(index)", agencyCode: agencies[index % agencies.count], procedureCode: "P",
                                 applicantID: "001099012345",
                                 channel: DossierV1.Channel(rawValue: Int32.random(in: 1...4, using: &random)),
                                 pinSalt: Data([1]), pinHash: Data([2]),
                                 submittedAtMs: submitted.randomElement(using: &random)!, idempotencyKey: "k\(index)", details: .init())
            row.feeSettled = Bool.random(using: &random)
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

    @Test("the kept counters equal the counted statistics after inserts, updates, marks and deletes", arguments: TestDatabases.backends)
    func counters(backend: SQLBackend) throws {
        let database = try DossierTestDatabases.make(backend)
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
                row.feeSettled = Bool.random(using: &random)
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

        try database.write { db in try db.execute(sql: "DELETE FROM dossier WHERE id LIKE '%7'") }
        try Self.expectSame(database, "after deletes")
    }

    @Test("the migration fills the counters from the dossiers an earlier release stored, and replaces the queue index", arguments: TestDatabases.backends)
    func migration(backend: SQLBackend) throws {
        let place = try DossierTestPlace(backend)
        var random = SystemRandomNumberGenerator()
        let rows = Self.rows(&random, count: 300)
        let earlier = try place.open(DossierSchema.migrations(through: "dossier.v2.service-key"))
        try earlier.write { db in for row in rows { try row.insert(db) } }
        try earlier.close()

        let database = try place.openCurrent()
        #expect(try database.appliedMigrations().contains("dossier.v3.scale"))
        try Self.expectSame(database, "after the migration")
        let indexes = try database.read { db in
            try DossierTestDatabases.indexes(on: "dossier", db)
        }
        #expect(!indexes.contains("dossier_queue"))
        #expect(Set(indexes).isSuperset(of: ["dossier_queue_all", "dossier_queue_state", "dossier_queue_assignee",
                                             "dossier_queue_assignee_state", "dossier_queue_overdue", "dossier_received", "dossier_deadline"]))
        // And they keep counting from there.
        try database.write { db in try db.execute(sql: "UPDATE dossier SET state = 10, decided_at_ms = received_at_ms WHERE id LIKE '%3'") }
        try Self.expectSame(database, "after updates following the migration")
    }
}
