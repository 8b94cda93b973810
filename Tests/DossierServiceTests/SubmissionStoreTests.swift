import DVCProto
import Foundation
import Logging
import OneStop
import RPCCore
import Storage
import StorageTestKit
import Testing

@testable import DossierService

/// Submission and actions on both backends: a retried submission (one after the other, or
/// racing) makes one dossier; many at once commit in groups, each with its own answer; a
/// retried action acts once.
@Suite struct SubmissionStoreTests {
    static let agency = "000.00.20.H26"
    static let procedure = "1.000001"

    /// The two catalog answers an online submission without files needs: the procedure is
    /// offered at level 3, its form has one text field and it asks for no papers.
    struct OnlineCatalog: RPCClientProtocol {
        func unary<Request, Response>(_ method: ProtoMethod<Request, Response>, _ request: Request,
                                      options: CallOptions) async throws -> Response {
            switch method.path {
            case CatalogV1.CatalogService.getEnabledLevel.path:
                var level = CatalogV1.GetEnabledLevelResponse()
                level.level = 3
                level.agencyCeiling = 4
                return level as! Response
            case CatalogV1.CatalogService.getProcedure.path:
                var answer = CatalogV1.GetProcedureResponse()
                var procedure = CatalogV1.Procedure()
                procedure.code = SubmissionStoreTests.procedure
                var field = CatalogV1.FormField()
                field.name = "ghi_chu"
                field.label = "Ghi chú"
                field.type = "text"
                var form = CatalogV1.FormTemplate()
                form.id = "to-khai"
                form.fields = [field]
                procedure.forms = [form]
                answer.procedure = procedure
                return answer as! Response
            default:
                throw RPCError(.unavailable, "\(method.path) is not answered in this test")
            }
        }
    }

    static func book(_ backend: SQLBackend) throws -> DossierBook {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("submission-\(UUID().uuidString)").path
        return try DossierBook(database: try DossierTestDatabases.make(backend),
                               attachments: try AttachmentStore(dataDirectory: folder),
                               catalog: OnlineCatalog(), forms: .circular2018, logger: .init(label: "test"))
    }

    static func context(key: String) -> ServerContext {
        ServerContext(method: "/dvc.dossier.v1.DossierService/SubmitDossier", metadata: [MetadataKey.idempotencyKey: key],
                      deadline: nil, requestID: "r", trace: TraceContext.random(), remoteAddress: "test", logger: .init(label: "test"))
    }

    static func request(note: String = "Cấp bản sao") -> DossierV1.SubmitDossierRequest {
        var request = DossierV1.SubmitDossierRequest()
        request.agencyCode = agency
        request.procedureCode = procedure
        request.formData = ["ghi_chu": note]
        return request
    }

    static func count(_ book: DossierBook, _ sql: String) async throws -> Int {
        try await book.database.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    @Test("the same key twice, then racing, gives one dossier; the key reused for another form is refused",
          arguments: TestDatabases.backends)
    func idempotentSubmission(backend: SQLBackend) async throws {
        let book = try Self.book(backend)
        let citizen = DossierActor.citizen(id: "001099012345")
        let first = try await book.submit(Self.request(), actor: citizen, context: Self.context(key: "k-1"))
        let again = try await book.submit(Self.request(), actor: citizen, context: Self.context(key: "k-1"))
        #expect(again.dossier?.id == first.dossier?.id && again.trackingPin == first.trackingPin)

        let racing = try await withThrowingTaskGroup(of: String.self, returning: Set<String>.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let answer = try await book.submit(Self.request(), actor: citizen, context: Self.context(key: "k-2"))
                    return answer.dossier?.id ?? ""
                }
            }
            var ids = Set<String>()
            for try await id in group { ids.insert(id) }
            return ids
        }
        #expect(racing.count == 1)
        #expect(try await Self.count(book, "SELECT COUNT(*) FROM dossier") == 2)
        #expect(try await Self.count(book, "SELECT COUNT(*) FROM history") == 2)
        #expect(try await book.database.read { db in try Outbox.backlog(in: db) } == 2)

