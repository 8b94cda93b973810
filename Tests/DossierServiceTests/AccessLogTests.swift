import DVCProto
import Foundation
import Logging
import OneStop
import RPCCore
import Storage
import StorageTestKit
import Testing

@testable import DossierService

/// The data tracker's table on a real database file: what is recorded for whom, and that the
/// database itself refuses to change or remove an entry.
@Suite struct AccessLogTests {
    func book(_ backend: SQLBackend) throws -> DossierBook {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("access-log-\(UUID().uuidString)").path
        let database = try DossierTestDatabases.make(backend)
        return try DossierBook(database: database, attachments: try AttachmentStore(dataDirectory: folder),
                               catalog: DeadlineScannerTests.NoCatalog(), forms: .circular2018, logger: .init(label: "test"))
    }

    func dossier(_ book: DossierBook, _ id: String, applicant: String) async throws -> DossierV1.Dossier {
        let row = DossierRow(id: id, agencyCode: "000.00.20.H26", procedureCode: "P", applicantID: applicant,
                             channel: .online, pinSalt: Data([1]), pinHash: Data([2]), submittedAtMs: 0,
                             idempotencyKey: id, details: .init())
        try await book.database.write { db in try row.insert(db) }
        return DossierBook.view(row, attachments: [], documents: [])
    }

    @Test("reads are listed to their citizen only, newest first, paged; UPDATE and DELETE of an entry fail", arguments: TestDatabases.backends)
    func appendOnly(backend: SQLBackend) async throws {
        let book = try book(backend)
        let mine = try await dossier(book, "d-1", applicant: "001099012345")
        let theirs = try await dossier(book, "d-2", applicant: "079199000001")
        let officer = AccessReader(name: "officer:tn01", agencyCode: "000.00.20.H26", apiKeyID: "",
                                   method: "/dvc.gateway.v1.DossierService/GetDossier")
        var file = DossierV1.File()
        file.id = "f-1"
        file.name = "tờ khai.pdf"
        try await book.recordReads([mine], by: officer)
        try await book.recordReads([mine], by: officer, file: file)
        try await book.recordReads([theirs], by: officer)
        try await book.recordReads([mine], by: nil)

        var first = DossierV1.ListAccessLogRequest()
        first.pageSize = 1
        let page = try await book.accessLog(first, for: .citizen(id: "001099012345"))
        #expect(page.entries.map(\.fileName) == ["tờ khai.pdf"] && !page.nextPageToken.isEmpty)
        var second = first
        second.pageToken = page.nextPageToken
        let rest = try await book.accessLog(second, for: .citizen(id: "001099012345"))
        #expect(rest.entries.map(\.fileId) == [""] && rest.nextPageToken.isEmpty)
        #expect(rest.entries.first?.reader == "officer:tn01" && rest.entries.first?.agencyCode == "000.00.20.H26")
        do {
            _ = try await book.accessLog(first, for: .officer(id: "tn01", agencyCode: "000.00.20.H26", roles: [.receiver]))
            Issue.record("an officer read a citizen's access log")
        } catch let error as RPCError {
            #expect(error.code == .permissionDenied)
        }

        // Nobody who can run SQL on the file edits the record quietly: the triggers refuse.
        for sql in ["UPDATE access_log SET reader = 'officer:someone-else'", "DELETE FROM access_log",
                    "UPDATE access_log SET at_ms = 0 WHERE dossier_id = 'd-1'"] {
            do {
                try await book.database.write { db in try db.execute(sql: sql) }
                Issue.record("\(sql) changed the access log")
            } catch {
                #expect("\(error)".contains("access_log is append-only"), "\(sql): \(error)")
            }
        }
        #expect(try await book.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM access_log") } == 3)
    }

    @Test("who is recorded: officers and agency systems with their key and method; not the citizen, a platform service or the gateway's own check")
    func readers() throws {
        func context(_ metadata: Metadata) -> ServerContext {
            ServerContext(method: "/dvc.dossier.v1.DossierService/GetDossier", metadata: metadata, deadline: nil,
                          requestID: "r", trace: TraceContext.random(), remoteAddress: "test", logger: .init(label: "test"))
        }
        let via: Metadata = [MetadataKey.readVia: "/dvc.gateway.v1.DossierService/GetFile", MetadataKey.apiKeyID: "k-1"]
        let system = try #require(AccessReader(.agencySystem(agencyCode: "A"), context(via)))
        #expect(system == AccessReader(name: "agency-system:A", agencyCode: "A", apiKeyID: "k-1",
                                       method: "/dvc.gateway.v1.DossierService/GetFile"))
        let direct = try #require(AccessReader(.officer(id: "o", agencyCode: "A", roles: []), context([:])))
        #expect(direct.method == "/dvc.dossier.v1.DossierService/GetDossier" && direct.apiKeyID == "")
        #expect(AccessReader(.citizen(id: "001099012345"), context(via)) == nil)
        #expect(AccessReader(.system(service: "payment-svc"), context(via)) == nil)
        var check = via
        check[MetadataKey.readCheck] = "1"
        #expect(AccessReader(.officer(id: "o", agencyCode: "A", roles: []), context(check)) == nil)
    }
}
