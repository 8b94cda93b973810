import DVCProto
import Foundation
import Logging
import OneStop
import RPCCore
import Storage
import StorageTestKit
import Testing

@testable import DossierService

/// The PDF renditions on a real database (each backend), with stand-ins for WeasyPrint that are real programs
/// (small shell scripts with its command line): made on the first request only, kept, made
/// again when the document's HTML changed, handed on before being kept; and the renderer's own
/// failures (missing, failing, too slow) each with its clear message. The real WeasyPrint and
/// the text it draws are checked end to end by DocumentPDFTests.
@Suite struct DocumentRenditionsTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("renditions-\(UUID().uuidString)")

    /// A stand-in for `weasyprint --encoding utf-8 --stylesheet CSS IN OUT`: writes a small PDF that carries a
    /// digest of its input, and counts its runs in `runs`.
    func fakeWeasyPrint(body: String? = nil) throws -> (command: String, runs: URL) {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let runs = folder.appendingPathComponent("runs")
        let script = folder.appendingPathComponent("weasyprint-\(UUID().uuidString)")
        try """
            #!/bin/sh
            echo run >> '\(runs.path)'
            \(body ?? "printf '%%PDF-1.7 %s\\n%%%%EOF\\n' \"$(sha256sum < \"$5\" | cut -c1-16)\" > \"$6\"")
            """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return (script.path, runs)
    }

    func runs(_ file: URL) -> Int {
        ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    func book(_ backend: SQLBackend, signatures: DocumentSignatures? = nil) throws -> DossierBook {
        let database = try TestDatabases.make(backend, name: "dossier", migrations: DossierSchema.migrations)
        return try DossierBook(database: database, attachments: try AttachmentStore(dataDirectory: folder.appendingPathComponent("data").path),
                               catalog: DeadlineScannerTests.NoCatalog(), forms: .circular2018, signatures: signatures,
                               logger: .init(label: "test"))
    }

    /// A dossier of `applicant` with the receipt 01 and the control slip 05 (2018 set), as HTML.
    func dossier(_ book: DossierBook, applicant: String = "001099012345") async throws -> String {
        let row = DossierRow(id: "d-1", agencyCode: "000.00.20.H26", procedureCode: "P", applicantID: applicant,
                             channel: .online, pinSalt: Data([1]), pinHash: Data([2]), submittedAtMs: 0,
                             idempotencyKey: "d-1", details: .init())
        try await book.database.write { db in
            try row.insert(db)
            for (form, number) in [("01", "01/2026/000.00.20.H26-1"), ("05", "05/2026/000.00.20.H26-1")] {
                try db.execute(sql: """
                    INSERT INTO document (dossier_id, form, number, issued_at_ms, media_type, content, circular)
                    VALUES ('d-1', ?, ?, 1, 'text/html; charset=utf-8', ?, '01/2018/TT-VPCP')
                    """, arguments: [form, number, Data("<html><body><h1>Mẫu số \(form)</h1></body></html>".utf8)])
            }
        }
        return row.id
    }

    func request(_ form: String, media: String = "") -> DossierV1.GetDocumentRenditionRequest {
        var request = DossierV1.GetDocumentRenditionRequest()
        request.dossierId = "d-1"
        request.form = form
        request.mediaType = media
        return request
    }

    static let citizen = DossierActor.citizen(id: "001099012345")
    static let officer = DossierActor.officer(id: "tn01", agencyCode: "000.00.20.H26", roles: [.receiver])

    @Test("made on the first request and kept; made again from a changed HTML; signed under the page's code, annulled pages not",
          arguments: TestDatabases.backends)
    func lazyAndKept(backend: SQLBackend) async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let signatures = try DocumentSignaturesTests.signatures(folder.appendingPathComponent("data").path)
        let book = try book(backend, signatures: signatures)
        _ = try await dossier(book)
        // The receipt as dossier-svc issues it: stamped with its code and signed.
        let issuer = DocumentSignatures.Issuer(code: "000.00.20.H26", name: "Sở Tư pháp")
        let code = try await book.database.write { db in
            var receipt = DossierV1.DossierDocument()
            receipt.form = "01"
            receipt.number = "01/2026/000.00.20.H26-1"
            receipt.mediaType = "text/html; charset=utf-8"
            receipt.content = try #require(try Data.fetchOne(db, sql: "SELECT content FROM document WHERE form = '01'"))
            let code = try signatures.signDocument(&receipt, title: "Giấy tiếp nhận", dossierID: "d-1", receiptCode: "R-1",
                                                   issuer: issuer, atMs: Int64(Date().timeIntervalSince1970 * 1000), db)
            try db.execute(sql: "UPDATE document SET content = ? WHERE form = '01'", arguments: [receipt.content])
            return code
        }
        let (command, runFile) = try fakeWeasyPrint()
        let renditions = DocumentRenditions(book: book, renderer: WeasyPrintRenderer(command: command))
        #expect(runs(runFile) == 0)  // nothing is made before it is asked for

        let first = try await renditions.rendition(request("01"), for: Self.citizen).rendition
        #expect(first.renderedNow && first.content.starts(with: Array("%PDF-".utf8)) && runs(runFile) == 1)
        #expect(first.number == "01/2026/000.00.20.H26-1" && first.form == "01" && first.circular == "01/2018/TT-VPCP")
        let again = try await renditions.rendition(request("01", media: "application/pdf"), for: Self.officer).rendition
        #expect(!again.renderedNow && again.content == first.content && again.sha256Hex == first.sha256Hex && runs(runFile) == 1)
        // The kept PDF verifies under the page's code, with the agency's chain.
        let record = try #require(try await book.database.read { db in try signatures.verification(code: code, db) })
        let pdf = try #require(record.renditions.first { $0.mediaType == "application/pdf" })
        #expect(pdf.sha256Hex == first.sha256Hex)
        let chain = try #require(record.certificate?.chainPem)
        #expect(DocumentSignatures.check(pdf.signature, content: first.content, chainPEM: chain, signedAtMs: first.createdAtUnixMs))

        // The document issued again under its number (as the control slip is): a new rendition.
        try await book.database.write { db in
            try db.execute(sql: "UPDATE document SET content = ? WHERE form = '01'", arguments: [Data("<html><body>mới</body></html>".utf8)])
        }
        let remade = try await renditions.rendition(request("01"), for: Self.citizen).rendition
        #expect(remade.renderedNow && remade.content != first.content && runs(runFile) == 2)
        #expect(try await book.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM document_rendition") } == 1)

        // The control slip was never signed here: its PDF is made and served, with no signature.
        let slip = try await renditions.rendition(request("05"), for: Self.officer).rendition
        #expect(slip.renderedNow)
        #expect(try await book.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM signed_rendition WHERE media_type = 'application/pdf'") } == 1)
    }

    @Test("refusals: another rendition type, no form, a form not issued, the control slip to a citizen, another citizen's dossier",
          arguments: TestDatabases.backends)
    func refusals(backend: SQLBackend) async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let book = try book(backend)
        _ = try await dossier(book)
        let (command, runFile) = try fakeWeasyPrint()
        let renditions = DocumentRenditions(book: book, renderer: WeasyPrintRenderer(command: command))
        func refusal(_ request: DossierV1.GetDocumentRenditionRequest, _ actor: DossierActor) async -> RPCError? {
            do {
                _ = try await renditions.rendition(request, for: actor)
                return nil
            } catch {
                return error as? RPCError
            }
        }
        let png = await refusal(request("01", media: "image/png"), Self.citizen)
        #expect(png?.code == .invalidArgument && png?.violations.map(\.field) == ["media_type"])
        let blank = await refusal(request(""), Self.citizen)
        #expect(blank?.code == .invalidArgument && blank?.violations.map(\.field) == ["form"])
        let absent = await refusal(request("03"), Self.citizen)
        #expect(absent?.code == .notFound && absent?.violations.map(\.field) == ["form"])
        #expect(await refusal(request("05"), Self.citizen)?.code == .notFound)
        #expect(await refusal(request("01"), .citizen(id: "079199000001"))?.code == .notFound)
        #expect(runs(runFile) == 0)
        // The officer gets the control slip.
        #expect(try await renditions.rendition(request("05"), for: Self.officer).rendition.renderedNow)
    }

    @Test("no WeasyPrint, a failing one, a hung one: UNAVAILABLE with the reason, nothing kept")
    func rendererFailures() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let book = try book(.sqlite)
        _ = try await dossier(book)
        let missing = WeasyPrintRenderer(command: "weasyprint-not-installed", path: "/nonexistent")
        #expect(missing.executable == nil)
        do {
            _ = try await DocumentRenditions(book: book, renderer: missing).rendition(request("01"), for: Self.citizen)
            Issue.record("a rendition without WeasyPrint")
        } catch let error as RPCError {
            #expect(error.code == .unavailable && error.message.contains("WeasyPrint is not installed") && error.message.contains("weasyprint"),
                    "\(error)")
        }

        let (failing, _) = try fakeWeasyPrint(body: "echo 'ERROR: Failed to load stylesheet' >&2; exit 1")
        do {
            _ = try await WeasyPrintRenderer(command: failing).pdf(fromHTML: Data("<p>x</p>".utf8))
            Issue.record("a failing WeasyPrint made a PDF")
        } catch let failure as WeasyPrintRenderer.Failure {
            #expect(failure.description.contains("exit 1") && failure.description.contains("Failed to load stylesheet"), "\(failure)")
        }

        let (hung, _) = try fakeWeasyPrint(body: "exec sleep 30")
        let clock = ContinuousClock()
        let started = clock.now
        do {
            _ = try await WeasyPrintRenderer(command: hung, timeout: .milliseconds(500)).pdf(fromHTML: Data("<p>x</p>".utf8))
            Issue.record("a hung WeasyPrint made a PDF")
        } catch let failure as WeasyPrintRenderer.Failure {
            #expect(failure.description.contains("took longer"), "\(failure)")
        }
        #expect(clock.now - started < .seconds(10))
        #expect(try await book.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM document_rendition") } == 0)
    }

    @Test("renders run `concurrency` at a time: four at once with one slot never overlap, and all finish")
    func oneAtATime() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let log = folder.appendingPathComponent("log")
        // Each run notes its start and end around a short sleep; overlapping runs would interleave.
        let (command, _) = try fakeWeasyPrint(body: "echo start >> '\(log.path)'; sleep 0.2; echo end >> '\(log.path)'; printf '%%PDF-1.7\\n' > \"$6\"")
        let renderer = WeasyPrintRenderer(command: command, concurrency: 1)
        try await withThrowingTaskGroup(of: Data.self) { group in
            for index in 0..<4 { group.addTask { try await renderer.pdf(fromHTML: Data("<p>\(index)</p>".utf8)) } }
            for try await pdf in group { #expect(pdf.starts(with: Array("%PDF-".utf8))) }
        }
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines == Array(repeating: ["start", "end"], count: 4).flatMap { $0 }, "\(lines)")
    }
}
