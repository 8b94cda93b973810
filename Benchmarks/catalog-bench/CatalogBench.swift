import ArgumentParser
import BenchKit
import DVCProto
import Foundation
import RPCCore
import RPCNIO

/// Catalog reads over RPC: GetProcedure and SearchProcedures calls/s against catalog-svc with
/// its seed catalog, and the same GetProcedure through the gateway (level check included).
/// Starts both as child processes; one JSON line per run.
@main
struct CatalogBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog-bench",
        abstract: "Catalog read benchmark (not a test: it prints numbers)."
    )

    @Option(help: "Calls in flight, on one connection.")
    var concurrency: Int = 64

    @Option(help: "Seconds measured per run.")
    var duration: Double = 5

    @Option(help: "Seconds of warm-up before each run.")
    var warmup: Double = 1

    func run() async throws {
        let catalog = try await ChildService("catalog-svc")
        defer { catalog.stop() }
        let gateway = try await ChildService("gateway", arguments: ["--catalog", catalog.address.description],
                                       config: ChildService.gatewayLimitsOutOfReach)
        defer { gateway.stop() }

        let setup = RPCClient(peers: [catalog.address])
        let document = try await setup.unary(CatalogV1.CatalogService.exportCatalog, CatalogV1.ExportCatalogRequest())
        await setup.close()
        let codes = document.procedures.map(\.code)
        let offered = document.levels.filter { $0.level >= 1 }
        let queries = ["giay phep xay dung", "dang ky khai sinh", "trich luc", "chung thuc", "cap phep",
                       "Đăng ký kết hôn", "giấy phép", "ho tich"]
        let load = ClosedLoop(concurrency: concurrency, warmup: .milliseconds(Int64(warmup * 1000)),
                              duration: .milliseconds(Int64(duration * 1000)))
        let extra = [("concurrency", "\(concurrency)"), ("procedures", "\(codes.count)")]

        try await measure("catalog.GetProcedure", catalog.address, load, extra) { client, i in
            var request = CatalogV1.GetProcedureRequest()
            request.code = codes[i % codes.count]
            return try await client.unary(CatalogV1.CatalogService.getProcedure, request).procedure?.code == request.code
        }
        try await measure("catalog.SearchProcedures", catalog.address, load, extra) { client, i in
            var request = CatalogV1.SearchProceduresRequest()
            request.query = queries[i % queries.count]
            return try await !client.unary(CatalogV1.CatalogService.searchProcedures, request).procedures.isEmpty
        }
        try await measure("gateway.GetProcedure", gateway.address, load, extra) { client, i in
            var request = GatewayV1.GetProcedureRequest()
            let level = offered[i % offered.count]
            request.agencyCode = level.agencyCode
            request.procedureCode = level.procedureCode
            return try await client.unary(GatewayV1.PublicService.getProcedure, request).procedure?.code == request.procedureCode
        }
        // The same as an agency system (API key and all): the path other agencies' systems take.
        let key = try gateway.makeAPIKey(agency: offered[0].agencyCode, label: "catalog-bench")
        let withKey = CallOptions(metadata: [MetadataKey.authorization: key])
        try await measure("gateway.GetProcedure(agency-system)", gateway.address, load, extra) { client, i in
            var request = GatewayV1.GetProcedureRequest()
            let level = offered[i % offered.count]
            request.agencyCode = level.agencyCode
            request.procedureCode = level.procedureCode
            return try await client.unary(GatewayV1.PublicService.getProcedure, request, options: withKey).procedure?.code
                == request.procedureCode
        }
    }

    private func measure(
        _ name: String, _ address: PeerAddress, _ load: ClosedLoop, _ extra: [(String, String)],
        _ call: @escaping @Sendable (RPCClient, Int) async throws -> Bool
    ) async throws {
        let (eventLoop, executor) = ClosedLoop.eventLoop()
        let client = RPCClient(peers: [address], group: eventLoop)
        _ = try await call(client, 0)
        let result = try await load.run(executor: executor) { i in try await call(client, i) }
        await client.close()
        if result.failures > 0 { throw ValidationError("\(name): \(result.failures) wrong answers") }
        emit(result.json(impl: name, extra: extra))
    }
}
