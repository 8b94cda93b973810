import DVCProto
import Foundation
import OneStop
import Logging
import RPCCore
import Storage
import StorageTestKit
import Testing

@testable import DossierService

/// The deadline scan on a real database file: what is overdue, what is not, and that each
/// dossier is marked (and announced) once.
@Suite struct DeadlineScannerTests {
    struct NoCatalog: RPCClientProtocol {
        func unary<Request, Response>(_ method: ProtoMethod<Request, Response>, _ request: Request,
                                      options: CallOptions) async throws -> Response {
            throw RPCError(.unavailable, "no catalog in this test")
        }
    }

    func book(_ backend: SQLBackend) throws -> DossierBook {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deadline-\(UUID().uuidString)").path
        let database = try DossierTestDatabases.make(backend)
        return try DossierBook(database: database, attachments: try AttachmentStore(dataDirectory: folder),
                               catalog: NoCatalog(), forms: .circular2018, logger: .init(label: "test"))
    }

    func insert(_ book: DossierBook, _ id: String, state: DossierV1.DossierState, appointmentMs: Int64?) async throws {
        var row = DossierRow(id: id, agencyCode: "000.00.20.H26", procedureCode: "P", applicantID: "001099012345",
                             channel: .online, pinSalt: Data([1]), pinHash: Data([2]), submittedAtMs: 0,
                             idempotencyKey: id, details: .init())
        row.state = state
        row.appointmentAtMs = appointmentMs
        let inserted = row
        try await book.database.write { db in try inserted.insert(db) }
    }

    @Test("past-due dossiers the agency holds are marked once, with an event; paused and undated ones are not", arguments: TestDatabases.backends)
    func scan(backend: SQLBackend) async throws {
        let book = try book(backend)
        let now: Int64 = 1_800_000_000_000
        try await insert(book, "late-received", state: .received, appointmentMs: now - 1)
        try await insert(book, "late-processing", state: .processing, appointmentMs: now - 60_000)
        try await insert(book, "on-time", state: .processing, appointmentMs: now + 60_000)
        try await insert(book, "paused", state: .supplementRequested, appointmentMs: now - 60_000)
        try await insert(book, "decided", state: .processed, appointmentMs: now - 60_000)
        try await insert(book, "not-received", state: .submitted, appointmentMs: nil)

        #expect(try await DeadlineScanner.scan(book, nowMs: now) == 2)
        let overdue = try await book.database.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM dossier WHERE overdue = 1 ORDER BY id")
        }
        #expect(overdue == ["late-processing", "late-received"])
        #expect(try await book.database.read { db in try Outbox.backlog(in: db) } == 2)
        // A second scan finds nothing new and announces nothing twice.
        #expect(try await DeadlineScanner.scan(book, nowMs: now + 1) == 0)
        #expect(try await book.database.read { db in try Outbox.backlog(in: db) } == 2)
    }
}
