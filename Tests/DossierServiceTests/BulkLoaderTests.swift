import DVCProto
import Foundation
import OneStop
import Storage
import StorageTestKit
import Testing

@testable import DossierService

/// The scale benchmark's loader on both backends: dossiers written in multi-row statements
/// (more than one statement's worth here), numbered, counted and trackable as the service's own.
@Suite struct BulkLoaderTests {
    static let agency = "000.00.20.H26"
    static let t0: Int64 = 1_767_225_600_000 + 3 * 3_600_000  // 2026-01-01 10:00 in Hà Nội

    static func dossier(_ index: Int, officer: DossierActor) -> DossierBulkLoader.Dossier {
        let file = DossierBulkLoader.Attachment(name: "don.pdf", mediaType: "application/pdf", sizeBytes: 10,
                                                sha256Hex: String(repeating: "a", count: 64))
        let steps: [DossierBulkLoader.Step] = index % 3 == 0 ? [] : [.init(.receive, by: officer, atMs: t0 + 60_000 + Int64(index))]
        return DossierBulkLoader.Dossier(
            id: String(format: "bulk-%04d", index), agencyCode: agency, procedureCode: "P",
            applicantID: String(format: "0010990%05d", index), submittedAtMs: t0 + Int64(index),
            formData: ["ho_ten": "Nguyễn Văn \(index)"], attachments: [file], steps: steps,
            appointmentAtMs: steps.isEmpty ? nil : t0 + 10 * 86_400_000)
    }

    @Test("1 200 dossiers load with their history, files, receipt numbers and counters; samples track", arguments: TestDatabases.backends)
    func load(backend: SQLBackend) throws {
        let database = try DossierTestDatabases.make(backend)
        let loader = try DossierBulkLoader(database: database)
        let officer = DossierActor.officer(id: "tn01", agencyCode: Self.agency, roles: [.receiver])
        let dossiers = (0..<1_200).map { Self.dossier($0, officer: officer) }
        try loader.load(Array(dossiers[..<700]))
        try loader.load(Array(dossiers[700...]))
        #expect(try loader.dossierCount() == 1_200)
        let received = dossiers.filter { !$0.steps.isEmpty }.count
        let (codes, history, files, statistics) = try database.read { db in
            (try String.fetchAll(db, sql: "SELECT receipt_code FROM dossier WHERE receipt_code IS NOT NULL ORDER BY receipt_code"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM history") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM attachment") ?? 0,
             try DossierQueries.statistics(agency: Self.agency, year: 2026, db))
        }
        // One day's numbers, 1 to n across both batches, none twice.
        #expect(codes.count == received && Set(codes).count == received)
        #expect(codes.last == "\(Self.agency)-260101-\(String(format: "%04d", received))")
        #expect(history == 1_200 + received && files == 1_200)
        #expect(statistics.submitted == 1_200 && statistics.received == UInt64(received) && statistics.inProgress == UInt64(received))
        let samples = try loader.trackingSamples(count: 5)
        #expect(!samples.isEmpty && samples.count <= 5)
        for sample in samples {
            let row = try #require(try database.read { db in try DossierRow.fetch(receiptCode: sample.receiptCode, db) })
            #expect(TrackingPIN.Stored(salt: row.pinSalt, digest: row.pinHash)?.verify(sample.pin) == true)
        }
        let plans = try loader.queryPlans(agency: Self.agency, state: .received, assignee: "tn01", dueBeforeMs: Self.t0, year: 2026)
        #expect(plans.count == 22 && plans.allSatisfy { !$0.plan.isEmpty })
    }
}
