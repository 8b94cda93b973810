import Crypto
import DVCProto
import Foundation
import TestKit
import Logging
import RPCCore
import RPCNIO
import Synchronization
import Testing

/// The system of record under the worst case: dossier-svc killed with SIGKILL in the middle of
/// a stream of submissions. After a restart on the same data, every submission that was
/// acknowledged is there exactly once with every attachment intact, and none is half-written.
@Suite(.timeLimit(.minutes(2))) struct DossierCrashTests {
    static let read = CallOptions(timeout: .seconds(10))

    /// A distinct, valid PDF of about `size` bytes.
    static func pdf(_ seed: Int, size: Int) -> Data {
        var data = Data("%PDF-1.4\n% dossier attachment \(seed)\n".utf8)
        var generator = SystemRandomNumberGenerator()
        data.append(contentsOf: (0..<size).map { _ in UInt8.random(in: 0x20...0x7E, using: &generator) })
        data.append(contentsOf: Array("\n%%EOF\n".utf8))
        return data
    }

    final class Ledger: Sendable {
        let entries = Mutex<[Acknowledged]>([])
    }

    struct Acknowledged: Sendable {
        var key: String
        var citizen: String
        var dossierID: String
        var digests: [String]
        /// Its two files, to send the very same submission again.
        var files: [Data]
    }

    @Test("SIGKILL during submissions: every acknowledged one survives whole, none is duplicated or partial")
    func killDuringSubmissions() async throws {
        try await withService("catalog-svc") { catalogProcess in
            let catalogAddress = catalogProcess.address.description
            let data = try makeTemporaryFolder("dossier-crash").appendingPathComponent("data")
            let arguments = ServiceProcess.standardArguments(dataDirectory: data) + ["--catalog", catalogAddress]

            // A level-3 procedure without declared fields, and its agency.
            let (procedure, agency) = try await withClient(catalogProcess) { catalog in
                let export = try await catalog.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest(),
                                                     options: Self.read)
                let simple = Set(export.procedures.filter(\.isSimpleToSubmit).map(\.code))
                let level = try #require(export.levels.first { $0.level >= 3 && simple.contains($0.procedureCode) })
                return (level.procedureCode, level.agencyCode)
            }

            let first = try await ServiceProcess.start("dossier-svc", arguments: arguments, dataDirectory: data)
            let acknowledged = Ledger()
            // The writers' client reports the dead peer at info; keep the test output readable.
            var quiet = Logger(label: "crash-test.client")
            quiet.logLevel = .error
            let client = RPCClient(peers: [first.address], logger: quiet)
            let writers = Task {
                await withTaskGroup(of: Void.self) { group in
                    for writer in 0..<6 {
                        group.addTask {
                            let citizen = String(format: "0010990%05d", writer)
                            for index in 0..<1_000 {
                                let key = "w\(writer)-\(index)"
                                var request = DossierV1.SubmitDossierRequest()
                                request.agencyCode = agency
                                request.procedureCode = procedure
                                let files = [Self.pdf(writer * 10_000 + index * 2, size: 100_000),
                                             Self.pdf(writer * 10_000 + index * 2 + 1, size: 100_000)]
                                request.attachments = files.enumerated().map { number, content in
                                    var upload = DossierV1.AttachmentUpload()
                                    upload.name = "tep-\(number).pdf"
                                    upload.content = content
                                    return upload
                                }
                                var options = Self.read
                                options.metadata[CallerIdentity.metadataKey] = "citizen:\(citizen)"
                                options.metadata[MetadataKey.idempotencyKey] = key
                                guard let response = try? await client.unary(DossierV1.DossierService.submitDossier, request,
                                                                             options: options),
                                      let dossier = response.dossier
                                else { return }  // the process is gone
                                let digests = files.map { SHA256.hash(data: $0).map { String(format: "%02x", $0) }.joined() }
                                acknowledged.entries.withLock {
                                    $0.append(Acknowledged(key: key, citizen: citizen, dossierID: dossier.id, digests: digests,
                                                           files: files))
                                }
                            }
                        }
                    }
                }
            }
            // Let the stream run, then pull the plug.
            let started = ContinuousClock.now
            while acknowledged.entries.withLock({ $0.count }) < 30, ContinuousClock.now - started < .seconds(30) {
                try await Task.sleep(for: .milliseconds(20))
            }
            first.forceKill()
            await writers.value
            await client.close()
            let acked = acknowledged.entries.withLock { $0 }
            #expect(acked.count >= 30, "only \(acked.count) submissions were acknowledged before the kill")

            // Restarted on the same data: everything acknowledged is there, whole.
            try await withService("dossier-svc", arguments: arguments, dataDirectory: data) { second in
                try await withClient(second) { dossiers in
                    for ack in acked {
                        var get = DossierV1.GetDossierRequest()
                        get.id = ack.dossierID
                        var options = Self.read
                        options.metadata[CallerIdentity.metadataKey] = "citizen:\(ack.citizen)"
                        let dossier = try await dossiers.unary(DossierV1.DossierService.getDossier, get, options: options)
                        #expect(dossier.attachments.map(\.sha256Hex) == ack.digests, "\(ack.key)")
                        for digest in ack.digests {
                            let path = data.appendingPathComponent("attachments/\(digest.prefix(2))/\(digest)").path
                            let bytes = try #require(FileManager.default.contents(atPath: path), "\(ack.key): \(digest) missing")
                            #expect(SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() == digest)
                        }
                        // A retry of an acknowledged submission (the same request, the same key)
                        // finds the same dossier: never a second one.
                        var retry = DossierV1.SubmitDossierRequest()
                        retry.agencyCode = agency
                        retry.procedureCode = procedure
                        retry.attachments = ack.files.enumerated().map { number, content in
                            var upload = DossierV1.AttachmentUpload()
                            upload.name = "tep-\(number).pdf"
                            upload.content = content
                            return upload
                        }
                        options.metadata[MetadataKey.idempotencyKey] = ack.key
                        let again = try await dossiers.unary(DossierV1.DossierService.submitDossier, retry, options: options)
                        #expect(again.dossier?.id == ack.dossierID)
                    }
                    // Every dossier the database holds, acknowledged or not, has all its files.
                    for writer in 0..<6 {
                        var list = DossierV1.ListDossiersRequest()
                        list.pageSize = 100
                        var options = Self.read
                        options.metadata[CallerIdentity.metadataKey] = "citizen:" + String(format: "0010990%05d", writer)
                        for dossier in try await dossiers.unary(DossierV1.DossierService.listDossiers, list, options: options).dossiers {
                            #expect(dossier.attachments.count == 2, "\(dossier.id) has \(dossier.attachments.count) attachments")
                            for attachment in dossier.attachments {
                                let path = data.appendingPathComponent(
                                    "attachments/\(attachment.sha256Hex.prefix(2))/\(attachment.sha256Hex)").path
                                #expect(FileManager.default.fileExists(atPath: path), "\(dossier.id): \(attachment.sha256Hex)")
                            }
                        }
                    }
                }
            }
        }
    }
}
