import DVCProto
import Foundation
import Logging
import OneStop
import RPCCore
import Storage
import StorageTestKit
import Testing

@testable import DossierService

/// The drafts' store on each backend (docs/drafts.md), through `DossierBook`'s own calls: a
/// save and its version, a stale `expected_version` refused and nothing changed, the owner's
/// limits (drafts, bytes), an expired draft gone for its owner, and a draft already submitted
/// answering its retry with the same dossier. The whole path through the gateway, with the
/// real catalog, is IntegrationTests/DraftTests.
@Suite struct DraftStoreTests {
    static let owner = DossierActor.citizen(id: "001099012345")

    /// catalog-svc as far as a new draft asks it: the procedure offered fully online.
    struct OnlineCatalog: RPCClientProtocol {
        func unary<Request, Response>(_ method: ProtoMethod<Request, Response>, _ request: Request,
                                      options: CallOptions) async throws -> Response {
            var level = CatalogV1.GetEnabledLevelResponse()
            level.level = 4
            level.agencyName = "Sở Tư pháp"
            level.procedureName = "Cấp phiếu lý lịch tư pháp"
            guard let answer = level as? Response else { throw RPCError(.unavailable, "no \(method) in this test") }
            return answer
        }
    }

    static func book(_ backend: SQLBackend) throws -> DossierBook {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("draft-store-\(UUID().uuidString)").path
        return try DossierBook(database: try TestDatabases.make(backend, name: "dossier", migrations: DossierSchema.migrations),
                               attachments: try AttachmentStore(dataDirectory: folder), catalog: OnlineCatalog(), forms: .circular2018,
                               drafts: try DraftSettings(["draft_owner_limit_mib": "1", "draft_max_per_owner": "2"]),
                               logger: .init(label: "test"))
    }

    static func context(key: String = "") -> ServerContext {
        ServerContext(method: "/dvc.dossier.v1.DraftService/SaveDraft", metadata: key.isEmpty ? [:] : [MetadataKey.idempotencyKey: key],
                      deadline: nil, requestID: "r", trace: TraceContext.random(), remoteAddress: "test", logger: .init(label: "test"))
    }

    /// A PDF of about `bytes` bytes (the file check wants its header and its end marker).
    static func pdf(_ bytes: Int, _ tag: String) -> DossierV1.AttachmentUpload {
        var upload = DossierV1.AttachmentUpload()
        upload.name = "\(tag).pdf"
        upload.content = Data("%PDF-1.4\n% \(tag)\n".utf8) + Data(repeating: 0x20, count: bytes) + Data("\n%%EOF\n".utf8)
        return upload
    }

    static func save(_ book: DossierBook, id: String = "", version: UInt64 = 0, form: [String: String] = [:],
                     files: [DossierV1.AttachmentUpload] = [], remove: [String] = []) async throws -> DossierV1.Draft {
        var request = DossierV1.SaveDraftRequest()
        request.draftId = id
        request.expectedVersion = version
        if id.isEmpty {
            request.agencyCode = "000.00.20.H26"
            request.procedureCode = "1.001193"
        }
        request.formData = form
        request.attachments = files
        request.removeFileIds = remove
        return try await book.saveDraft(request, actor: owner, context: context())
    }

    static func refusal(_ work: () async throws -> Void) async -> RPCError? {
        do { try await work(); return nil } catch let error as RPCError { return error } catch { return nil }
    }

