import DVCProto
@testable import GatewayDoor
@testable import GatewayWeb
import RPCCore
import Synchronization
import Testing

/// The gateway's one-second memory of catalog-svc's reads (the public ones and the level gate's).
@Suite struct CatalogReadsTests {
    /// catalog-svc as far as the cache can tell: counts calls, answers with the code asked for,
    /// NOT_FOUND for "0.000000".
    final class CountingCatalog: RPCClientProtocol {
        let calls = Mutex(0)
        func unary<Request, Response>(_ method: ProtoMethod<Request, Response>, _ request: Request,
                                      options: CallOptions) async throws -> Response {
            calls.withLock { $0 += 1 }
            if let get = request as? CatalogV1.GetProcedureRequest {
                guard get.code != "0.000000" else { throw RPCError(.notFound, "no procedure") }
                var procedure = CatalogV1.Procedure()
                procedure.code = get.code
                var response = CatalogV1.GetProcedureResponse()
                response.procedure = procedure
                return response as! Response
            }
            return Response()
        }
        var count: Int { calls.withLock { $0 } }
    }

    static func get(_ code: String) -> CatalogV1.GetProcedureRequest {
        var request = CatalogV1.GetProcedureRequest()
        request.code = code
        return request
    }

    @Test("the same read within its lifetime is answered from memory, the level gate's too; another request, a later one, an error and administration methods are not")
    func answersFromMemory() async throws {
        let catalog = CountingCatalog()
        let reads = CatalogReads(catalog: catalog, lifetime: .milliseconds(300), capacity: 3)
        let first = try await reads.unary(CatalogV1.CatalogService.getProcedure, Self.get("1.001193"))
        let again = try await reads.unary(CatalogV1.CatalogService.getProcedure, Self.get("1.001193"))
        #expect(first.procedure?.code == "1.001193" && again == first && catalog.count == 1)
        _ = try await reads.unary(CatalogV1.CatalogService.getProcedure, Self.get("1.000001"))
        #expect(catalog.count == 2, "another request is another answer")
        // Errors are never kept: each NOT_FOUND is catalog-svc's own.
        for _ in 0..<2 {
            await #expect(throws: RPCError.self) { try await reads.unary(CatalogV1.CatalogService.getProcedure, Self.get("0.000000")) }
        }
        #expect(catalog.count == 4)
        // The level gate's question is kept the same way (the gateway's one cache of the catalog)...
        for _ in 0..<2 {
            _ = try await reads.unary(CatalogV1.CatalogService.getEnabledLevel, CatalogV1.GetEnabledLevelRequest())
        }
        #expect(catalog.count == 5)
        // ...and methods outside the reads (the catalog's administration) always go through.
        for _ in 0..<2 {
            _ = try await reads.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest())
        }
        #expect(catalog.count == 7)
        // After its lifetime the answer is fetched again (a catalog change shows).
        try await Task.sleep(for: .milliseconds(350))
        _ = try await reads.unary(CatalogV1.CatalogService.getProcedure, Self.get("1.001193"))
        #expect(catalog.count == 8)
        // Bounded: made-up requests never hold more than the capacity.
        for n in 0..<20 { _ = try await reads.unary(CatalogV1.CatalogService.getProcedure, Self.get("9.\(n)")) }
        #expect(reads.count <= 3)
    }
}
