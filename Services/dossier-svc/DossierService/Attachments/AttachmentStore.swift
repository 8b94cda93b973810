import Crypto
import DVCProto
import Foundation
import RPCCore
import Storage
import Synchronization

/// Dossier attachments as files under `<data-dir>/attachments/`, content-addressed by SHA-256:
/// `attachments/<first two hex digits>/<sha256 hex>`. The same bytes are stored once, however
/// many dossiers or attachments carry them.
///
/// ## The durability contract
///
/// A crash at any moment must never leave the database pointing at a missing or partial file.
/// `stage` writes in this order:
///
/// 1. the bytes to `attachments/tmp/<random>`, created with `O_EXCL`;
/// 2. `rename` into `attachments/<aa>/<sha256>` (atomic for the running system: the final name
///    only ever names complete bytes);
///
/// and `makeDurable()` then flushes the file system (`FileSystemSync`: one `syncfs` shared by
/// every submission waiting at that moment, instead of an fsync per file and per folder).
/// `store` does both at once. **Only after `makeDurable()` (or `store`) has returned may the
/// caller commit a database row that references the attachment** (by its `sha256Hex`).
///
/// A crash before the flush can leave, after power returns, a final name whose bytes never
/// reached the disk; no row references it (the row commits after the flush), and a later
/// upload of the same bytes finds the file does not hash to its name and rewrites it. A crash
/// before the commit leaves at most a file no row references (or a stale tmp file), which
/// `removeOrphans(referenced:olderThan:)` deletes later; a crash after the commit finds the
/// file complete.
///
/// `store` refreshes the modification time of a file it finds already stored, and
/// `removeOrphans` deletes only files older than its threshold: pass a threshold well before
/// the oldest transaction that may still be in flight (say an hour ago), and a file stored for
/// a row not yet committed survives. `store` and `removeOrphans` exclude each other per file
/// within one process; run one dossier-svc per data directory.
public final class AttachmentStore: Sendable {
    /// `<data-dir>/attachments`.
    public let root: String
    public let limits: AttachmentLimits
    /// Serialises "this file is there, keep it" in `store` against the deletions of
    /// `removeOrphans`.
    private let fileLock = Mutex<Void>(())
    private let fileSystem: FileSystemSync

    private var tmpDirectory: String { root + "/tmp" }

    /// Opens (creating when needed) `<dataDirectory>/attachments` and its `tmp` folder.
    public init(dataDirectory: String, limits: AttachmentLimits = .standard) throws {
        self.root = (dataDirectory as NSString).appendingPathComponent("attachments")
        self.limits = limits
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        try DurableFiles.ensureDirectory(root)
        try DurableFiles.ensureDirectory(root + "/tmp")
        fileSystem = try FileSystemSync(folder: root)
    }

    /// Makes everything staged before the call durable (shared with concurrent callers).
    public func makeDurable() async throws {
        do {
            try await fileSystem.sync()
        } catch {
            throw RPCError(.internalError, "cannot make the attachments durable: \(error)")
        }
    }

    /// `makeDurable` on the calling thread, unshared.
    private func syncNow() throws {
        do {
            try fileSystem.syncNow()
        } catch {
            throw RPCError(.internalError, "cannot make the attachments durable: \(error)")
        }
    }

    // MARK: Checks

    /// The attachment's type from its bytes, or INVALID_ARGUMENT on `field`: empty, larger than
    /// `limits.maxAttachmentBytes`, not a PDF, JPEG or PNG, or truncated.
    public func check(content: Data, field: String) throws(RPCError) -> AttachmentMediaType {
        if Int64(content.count) > limits.maxAttachmentBytes {
            throw .invalidArgument(field: field, "the attachment is \(content.count) bytes: each may be at most "
                + "\(limits.maxAttachmentBytes.byteSizeText) (\(limits.maxAttachmentBytes) bytes)")
        }
        do {
            return try AttachmentMediaType.recognise(content)
        } catch {
            throw .invalidArgument(field: field, error.description)
        }
    }