    @Test("save, a stale version refused with nothing changed, the owner's limits, expiry", arguments: TestDatabases.backends)
    func saveConflictsLimitsExpiry(backend: SQLBackend) async throws {
        let book = try Self.book(backend)
        let first = try await Self.save(book, form: ["ho_ten": "Nguyễn Minh Khôi"], files: [Self.pdf(600_000, "a")])
        #expect(first.version == 1 && first.files.count == 1 && first.formData == ["ho_ten": "Nguyễn Minh Khôi"])

        // Saved again from another device: the first device's version 1 is stale now.
        let second = try await Self.save(book, id: first.id, version: 1, form: ["ho_ten": "Nguyễn Minh Khôi", "que_quan": "Huế"])
        #expect(second.version == 2 && second.files.map(\.id) == first.files.map(\.id))
        let stale = await Self.refusal { _ = try await Self.save(book, id: first.id, version: 1, form: [:]) }
        #expect(stale?.code == .aborted && stale?.violations.first?.field == "expected_version")
        var get = DossierV1.GetDraftRequest()
        get.draftId = first.id
        #expect(try await book.getDraft(get, actor: Self.owner, context: Self.context()) == second)
        // Nobody else's: the same NOT_FOUND as a draft that does not exist.
        let stranger = await Self.refusal { _ = try await book.getDraft(get, actor: .citizen(id: "079199000001"), context: Self.context()) }
        #expect(stranger?.code == .notFound && stranger?.violations.first?.field == "draft_id")

        // 1 MiB of files per citizen: a second draft's 600 kB would pass it; nothing is stored.
        let tooMuch = await Self.refusal { _ = try await Self.save(book, files: [Self.pdf(600_000, "b")]) }
        #expect(tooMuch?.code == .resourceExhausted && tooMuch?.violations.first?.field == "attachments")
        #expect(try await book.listDrafts(actor: Self.owner, context: Self.context()).drafts.map(\.id) == [first.id])
        // Two drafts per citizen.
        let other = try await Self.save(book, form: ["ho_ten": "B"])
        let third = await Self.refusal { _ = try await Self.save(book, form: ["ho_ten": "C"]) }
        #expect(third?.code == .resourceExhausted && third?.violations.first?.field == "draft_id")
        let listed = try await book.listDrafts(actor: Self.owner, context: Self.context())
        #expect(Set(listed.drafts.map(\.id)) == [first.id, other.id] && listed.usedBytes == first.files[0].sizeBytes && listed.maxDrafts == 2)

        // A file dropped frees its bytes for the owner's other draft.
        let emptied = try await Self.save(book, id: first.id, version: 2, remove: [first.files[0].id])
        #expect(emptied.version == 3 && emptied.files.isEmpty)
        #expect(try await Self.save(book, id: other.id, version: 1, files: [Self.pdf(600_000, "b")]).files.count == 1)

        // Past its expiry (the scan has not run): gone for its owner, in a list and by its id.
        try await book.database.write { db in
            try db.execute(sql: "UPDATE draft SET expires_at_ms = ? WHERE id = ?", arguments: [UnixMillis.now() - 1, first.id])
        }
        #expect(await Self.refusal { _ = try await book.getDraft(get, actor: Self.owner, context: Self.context()) }?.code == .notFound)
        #expect(try await book.listDrafts(actor: Self.owner, context: Self.context()).drafts.map(\.id) == [other.id])
    }

    @Test("a draft already submitted: its retry with the same key answers the same dossier; another key is refused naming draft_id",
          arguments: TestDatabases.backends)
    func submittedDraftRetry(backend: SQLBackend) async throws {
        let book = try Self.book(backend)
        let dossier = DossierRow(id: "ho-so-1", agencyCode: "000.00.20.H26", procedureCode: "1.001193", applicantID: "001099012345",
                                 channel: .online, pinSalt: Data([1]), pinHash: Data([2]), submittedAtMs: 1,
                                 idempotencyKey: "k-1", details: .init())
        try await book.database.write { db in
            try dossier.insert(db)
            try db.execute(sql: """
                INSERT INTO draft_submission (draft_id, owner_id, idempotency_key, dossier_id, submitted_at_ms) VALUES (?, ?, ?, ?, ?)
                """, arguments: ["nhap-1", "001099012345", "k-1", "ho-so-1", UnixMillis.now()])
        }
        var submit = DossierV1.SubmitDraftRequest()
        submit.draftId = "nhap-1"
        submit.expectedVersion = 1
        let again = try await book.submitDraft(submit, actor: Self.owner, context: Self.context(key: "k-1"))
        #expect(again.dossier?.id == "ho-so-1" && !again.trackingPin.isEmpty)
        let otherKey = await Self.refusal { _ = try await book.submitDraft(submit, actor: Self.owner, context: Self.context(key: "k-2")) }
        #expect(otherKey?.code == .failedPrecondition && otherKey?.violations.first?.field == "draft_id")
        // Another citizen learns nothing of it; a submission without a key is refused naming it.
        let stranger = await Self.refusal {
            _ = try await book.submitDraft(submit, actor: .citizen(id: "079199000001"), context: Self.context(key: "k-1"))
        }
        #expect(stranger?.code == .notFound)
        let keyless = await Self.refusal { _ = try await book.submitDraft(submit, actor: Self.owner, context: Self.context()) }
        #expect(keyless?.code == .invalidArgument && keyless?.violations.first?.field == MetadataKey.idempotencyKey)
    }
}
