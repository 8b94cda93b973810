import DVCProto
@testable import DossierService
import Foundation
import RPCCore
import Testing

/// Attachments on disk: limits, content addressing, durability leftovers and their cleanup.
@Suite struct AttachmentStoreTests {
    typealias Fixtures = AttachmentFixtures

    func upload(_ name: String, _ content: Data) -> DossierV1.AttachmentUpload {
        var upload = DossierV1.AttachmentUpload()
        upload.name = name
        upload.content = content
        return upload
    }

    /// The error `body` throws, as an RPCError.
    func rpcError(_ body: () throws -> Void) -> RPCError? {
        do {
            try body()
            return nil
        } catch let error as RPCError {
            return error
        } catch {
            Issue.record("not an RPCError: \(error)")
            return nil
        }
    }

    @Test func eachTypeIsStoredAndReadBack() throws {
        let directory = try AttachmentDataDirectory()
        let store = try AttachmentStore(dataDirectory: directory.path)
        for (name, bytes, mediaType) in [("don.pdf", Fixtures.pdf, "application/pdf"),
                                         ("anh.jpg", Fixtures.jpeg, "image/jpeg"),
                                         ("scan.png", Fixtures.png, "image/png")] {
            let stored = try store.store(name: name, content: bytes)
            #expect(stored.name == name)
            #expect(stored.mediaType == mediaType)
            #expect(stored.size == Int64(bytes.count))
            #expect(stored.sha256Hex == AttachmentStore.sha256Hex(bytes))
            #expect(stored.sha256Hex.count == 64)
            #expect(UUID(uuidString: stored.id) != nil)
            #expect(try store.read(sha256: stored.sha256Hex) == bytes)
            #expect(store.contains(sha256: stored.sha256Hex))
            #expect(store.path(sha256: stored.sha256Hex)
                == "\(directory.path)/attachments/\(stored.sha256Hex.prefix(2))/\(stored.sha256Hex)")
            #expect(StoredAttachment(stored.proto) == stored)
        }
        // Content-addressed files only; nothing left in tmp.
        #expect(directory.files().count == 3)
        #expect(directory.files().allSatisfy { !$0.hasPrefix("tmp/") })
    }

    @Test func theKnownDigestOfABytesString() {
        #expect(AttachmentStore.sha256Hex(Data("abc".utf8))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func theSameBytesAreStoredOnce() throws {
        let directory = try AttachmentDataDirectory()
        let store = try AttachmentStore(dataDirectory: directory.path)
        let first = try store.store(name: "cccd-mat-truoc.png", content: Fixtures.png)
        let second = try store.store(name: "another-name.png", content: Fixtures.png)
        #expect(first.sha256Hex == second.sha256Hex)
        #expect(first.id != second.id)
        #expect(second.name == "another-name.png")
        #expect(directory.files() == ["\(first.sha256Hex.prefix(2))/\(first.sha256Hex)"])
        #expect(try store.read(sha256: first.sha256Hex) == Fixtures.png)
    }

    @Test func spoofedTypesAreRefusedWithTheirField() throws {
        let directory = try AttachmentDataDirectory()
        let store = try AttachmentStore(dataDirectory: directory.path)
        let elf = rpcError { _ = try store.store(name: "don.pdf", content: Fixtures.elf, field: "attachments[2].content") }
        #expect(elf?.code == .invalidArgument)
        #expect(elf?.violations.map(\.field) == ["attachments[2].content"])
        #expect(elf?.violations.first?.description == "the bytes are an executable, not a PDF, JPEG or PNG")
        let zip = rpcError { _ = try store.store(name: "to-khai.pdf", content: Fixtures.zip) }
        #expect(zip?.code == .invalidArgument)
        #expect(zip?.violations.first?.description == "the bytes are a ZIP archive (or an Office document), not a PDF, JPEG or PNG")
        #expect(directory.files().isEmpty)
    }

    @Test func emptyOversizeAndTruncatedAttachmentsAreRefused() throws {
        let directory = try AttachmentDataDirectory()
        let store = try AttachmentStore(dataDirectory: directory.path)
        let cases: [(Data, String)] = [
            (Data(), "the attachment is empty (0 bytes)"),
            (Fixtures.pdf(size: 10 << 20 + 1),
             "the attachment is 10485761 bytes: each may be at most 10 MiB (10485760 bytes)"),
            (Fixtures.pdf.dropLast(7), "truncated PDF: no %%EOF near the end"),
            (Fixtures.jpeg.dropLast(2), "truncated JPEG: it does not end with the end-of-image marker (FF D9)"),
            (Fixtures.png.dropLast(12), "truncated PNG: it does not end with the IEND chunk"),
        ]
        for (bytes, description) in cases {
            let error = rpcError { _ = try store.store(name: "x.pdf", content: bytes, field: "attachments[0].content") }
            #expect(error?.code == .invalidArgument)
            #expect(error?.violations == [FieldViolation(field: "attachments[0].content", description: description)])
            #expect(error?.message == "attachments[0].content: \(description)")
        }
        #expect(directory.files().isEmpty)
    }

    @Test func exactlyTenMebibytesIsAccepted() throws {
        let directory = try AttachmentDataDirectory()
        let store = try AttachmentStore(dataDirectory: directory.path)
        let bytes = Fixtures.pdf(size: 10 << 20)
        let stored = try store.store(name: "ban-ve.pdf", content: bytes)
        #expect(stored.size == 10 << 20)
        #expect(try store.read(sha256: stored.sha256Hex) == bytes)
    }

    @Test func aDossierHoldsAtMostFiftyMebibytes() throws {
        let directory = try AttachmentDataDirectory()
        let store = try AttachmentStore(dataDirectory: directory.path)
        let nine: Int64 = 9 << 20
        try store.checkDossierTotal([nine, nine, nine, nine, nine])
        try store.checkDossierTotal([10 << 20, 10 << 20, 10 << 20, 10 << 20, 10 << 20])
        let error = rpcError { try store.checkDossierTotal([10 << 20, 10 << 20, 10 << 20, 10 << 20, 10 << 20, 1]) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.violations == [FieldViolation(
            field: "attachments",
            description: "the attachments add up to 52428801 bytes: a dossier may hold at most 50 MiB (52428800 bytes)")])
    }

    @Test func aRequestsUploadsAreCheckedTogetherBeforeAnythingIsWritten() throws {
        let directory = try AttachmentDataDirectory()
        let store = try AttachmentStore(dataDirectory: directory.path)
        let uploads = [upload("don.pdf", Fixtures.pdf), upload("virus.pdf", Fixtures.elf),
                       upload("anh.png", Fixtures.png), upload("rong.jpg", Data())]
        let error = rpcError { _ = try store.store(uploads) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.violations.map(\.field) == ["attachments[1].content", "attachments[3].content"])
        #expect(error?.violations.map(\.description) == [
            "the bytes are an executable, not a PDF, JPEG or PNG", "the attachment is empty (0 bytes)"])
        #expect(directory.files().isEmpty, "nothing is written when one upload is refused")

        let stored = try store.store([uploads[0], uploads[2]])
        #expect(stored.map(\.name) == ["don.pdf", "anh.png"])
        #expect(stored.map(\.mediaType) == ["application/pdf", "image/png"])
        #expect(directory.files().count == 2)
    }

    @Test func aRequestOverTheDossierTotalWritesNothing() throws {
        let directory = try AttachmentDataDirectory()
        let store = try AttachmentStore(dataDirectory: directory.path)
        // 41 MiB already in the dossier, two new 5 MiB files: 51 MiB.
        let uploads = [upload("a.pdf", Fixtures.pdf(size: 5 << 20)), upload("b.pdf", Fixtures.pdf(size: 5 << 20 - 1) + Data("\n".utf8))]
        let error = rpcError { _ = try store.store(uploads, existingSizes: [40 << 20, 1 << 20]) }
        #expect(error?.violations.map(\.field) == ["attachments"])
        #expect(directory.files().isEmpty)
        #expect(try store.store(uploads, existingSizes: [40 << 20]).count == 2)
    }

    @Test func readingWhatIsNotThere() throws {
        let directory = try AttachmentDataDirectory()
        let store = try AttachmentStore(dataDirectory: directory.path)
        let missing = rpcError { _ = try store.read(sha256: AttachmentStore.sha256Hex(Data("nothing".utf8))) }
        #expect(missing?.code == .notFound)
        for malformed in ["", "../../etc/passwd", String(repeating: "A", count: 64), String(repeating: "0", count: 63)] {
            #expect(rpcError { _ = try store.read(sha256: malformed) }?.code == .invalidArgument, "\(malformed)")
            #expect(!store.contains(sha256: malformed))
        }
    }

    /// A file whose bytes no longer hash to its name is reported, never served.
    @Test func aCorruptFileIsDataLoss() throws {
        let directory = try AttachmentDataDirectory()
        let store = try AttachmentStore(dataDirectory: directory.path)
        let stored = try store.store(name: "don.pdf", content: Fixtures.pdf)
        try Data("%PDF-1.4 overwritten %%EOF".utf8).write(to: URL(fileURLWithPath: store.path(sha256: stored.sha256Hex)))
        #expect(rpcError { _ = try store.read(sha256: stored.sha256Hex) }?.code == .dataLoss)
    }

    /// What a crash leaves: a tmp file written but never renamed, and a stored file whose
    /// database row was never committed. Both go once they are old; young ones (a submission
    /// still in flight) and referenced ones stay.
    @Test func removeOrphansCleansUpAfterACrashButKeepsYoungAndReferencedFiles() throws {
        let directory = try AttachmentDataDirectory()
        let store = try AttachmentStore(dataDirectory: directory.path)
        let now = Date()
        let hourAgo = now.addingTimeInterval(-3600)
        let longAgo = now.addingTimeInterval(-2 * 86_400)

        let referenced = try store.store(name: "committed.pdf", content: Fixtures.pdf("committed"))
        let orphan = try store.store(name: "never-committed.pdf", content: Fixtures.pdf("orphan"))
        let young = try store.store(name: "in-flight.pdf", content: Fixtures.pdf("in flight"))
        let staleTmp = store.root + "/tmp/0123456789abcdef0123456789abcdef"
        let youngTmp = store.root + "/tmp/fedcba9876543210fedcba9876543210"
        try Data("%PDF-1.4 half wri".utf8).write(to: URL(fileURLWithPath: staleTmp))
        try Data("%PDF-1.4 being wri".utf8).write(to: URL(fileURLWithPath: youngTmp))
        try directory.age(store.path(sha256: referenced.sha256Hex), to: longAgo)
        try directory.age(store.path(sha256: orphan.sha256Hex), to: longAgo)
        try directory.age(staleTmp, to: longAgo)
        #expect(directory.files().count == 5)

        let removed = store.removeOrphans(referenced: [referenced.sha256Hex], olderThan: hourAgo)
        #expect(removed == 2)
        #expect(!store.contains(sha256: orphan.sha256Hex))
        #expect(!FileManager.default.fileExists(atPath: staleTmp))
        #expect(try store.read(sha256: referenced.sha256Hex) == Fixtures.pdf("committed"))
        #expect(try store.read(sha256: young.sha256Hex) == Fixtures.pdf("in flight"))
        #expect(FileManager.default.fileExists(atPath: youngTmp))

        // Once everything is old, only what rows reference survives.
        #expect(store.removeOrphans(referenced: [referenced.sha256Hex], olderThan: now.addingTimeInterval(60)) == 2)
        #expect(directory.files() == ["\(referenced.sha256Hex.prefix(2))/\(referenced.sha256Hex)"])
        #expect(store.removeOrphans(referenced: [referenced.sha256Hex], olderThan: now.addingTimeInterval(60)) == 0)
    }

    /// Storing bytes that are already there (an old orphan, about to be referenced again)
    /// makes the file young, so a cleanup running before the new row commits keeps it.
    @Test func storingExistingBytesAgainProtectsThemFromCleanup() throws {
        let directory = try AttachmentDataDirectory()
        let store = try AttachmentStore(dataDirectory: directory.path)
        let first = try store.store(name: "a.png", content: Fixtures.png)
        try directory.age(store.path(sha256: first.sha256Hex), to: Date().addingTimeInterval(-86_400))
        _ = try store.store(name: "b.png", content: Fixtures.png)
        #expect(store.removeOrphans(referenced: [], olderThan: Date().addingTimeInterval(-3600)) == 0)
        #expect(try store.read(sha256: first.sha256Hex) == Fixtures.png)
    }

    /// A partial file left at the final name (a store that predates this one, a disk error)
    /// is replaced, not trusted.
    @Test func aWrongSizedFileAtTheFinalNameIsReplaced() throws {
        let directory = try AttachmentDataDirectory()
        let store = try AttachmentStore(dataDirectory: directory.path)
        let sha = AttachmentStore.sha256Hex(Fixtures.jpeg)
        try FileManager.default.createDirectory(atPath: store.root + "/" + sha.prefix(2), withIntermediateDirectories: true)
        try Fixtures.jpeg.prefix(10).write(to: URL(fileURLWithPath: store.path(sha256: sha)))
        _ = try store.store(name: "anh.jpg", content: Fixtures.jpeg)
        #expect(try store.read(sha256: sha) == Fixtures.jpeg)
    }

    /// What a power loss can leave after a rename whose bytes never reached the disk: a file
    /// of the right size at the final name, holding zeros. Storing those bytes again must not
    /// trust it.
    @Test func aRightSizedFileWithOtherBytesAtTheFinalNameIsReplaced() throws {
        let directory = try AttachmentDataDirectory()
        let store = try AttachmentStore(dataDirectory: directory.path)
        let sha = AttachmentStore.sha256Hex(Fixtures.pdf)
        try FileManager.default.createDirectory(atPath: store.root + "/" + sha.prefix(2), withIntermediateDirectories: true)
        try Data(count: Fixtures.pdf.count).write(to: URL(fileURLWithPath: store.path(sha256: sha)))
        let staged = try store.stage([upload("don.pdf", Fixtures.pdf)])
        #expect(staged.map(\.sha256Hex) == [sha])
        #expect(try store.read(sha256: sha) == Fixtures.pdf)
    }

    /// Staged files are readable at once and durable after the shared flush; many callers
    /// waiting together share flushes, and one caller after another each gets a flush of its own.
    @Test func stagedFilesAreMadeDurableBySharedFlushes() async throws {
        let directory = try AttachmentDataDirectory()
        let store = try AttachmentStore(dataDirectory: directory.path)
        let sync = try FileSystemSync(folder: store.root)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    let staged = try store.stage([self.upload("\(index).pdf", Fixtures.pdf("staged \(index)"))])
                    try await sync.sync()
                    #expect(try store.read(sha256: staged[0].sha256Hex) == Fixtures.pdf("staged \(index)"))
                }
            }
            try await group.waitForAll()
        }
        let shared = sync.flushesStarted
        #expect(shared >= 1 && shared <= 50)
        for _ in 0..<3 { try await sync.sync() }
        #expect(sync.flushesStarted == shared + 3)
        try await store.makeDurable()
    }

    @Test func reopeningAStoreFindsItsFiles() throws {
        let directory = try AttachmentDataDirectory()
        let stored = try AttachmentStore(dataDirectory: directory.path).store(name: "don.pdf", content: Fixtures.pdf)
        let reopened = try AttachmentStore(dataDirectory: directory.path)
        #expect(try reopened.read(sha256: stored.sha256Hex) == Fixtures.pdf)
    }

    @Test func storesFromManyTasksAtOnce() async throws {
        let directory = try AttachmentDataDirectory()
        let store = try AttachmentStore(dataDirectory: directory.path)
        let hashes = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<40 {
                group.addTask {
                    // Every other task stores the same bytes as another.
                    try store.store(name: "\(index).pdf", content: Fixtures.pdf("file \(index / 2)")).sha256Hex
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(hashes.count == 20)
        #expect(directory.files().count == 20)
        for index in 0..<20 {
            #expect(try store.read(sha256: AttachmentStore.sha256Hex(Fixtures.pdf("file \(index)"))) == Fixtures.pdf("file \(index)"))
        }
    }
}