        let reused = await #expect(throws: RPCError.self) {
            try await book.submit(Self.request(note: "khác"), actor: citizen, context: Self.context(key: "k-1"))
        }
        #expect(reused?.code == .failedPrecondition && reused?.violations.map(\.field) == [MetadataKey.idempotencyKey])
        #expect(try await Self.count(book, "SELECT COUNT(*) FROM dossier") == 2)
    }

    @Test("200 submissions at once all commit, each answered with its own dossier", arguments: TestDatabases.backends)
    func groupCommit(backend: SQLBackend) async throws {
        let book = try Self.book(backend)
        let answers = try await withThrowingTaskGroup(of: (Int, DossierV1.SubmitDossierResponse).self,
                                                      returning: [Int: DossierV1.SubmitDossierResponse].self) { group in
            for index in 0..<200 {
                group.addTask {
                    let citizen = DossierActor.citizen(id: String(format: "0010990%05d", index))
                    return (index, try await book.submit(Self.request(note: "hồ sơ \(index)"), actor: citizen,
                                                         context: Self.context(key: "k-\(index)")))
                }
            }
            var answers: [Int: DossierV1.SubmitDossierResponse] = [:]
            for try await (index, answer) in group { answers[index] = answer }
            return answers
        }
        #expect(answers.count == 200 && Set(answers.values.compactMap(\.dossier?.id)).count == 200)
        let stored = try await book.database.read { db in
            try DossierRow.fetchAll(db, sql: "SELECT \(DossierRow.columns) FROM dossier")
        }
        #expect(stored.count == 200)
        let byID = Dictionary(uniqueKeysWithValues: stored.map { ($0.id, $0) })
        for (index, answer) in answers {
            // Each answer is its own submission's dossier, as stored.
            let row = try #require(byID[answer.dossier?.id ?? ""])
            #expect(row.applicantID == String(format: "0010990%05d", index) && row.idempotencyKey == "k-\(index)")
            #expect(row.details.formData["ghi_chu"] == "hồ sơ \(index)" && answer.dossier?.formData["ghi_chu"] == "hồ sơ \(index)")
            #expect(book.pin(for: row.id).digits == answer.trackingPin)
        }
        #expect(try await Self.count(book, "SELECT COUNT(*) FROM history") == 200)
        #expect(try await book.database.read { db in try Outbox.backlog(in: db) } == 200)
        // Every insert moved the change feed and the counters on.
        #expect(try await Self.count(book, "SELECT COUNT(DISTINCT change_seq) FROM dossier") == 200)
        #expect(try await Self.count(book, "SELECT count FROM agency_state_count WHERE agency_code = '\(Self.agency)' AND state = 1") == 200)
    }

    @Test("an action retried with its key acts once and answers the same; the key reused for another action is refused",
          arguments: TestDatabases.backends)
    func idempotentAction(backend: SQLBackend) async throws {
        let book = try Self.book(backend)
        let citizen = DossierActor.citizen(id: "001099012345")
        let submitted = try #require(try await book.submit(Self.request(), actor: citizen, context: Self.context(key: "k-1")).dossier)
        var withdraw = DossierV1.ActRequest()
        withdraw.dossierId = submitted.id
        withdraw.action = .withdraw
        withdraw.expectedVersion = submitted.version
        withdraw.note = "Nộp nhầm thủ tục"
        let first = try await book.act(withdraw, actor: citizen, context: Self.context(key: "act-1"))
        let retried = try await book.act(withdraw, actor: citizen, context: Self.context(key: "act-1"))
        #expect(first.state == .withdrawn && first.version == submitted.version + 1)
        #expect(retried.state == .withdrawn && retried.version == first.version)
        #expect(try await Self.count(book, "SELECT COUNT(*) FROM history") == 2)
        #expect(try await Self.count(book, "SELECT COUNT(*) FROM act_request") == 1)

        var other = withdraw
        other.note = "Lý do khác"
        let reused = await #expect(throws: RPCError.self) {
            try await book.act(other, actor: citizen, context: Self.context(key: "act-1"))
        }
        #expect(reused?.code == .failedPrecondition)
        // Without a key, the version the first call saw is stale now.
        let stale = await #expect(throws: RPCError.self) {
            try await book.act(withdraw, actor: citizen, context: Self.context(key: ""))
        }
        #expect(stale?.code == .aborted && stale?.violations.map(\.field) == ["expected_version"])
    }
}
