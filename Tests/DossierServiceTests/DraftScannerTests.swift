import DVCProto
import Foundation
import Logging
import OneStop
import RPCCore
import Storage
import StorageTestKit
import Testing

@testable import DossierService

/// The drafts' expiry on a real database (each backend) and attachment store, the clock driven
/// by the test: the notice `draft_notice_days` before (once per save), the deletion at the expiry with
/// the draft's files, and the bytes a dossier still references kept.
@Suite struct DraftScannerTests {
    static let day = DraftSettings.dayMs
    static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)

    func book(_ backend: SQLBackend) throws -> DossierBook {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drafts-\(UUID().uuidString)").path
        let database = try TestDatabases.make(backend, name: "dossier", migrations: DossierSchema.migrations)
        return try DossierBook(database: database, attachments: try AttachmentStore(dataDirectory: folder),
                               catalog: DeadlineScannerTests.NoCatalog(), forms: .circular2018, logger: .init(label: "test"))
    }

    /// A draft saved at `savedMs` with one file of `content`; returns the file's SHA-256.
    func insertDraft(_ book: DossierBook, id: String, savedMs: Int64, content: Data) async throws -> String {
        let stored = try book.attachments.store(name: "\(id).pdf", content: content)
        let expires = savedMs + book.drafts.ttlMs
        try await book.database.write { db in
            try db.execute(sql: "INSERT INTO draft (\(DraftRow.columns)) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, NULL)", arguments: [
                id, "001099012345", "000.01.20.H26", "1.001193", DraftRow.encode(["ho_ten": "Nguyễn Minh Khôi"]), savedMs, savedMs, expires])
            try db.execute(sql: """
                INSERT INTO draft_file (id, draft_id, position, name, media_type, size_bytes, sha256_hex, required_document)
                VALUES (?, ?, 0, ?, ?, ?, ?, '')
                """, arguments: ["\(id)-f", id, stored.name, stored.mediaType, stored.size, stored.sha256Hex])
        }
        return stored.sha256Hex
    }

    func drafts(_ book: DossierBook) async throws -> [String] {
        try await book.database.read { db in try String.fetchAll(db, sql: "SELECT id FROM draft ORDER BY id") }
    }

    func events(_ book: DossierBook) async throws -> [EventsV1.Event] {
        try await book.database.read { db in
            try Data.fetchAll(db, sql: "SELECT payload FROM outbox ORDER BY seq").map { try EventsV1.Event(protobuf: $0) }
        }
    }

    @Test("the notice goes once, 3 days before; at 30 days the draft and its files are deleted", arguments: TestDatabases.backends)
    func noticeThenDeletion(backend: SQLBackend) async throws {
        let book = try book(backend)
        #expect(book.drafts.ttlMs == 30 * Self.day && book.drafts.noticeMs == 3 * Self.day)
        let saved: Int64 = 1_800_000_000_000
        let sha = try await insertDraft(book, id: "nhap-a", savedMs: saved, content: Self.pdf)
        let kept = try await insertDraft(book, id: "nhap-b", savedMs: saved + 10 * Self.day, content: Self.pdf + Data("b".utf8))

        // 26 days on: nothing is due yet.
        #expect(try await DraftScanner.scan(book, nowMs: saved + 26 * Self.day) == .init())
        #expect(try await events(book).isEmpty)

        // 27 days and a minute: the notice of nhap-a, once, to notify-svc only, with the expiry.
        let outcome = try await DraftScanner.scan(book, nowMs: saved + 27 * Self.day + 60_000)
        #expect(outcome == .init(noticed: 1, deleted: 0))
        #expect(try await DraftScanner.scan(book, nowMs: saved + 28 * Self.day) == .init())
        let notices = try await events(book)
        #expect(notices.map(\.type) == ["draft.expiring"])
        let body = try DossierV1.DraftEvent(protobuf: try #require(notices.first).payload)
        #expect(body.draft?.id == "nhap-a" && body.draft?.ownerId == "001099012345")
        #expect(body.draft?.expiresAtUnixMs == saved + 30 * Self.day && body.draft?.files.count == 1)
        let destinations = try await book.database.read { db in try String.fetchAll(db, sql: "SELECT destination FROM outbox") }
        #expect(destinations == ["notify-svc"])

        // At 30 days: deleted, its file with it (no row references those bytes); nhap-b stays.
        #expect(book.attachments.contains(sha256: sha))
        #expect(try await DraftScanner.scan(book, nowMs: saved + 30 * Self.day) == .init(noticed: 0, deleted: 1))
        #expect(try await drafts(book) == ["nhap-b"])
        #expect(try await book.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM draft_file WHERE draft_id = 'nhap-a'") } == 0)
        #expect(!book.attachments.contains(sha256: sha), "the expired draft's file is still on disk")
        #expect(book.attachments.contains(sha256: kept))
    }

    @Test("a draft's bytes that a dossier also holds stay on disk when the draft expires", arguments: TestDatabases.backends)
    func sharedBytesStay(backend: SQLBackend) async throws {
        let book = try book(backend)
        let saved: Int64 = 1_800_000_000_000
        let sha = try await insertDraft(book, id: "nhap-c", savedMs: saved, content: Self.pdf)
        try await book.database.write { db in
            try DossierRow(id: "ho-so-1", agencyCode: "000.01.20.H26", procedureCode: "1.001193", applicantID: "001099012345",
                           channel: .online, pinSalt: Data([1]), pinHash: Data([2]), submittedAtMs: saved,
                           idempotencyKey: "k", details: .init()).insert(db)
            var file = DossierV1.Attachment()
            file.id = "tep-1"
            file.name = "giay.pdf"
            file.mediaType = "application/pdf"
            file.sizeBytes = Int64(Self.pdf.count)
            file.sha256Hex = sha
            try DossierBook.insertAttachment(file, dossier: "ho-so-1", position: 0, db)
        }
        #expect(try await DraftScanner.scan(book, nowMs: saved + 31 * Self.day).deleted == 1)
        #expect(try await drafts(book).isEmpty)
        #expect(book.attachments.contains(sha256: sha), "bytes a dossier references were deleted")
    }

    @Test("settings: fractional days for tests, the notice shorter than the lifetime, whole limits")
    func settings() throws {
        let quick = try DraftSettings(["draft_ttl_days": "0.0001", "draft_notice_days": "0.00005", "draft_owner_limit_mib": "1",
                                       "draft_max_per_owner": "3", "draft_scan_seconds": "1"])
        #expect(quick.ttlMs == 8640 && quick.noticeMs == 4320 && quick.ownerLimitBytes == 1 << 20 && quick.maxDraftsPerOwner == 3)
        #expect(quick.fileGraceMs == 8640)
        #expect(DraftSettings().fileGraceMs == 3_600_000 && DraftSettings().ownerLimitBytes == 200 << 20 && DraftSettings().maxDraftsPerOwner == 20)
        #expect(throws: (any Error).self) { try DraftSettings(["draft_ttl_days": "2", "draft_notice_days": "3"]) }
        #expect(throws: (any Error).self) { try DraftSettings(["draft_ttl_days": "-1"]) }
        #expect(throws: (any Error).self) { try DraftSettings(["draft_max_per_owner": "0"]) }
    }
    @Test("a save after the notice moves the expiry 30 days on and clears the mark: the next expiry is noticed again",
          arguments: TestDatabases.backends)
    func saveMovesTheExpiry(backend: SQLBackend) async throws {
        let book = try book(backend)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        // Saved 28 days ago: 2 days left, inside the notice's 3.
        _ = try await insertDraft(book, id: "nhap-d", savedMs: now - 28 * Self.day, content: Self.pdf)
        #expect(try await DraftScanner.scan(book, nowMs: now).noticed == 1)

        let context = ServerContext(method: "/dvc.dossier.v1.DraftService/SaveDraft", metadata: [:], deadline: nil, requestID: "r",
                                    trace: TraceContext.random(), remoteAddress: "test", logger: .init(label: "test"))
        var save = DossierV1.SaveDraftRequest()
        save.draftId = "nhap-d"
        save.expectedVersion = 1
        save.formData = ["ho_ten": "Nguyễn Minh Khôi", "que_quan": "Hà Nội"]
        let saved = try await book.saveDraft(save, actor: .citizen(id: "001099012345"), context: context)
        #expect(saved.version == 2 && saved.files.count == 1 && saved.expiresAtUnixMs >= now + 30 * Self.day)
        let mark = try await book.database.read { db in
            try SQLRow.fetchOne(db, sql: "SELECT noticed_at_ms FROM draft WHERE id = 'nhap-d'")?["noticed_at_ms"] as Int64?
        }
        #expect(mark == nil)
        // Nothing due right after the save; 27.5 days later, the notice again.
        #expect(try await DraftScanner.scan(book, nowMs: now + Self.day) == .init())
        #expect(try await DraftScanner.scan(book, nowMs: saved.expiresAtUnixMs - 2 * Self.day).noticed == 1)
        #expect(try await events(book).map(\.type) == ["draft.expiring", "draft.expiring"])
    }
}