    /// INVALID_ARGUMENT on `field` when a dossier's attachments (every one it will hold,
    /// already stored and new) add up to more than `limits.maxDossierBytes`.
    public func checkDossierTotal(_ sizes: some Sequence<Int64>, field: String = "attachments") throws(RPCError) {
        if let violation = totalViolation(sizes, field: field) {
            throw RPCError(.invalidArgument, "\(violation.field): \(violation.description)", violations: [violation])
        }
    }

    private func totalViolation(_ sizes: some Sequence<Int64>, field: String) -> FieldViolation? {
        let total = sizes.reduce(0, +)
        guard total > limits.maxDossierBytes else { return nil }
        return FieldViolation(field: field, description: "the attachments add up to \(total) bytes: a dossier may hold "
            + "at most \(limits.maxDossierBytes.byteSizeText) (\(limits.maxDossierBytes) bytes)")
    }

    // MARK: Storing

    /// Checks one attachment (INVALID_ARGUMENT on `field` if refused) and stores its bytes
    /// durably; see the contract above. Storing bytes already stored writes nothing new.
    public func store(name: String, content: Data, field: String = "content") throws -> StoredAttachment {
        let mediaType = try check(content: content, field: field)
        let stored = try write(name: name, content: content, mediaType: mediaType)
        try syncNow()
        return stored
    }

    /// `stage` then a flush of its own: durable when it returns.
    public func store(
        _ uploads: [DossierV1.AttachmentUpload], existingSizes: [Int64] = [], fieldPrefix: String = "attachments"
    ) throws -> [StoredAttachment] {
        let stored = try stage(uploads, existingSizes: existingSizes, fieldPrefix: fieldPrefix)
        try syncNow()
        return stored
    }

    /// Checks every upload of a request first, then writes them all under their final names,
    /// not yet durable (`makeDurable()`): INVALID_ARGUMENT with one violation per refused upload
    /// (`<fieldPrefix>[i].content`), plus one on `fieldPrefix` when they and the dossier's
    /// `existingSizes` exceed the dossier limit. Nothing is written unless every upload is
    /// accepted.
    public func stage(
        _ uploads: [DossierV1.AttachmentUpload], existingSizes: [Int64] = [], fieldPrefix: String = "attachments"
    ) throws -> [StoredAttachment] {
        var accepted: [AttachmentMediaType] = []
        var violations: [FieldViolation] = []
        for (index, upload) in uploads.enumerated() {
            do {
                accepted.append(try check(content: upload.content, field: "\(fieldPrefix)[\(index)].content"))
            } catch {
                violations += error.violations
            }
        }
        if let total = totalViolation(existingSizes + uploads.map { Int64($0.content.count) }, field: fieldPrefix) {
            violations.append(total)
        }
        if !violations.isEmpty {
            let message = violations.map { "\($0.field): \($0.description)" }.joined(separator: "; ")
            throw RPCError(.invalidArgument, message, violations: violations)
        }
        return try zip(uploads, accepted).map { upload, mediaType in
            try write(name: upload.name, content: upload.content, mediaType: mediaType)
        }
    }

    private func write(name: String, content: Data, mediaType: AttachmentMediaType) throws -> StoredAttachment {
        let sha256Hex = Self.sha256Hex(content)
        let stored = StoredAttachment(id: UUID().uuidString.lowercased(), name: name, mediaType: mediaType.rawValue,
                                      size: Int64(content.count), sha256Hex: sha256Hex)
        let directory = root + "/" + sha256Hex.prefix(2)
        let destination = directory + "/" + sha256Hex

        if keepExisting(destination, sha256Hex: sha256Hex, size: content.count) { return stored }

        let temporary = tmpDirectory + "/" + DurableFiles.randomName()
        do {
            try DurableFiles.writeExclusively(content, to: temporary, sync: false)
            try DurableFiles.ensureDirectory(directory, sync: false)
            try fileLock.withLock { _ throws(DurableFiles.Failure) in
                try DurableFiles.move(temporary, to: destination)
            }
        } catch {
            unlink(temporary)
            // A full disk is not a bug of the service: say so, so that the caller and the
            // operator see it (RESOURCE_EXHAUSTED, logged with the request) and space is freed.
            if StorageError.isOutOfSpace(error.errno) {
                throw StorageError.diskFull("cannot store attachment \(sha256Hex): \(error)")
            }
            throw RPCError(.internalError, "cannot store attachment \(sha256Hex): \(error)")
        }
        return stored
    }

