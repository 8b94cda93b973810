import DVCProto
import Foundation
import NIOCore
import RPCCore
import RPCNIO
import Synchronization

/// CatalogService in the test process, over real TCP: answers from canned data and records what
/// each call sent (request and metadata), so the tests see exactly what dvcctl put on the wire.
final class FakeCatalog: Sendable {
    struct Call: Sendable {
        var method: String
        var request: any ProtoMessage
        var metadata: Metadata
    }

    private let calls = Mutex<[Call]>([])
    private let server: RPCServer
    let address: String
    /// What ExportCatalog answers; GetForm answers with `forms`.
    let document: CatalogV1.CatalogDocument
    let forms: [String: Data]

    private init(server: RPCServer, address: String, document: CatalogV1.CatalogDocument, forms: [String: Data]) {
        self.server = server
        self.address = address
        self.document = document
        self.forms = forms
    }

    var recorded: [Call] { calls.withLock { $0 } }

    func requests<M: ProtoMessage>(_ type: M.Type) -> [M] {
        recorded.compactMap { $0.request as? M }
    }

    static func start(document: CatalogV1.CatalogDocument = CatalogV1.CatalogDocument(),
                      forms: [String: Data] = [:]) async throws -> FakeCatalog {
        var router = RPCRouter()
        typealias S = CatalogV1.CatalogService
        let box = CallBox()
        func record<Req: ProtoMessage, Res: ProtoMessage>(
            _ method: ProtoMethod<Req, Res>, _ answer: @escaping @Sendable (Req) throws -> Res
        ) {
            router.register(method) { request, context in
                box.append(Call(method: method.path, request: request, metadata: context.metadata))
                return try answer(request)
            }
        }
        record(S.importCatalog) { _ in
            var response = CatalogV1.AdminResponse()
            response.version = 7
            return response
        }
        record(S.exportCatalog) { _ in document }
        record(S.getForm) { request in
            guard let content = forms[request.formId] else {
                throw RPCError(.notFound, "the template of form \(request.formId) has not been uploaded yet")
            }
            var response = CatalogV1.GetFormResponse()
            response.form = document.procedures.flatMap(\.forms).first { $0.id == request.formId }
            response.content = content
            return response
        }
        record(S.listAgencies) { request in
            var response = CatalogV1.ListAgenciesResponse()
            response.agencies = document.agencies.filter { $0.parentCode == request.parentCode }
            return response
        }
        record(S.searchProcedures) { request in
            var response = CatalogV1.SearchProceduresResponse()
            response.procedures = document.procedures.map {
                var summary = CatalogV1.ProcedureSummary()
                summary.code = $0.code
                summary.name = $0.name
                summary.fieldCode = $0.fieldCode
                summary.level = 4
                summary.score = 1.5
                return summary
            }
            response.total = 41
            response.nextPageToken = "page-2"
            return response
        }
        record(S.getProcedure) { request in
            guard let procedure = document.procedures.first(where: { $0.code == request.code }) else {
                throw RPCError(.notFound, "procedure \(request.code) does not exist",
                               violations: [FieldViolation(field: "code", description: "unknown procedure")])
            }
            var response = CatalogV1.GetProcedureResponse()
            response.procedure = procedure
            return response
        }
        record(S.setLevel) { request in
            guard request.level <= 3 || request.agencyCode != "capped" else {
                throw RPCError(.failedPrecondition, "agency capped caps at level 3")
            }
            var response = CatalogV1.AdminResponse()
            response.version = 8
            return response
        }
        record(S.setCalendarOverride) { _ in
            var response = CatalogV1.AdminResponse()
            response.version = 9
            return response
        }
        record(S.listHolidays) { request in
            var response = CatalogV1.ListHolidaysResponse()
            var holiday = CatalogV1.Holiday()
            holiday.date = "\(request.year)-09-02"
            holiday.name = "Quốc khánh"
            holiday.source = "fixed"
            response.holidays = [holiday]
            response.workingOverrides = document.calendarOverrides
            return response
        }
        record(S.listAudit) { _ in
            var entry = CatalogV1.AuditEntry()
            entry.id = 12
            entry.actor = "ops"
            entry.atUnixMs = 1_735_689_600_000  // 2025-01-01 00:00 UTC = 07:00 in Hà Nội
            entry.action = "set_level"
            entry.subject = "000.01.05.H26/1.001193"
            var response = CatalogV1.ListAuditResponse()
            response.entries = [entry]
            return response
        }
        let server = RPCServer(router: router)
        let bound = try await server.bind(host: "127.0.0.1", port: 0)
        let fake = FakeCatalog(server: server, address: "127.0.0.1:\(bound.port!)", document: document, forms: forms)
        box.owner.withLock { $0 = fake }
        return fake
    }

    func stop() async {
        await server.shutdownGracefully()
    }

    fileprivate func append(_ call: Call) {
        calls.withLock { $0.append(call) }
    }
}

/// Lets the handlers, registered before the fake exists, record into it.
private final class CallBox: Sendable {
    let owner = Mutex<FakeCatalog?>(nil)

    func append(_ call: FakeCatalog.Call) {
        owner.withLock { $0 }?.append(call)
    }
}

func withFakeCatalog<T>(document: CatalogV1.CatalogDocument = CatalogV1.CatalogDocument(), forms: [String: Data] = [:],
                        _ body: (FakeCatalog) async throws -> T) async throws -> T {
    let fake = try await FakeCatalog.start(document: document, forms: forms)
    do {
        let result = try await body(fake)
        await fake.stop()
        return result
    } catch {
        await fake.stop()
        throw error
    }
}
