import Crypto
import DVCProto
import Foundation
import RPCCore
import RPCNIO
import Synchronization
import TestKit
import Testing

/// `<service> backup` and `restore` on the real executables: an online backup of dossier-svc
/// taken while citizens keep submitting, restored into a fresh data folder and served again
/// with every dossier acknowledged before the backup began, byte for byte; damaged backups,
/// another service's backup, a running service and an existing database are refused.
@Suite(.timeLimit(.minutes(4))) struct BackupRestoreTests {
    static let citizen = "001099012345"
    static let read = CallOptions(timeout: .seconds(10))

    /// A small real PDF, different for each `n` (so each dossier has its own attachment file).
    static func pdf(_ n: Int) -> Data {
        Data("%PDF-1.4\n% ho so \(n)\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
    }

    static func options(idempotencyKey: String? = nil) -> CallOptions {
        var options = read
        options.metadata[CallerIdentity.metadataKey] = "citizen:\(citizen)"
        if let idempotencyKey { options.metadata[MetadataKey.idempotencyKey] = idempotencyKey }
        return options
    }

    static func levelThreeProcedure(_ catalog: RPCClient) async throws -> (procedure: String, agency: String) {
        let export = try await catalog.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(),
                                             options: read)
        let simple = Set(export.procedures.filter(\.isSimpleToSubmit).map(\.code))
        let level = try #require(export.levels.first { $0.level == 3 && simple.contains($0.procedureCode) })
        return (level.procedureCode, level.agencyCode)
    }

    static func submit(_ dossiers: RPCClient, _ target: (procedure: String, agency: String), n: Int) async throws -> DossierV1.Dossier {
        var request = DossierV1.SubmitDossierRequest()
        request.agencyCode = target.agency
        request.procedureCode = target.procedure
        request.channel = .online
        var upload = DossierV1.AttachmentUpload()
        upload.name = "giay-to-\(n).pdf"
        upload.content = pdf(n)
        request.attachments = [upload]
        let response = try await dossiers.unary(DossierV1.DossierService.submitDossier, request,
                                                options: options(idempotencyKey: "backup-\(n)"))
        return try #require(response.dossier)
    }

    static func get(_ dossiers: RPCClient, _ id: String) async throws -> DossierV1.Dossier {
        var request = DossierV1.GetDossierRequest()
        request.id = id
        return try await dossiers.unary(DossierV1.DossierService.getDossier, request, options: options())
    }

    static func file(_ dossiers: RPCClient, _ dossier: DossierV1.Dossier, _ fileID: String) async throws -> DossierV1.File {
        var request = DossierV1.GetFileRequest()
        request.dossierId = dossier.id
        request.fileId = fileID
        return try await dossiers.unary(DossierV1.DossierService.getFile, request, options: options())
    }

    static func run(_ name: String, _ arguments: [String]) async throws -> Finished {
        try await runToCompletion(try Executables.url(name), arguments, timeout: .seconds(60))
    }

    /// `PRAGMA integrity_check` and a row count, through Python's sqlite3 (a second, independent
    /// reader of the files).
    static func sqlite(_ path: String, _ sql: String) async throws -> String {
        let finished = try await runToCompletion(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])", path, sql])
        guard finished.exited, finished.status == 0 else { throw TestFailure(description: "python3 sqlite3: \(finished)") }
        return finished.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What the writer task saw: dossiers acknowledged, and which of them it began submitting
    /// only after the backup had ended.
    final class Writes: Sendable {
        let acknowledged = Mutex<[DossierV1.Dossier]>([])
        let startedAfterBackup = Mutex<[DossierV1.Dossier]>([])
        let backupEnded = Atomic<Bool>(false)
    }

    @Test("an online backup of dossier-svc under writes restores every acknowledged dossier, attachments included")
    func backupUnderWritesAndRestore() async throws {
        let root = try makeTemporaryFolder("backup")
        defer { try? FileManager.default.removeItem(at: root) }
        let original = root.appendingPathComponent("dossier-data")
        let restored = root.appendingPathComponent("dossier-restored")
        let backup = root.appendingPathComponent("backups/dossier-2026-01-01.sqlite")
        let catalogBackup = root.appendingPathComponent("backups/catalog.sqlite")
        let writes = Writes()

        try await withService("catalog-svc") { catalogProcess in
            let catalogAddress = catalogProcess.address.description
            var before: [DossierV1.Dossier] = []
            let dossierArguments = ServiceProcess.standardArguments(dataDirectory: original) + ["--catalog", catalogAddress]
            try await withService("dossier-svc", arguments: dossierArguments, dataDirectory: original) { dossierProcess in
                try await withClient(catalogProcess) { catalog in
                    try await withClient(dossierProcess) { dossiers in
                        let target = try await Self.levelThreeProcedure(catalog)
                        for n in 0..<20 {
                            let dossier = try await Self.submit(dossiers, target, n: n)
                            writes.acknowledged.withLock { $0.append(dossier) }
                        }

                        // Citizens keep submitting while the backup runs.
                        let writer = Task {
                            var n = 1000
                            while !Task.isCancelled {
                                let after = writes.backupEnded.load(ordering: .sequentiallyConsistent)
                                guard let dossier = try? await Self.submit(dossiers, target, n: n) else { break }
                                writes.acknowledged.withLock { $0.append(dossier) }
                                if after { writes.startedAfterBackup.withLock { $0.append(dossier) } }
                                n += 1
                            }
                        }
                        try await Task.sleep(for: .milliseconds(300))
                        let acknowledgedBefore = writes.acknowledged.withLock { $0 }
                        let finished = try await Self.run("dossier-svc", ["backup", "--data-dir", original.path, "--to", backup.path])
                        writes.backupEnded.store(true, ordering: .sequentiallyConsistent)
                        try await Task.sleep(for: .milliseconds(300))
                        writer.cancel()
                        _ = await writer.value
                        #expect(finished.exited && finished.status == 0, "\(finished)")

                        // It says what it wrote: the file, its size and SHA-256, the attachments.
                        let (bytes, digest) = try Self.sizeAndDigest(backup)
                        #expect(finished.stdout.contains("wrote \(backup.path) (\(bytes) bytes, sha256 \(digest))"), "\(finished.stdout)")
                        #expect(finished.stdout.contains("in \(backup.path).attachments"), "\(finished.stdout)")
                        let sidecar = try String(contentsOf: URL(fileURLWithPath: backup.path + ".sha256"), encoding: .utf8)
                        #expect(sidecar == "\(digest)  \(backup.lastPathComponent)\n")
                        for dossier in acknowledgedBefore {
                            let sha = try #require(dossier.attachments.first).sha256Hex
                            #expect(FileManager.default.fileExists(atPath: "\(backup.path).attachments/\(sha.prefix(2))/\(sha)"))
                        }
                        #expect(writes.startedAfterBackup.withLock { $0.count } > 0, "the writer stopped before the backup ended")
                        // A backup of another service, taken while it runs too.
                        let catalogFinished = try await Self.run(
                            "catalog-svc", ["backup", "--data-dir", try #require(catalogProcess.dataDirectory).path,
                                            "--to", catalogBackup.path])
                        #expect(catalogFinished.exited && catalogFinished.status == 0, "\(catalogFinished)")

                        // Restoring onto the running service's data folder is refused, --force or not.
                        let ontoRunning = try await Self.run(
                            "dossier-svc", ["restore", "--data-dir", original.path, "--from", backup.path, "--force"])
                        #expect(ontoRunning.status != 0 && ontoRunning.stderr.contains("in use by a running process"),
                                "\(ontoRunning)")

                        // What the citizens see now, for the dossiers acknowledged before the backup.
                        for dossier in acknowledgedBefore { before.append(try await Self.get(dossiers, dossier.id)) }
                    }
                }
            }
            #expect(!before.isEmpty)

            // Stopped: an existing database is still not replaced without --force.
            let withoutForce = try await Self.run("dossier-svc", ["restore", "--data-dir", original.path, "--from", backup.path])
            #expect(withoutForce.status != 0 && withoutForce.stderr.contains("add --force"), "\(withoutForce)")
            // catalog's backup is not dossier's.
            let wrongService = try await Self.run("dossier-svc", ["restore", "--data-dir", restored.path, "--from", catalogBackup.path])
            #expect(wrongService.status != 0 && wrongService.stderr.contains("not a backup of the dossier database"), "\(wrongService)")

            let restore = try await Self.run("dossier-svc", ["restore", "--data-dir", restored.path, "--from", backup.path])
            #expect(restore.exited && restore.status == 0, "\(restore)")
            #expect(restore.stdout.contains("restored \(restored.path)/dossier.sqlite"), "\(restore.stdout)")
            #expect(try await Self.sqlite(restored.path + "/dossier.sqlite", "PRAGMA integrity_check") == "ok")

            let restoredArguments = ServiceProcess.standardArguments(dataDirectory: restored) + ["--catalog", catalogAddress]
            try await withService("dossier-svc", arguments: restoredArguments, dataDirectory: restored) { restoredProcess in
                try await withClient(restoredProcess) { dossiers in
                    for dossier in before {
                        let again = try await Self.get(dossiers, dossier.id)
                        #expect(again == dossier, "dossier \(dossier.id) differs after the restore")
                        for attachment in dossier.attachments {
                            let file = try await Self.file(dossiers, dossier, attachment.id)
                            #expect(file.sha256Hex == attachment.sha256Hex)
                            #expect(Self.hex(SHA256.hash(data: file.content)) == attachment.sha256Hex)
                        }
                    }
                    // A consistent snapshot: nothing whose submission began after the backup ended.
                    for dossier in writes.startedAfterBackup.withLock({ $0 }) {
                        let missing = await rpcError { try await Self.get(dossiers, dossier.id) }
                        #expect(missing?.code == .notFound, "dossier \(dossier.id), submitted after the backup, is in it")
                    }
                }
            }
            #expect(try await Self.sqlite(restored.path + "/dossier.sqlite", "PRAGMA integrity_check") == "ok")
            let count = Int(try await Self.sqlite(restored.path + "/dossier.sqlite", "SELECT count(*) FROM dossier")) ?? 0
            #expect(count >= before.count && count <= writes.acknowledged.withLock { $0.count }, "\(count) dossiers restored")
        }
    }

    @Test("damaged backups are refused with a clear message and nothing is restored")
    func damagedBackupsAreRefused() async throws {
        let root = try makeTemporaryFolder("backup-damaged")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("notify-data")
        let backup = root.appendingPathComponent("notify.sqlite")
        try await withService("notify-svc", arguments: ServiceProcess.standardArguments(dataDirectory: data),
                              dataDirectory: data) { _ in
            let finished = try await Self.run("notify-svc", ["backup", "--data-dir", data.path, "--to", backup.path])
            #expect(finished.exited && finished.status == 0, "\(finished)")
            // A backup never overwrites one.
            let again = try await Self.run("notify-svc", ["backup", "--data-dir", data.path, "--to", backup.path])
            #expect(again.status != 0 && again.stderr.contains("never overwrites"), "\(again)")
        }

        // Pages overwritten (its checksum line left out): integrity_check catches it.
        var bytes = try Data(contentsOf: backup)
        #expect(bytes.count >= 4 * 4096)
        for page in 1..<(bytes.count / 4096) {
            for offset in 0..<64 { bytes[page * 4096 + offset] = 0x5A }
        }
        let corrupt = root.appendingPathComponent("corrupt.sqlite")
        try bytes.write(to: corrupt)
        let target = root.appendingPathComponent("target")
        let refused = try await Self.run("notify-svc", ["restore", "--data-dir", target.path, "--from", corrupt.path])
        #expect(refused.status != 0, "\(refused)")
        #expect(refused.stderr.contains("is damaged") && refused.stderr.contains("nothing was restored"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target.path + "/notify.sqlite"))

        // The same bytes beside the original's checksum line: the checksum catches it first.
        let withSidecar = root.appendingPathComponent("with-sidecar.sqlite")
        try bytes.write(to: withSidecar)
        try FileManager.default.copyItem(atPath: backup.path + ".sha256", toPath: withSidecar.path + ".sha256")
        let mismatch = try await Self.run("notify-svc", ["restore", "--data-dir", target.path, "--from", withSidecar.path])
        #expect(mismatch.status != 0 && mismatch.stderr.contains("SHA-256"), "\(mismatch.stderr)")

        // Not a database at all.
        let garbage = root.appendingPathComponent("garbage.sqlite")
        try Data(repeating: 0x42, count: 8192).write(to: garbage)
        let notDatabase = try await Self.run("notify-svc", ["restore", "--data-dir", target.path, "--from", garbage.path])
        #expect(notDatabase.status != 0 && notDatabase.stderr.contains("not an SQLite database"), "\(notDatabase.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target.path + "/notify.sqlite"))

        // The good one restores, and --force replaces it, keeping the old files aside.
        let good = try await Self.run("notify-svc", ["restore", "--data-dir", target.path, "--from", backup.path])
        #expect(good.exited && good.status == 0, "\(good)")
        let forced = try await Self.run("notify-svc", ["restore", "--data-dir", target.path, "--from", backup.path, "--force"])
        #expect(forced.exited && forced.status == 0 && forced.stdout.contains("moved to \(target.path)/replaced-"), "\(forced)")
    }

    static func sizeAndDigest(_ url: URL) throws -> (Int, String) {
        let data = try Data(contentsOf: url)
        return (data.count, hex(SHA256.hash(data: data)))
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