    /// True when the file is already there with these very bytes (it hashes to its name: a
    /// file left unflushed by a power loss does not): its modification time is refreshed so
    /// `removeOrphans` leaves it for the row about to reference it. The caller's flush covers
    /// it if the writer that renamed it has not flushed yet.
    private func keepExisting(_ path: String, sha256Hex: String, size: Int) -> Bool {
        fileLock.withLock { _ in
            guard let status = DurableFiles.status(path), status.size == Int64(size),
                  let bytes = FileManager.default.contents(atPath: path), Self.sha256Hex(bytes) == sha256Hex else {
                return false
            }
            return DurableFiles.touch(path)
        }
    }

    // MARK: Reading

    /// The bytes stored under `sha256` (64 lowercase hex digits): INVALID_ARGUMENT for a
    /// malformed key, NOT_FOUND when nothing is stored under it, DATA_LOSS when the file no
    /// longer hashes to its name.
    public func read(sha256: String) throws -> Data {
        guard Self.isSHA256Hex(sha256) else {
            throw RPCError.invalidArgument(field: "sha256", "not 64 lowercase hexadecimal digits")
        }
        let path = path(sha256: sha256)
        guard DurableFiles.status(path) != nil else {
            throw RPCError(.notFound, "no attachment is stored under \(sha256)")
        }
        let content: Data
        do {
            content = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw RPCError(.internalError, "cannot read attachment \(sha256): \(error)")
        }
        guard Self.sha256Hex(content) == sha256 else {
            throw RPCError(.dataLoss, "the stored attachment \(sha256) is corrupt: its bytes hash differently")
        }
        return content
    }

    /// Whether a complete file is stored under `sha256`.
    public func contains(sha256: String) -> Bool {
        Self.isSHA256Hex(sha256) && DurableFiles.status(path(sha256: sha256)) != nil
    }

    /// Where the bytes with this SHA-256 live (whether or not they are stored).
    public func path(sha256: String) -> String {
        root + "/" + sha256.prefix(2) + "/" + sha256
    }

    // MARK: Cleaning up

    /// Deletes what a crash or a failed transaction left behind, and returns how many files
    /// went: stored files whose SHA-256 is not in `referenced` (every `sha256Hex` the database's
    /// rows reference), and files in `attachments/tmp/`; in both cases only those last modified
    /// before `olderThan`, so that a file just stored for a row not yet committed survives.
    @discardableResult
    public func removeOrphans(referenced: Set<String>, olderThan: Date) -> Int {
        var removed = 0
        func removeIfOld(_ path: String) {
            let gone = fileLock.withLock { _ in
                guard let status = DurableFiles.status(path), status.modified < olderThan else { return false }
                return unlink(path) == 0
            }
            if gone { removed += 1 }
        }
        for name in DurableFiles.entries(tmpDirectory) {
            removeIfOld(tmpDirectory + "/" + name)
        }
        for prefix in DurableFiles.entries(root) where prefix.count == 2 && prefix.allSatisfy(\.isHexDigit) {
            let directory = root + "/" + prefix
            for name in DurableFiles.entries(directory)
            where Self.isSHA256Hex(name) && name.hasPrefix(prefix) && !referenced.contains(name) {
                removeIfOld(directory + "/" + name)
            }
        }
        return removed
    }

    /// Deletes the bytes stored under `sha256` if they were last stored before `olderThan`
    /// (a drafts' file no row references any more: the caller checked). A file stored again
    /// since (`store` refreshes its time) stays, for the row about to reference it. True when
    /// it went.
    @discardableResult
    public func remove(sha256: String, olderThan: Date) -> Bool {
        guard Self.isSHA256Hex(sha256) else { return false }
        let path = path(sha256: sha256)
        return fileLock.withLock { _ in
            guard let status = DurableFiles.status(path), status.modified < olderThan else { return false }
            return unlink(path) == 0
        }
    }

    // MARK: Hashes

    /// Lowercase hexadecimal SHA-256.
    public static func sha256Hex(_ bytes: Data) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in SHA256.hash(data: bytes) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
