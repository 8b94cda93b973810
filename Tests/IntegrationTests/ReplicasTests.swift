import DVCProto
import Foundation
import RPCCore
import RPCNIO
import TestKit
import Testing

/// Replicas behind the callers' balancing (docs/sharding.md): two catalog-svc behind a gateway,
/// two gateways (on one host, sharing its data folder: keys, accounts and sessions) behind an
/// agency system's client. One catalog replica and then one gateway are killed in the middle of
/// a stream of calls: not one call fails, and an API key made once works through both gateways.
@Suite(.timeLimit(.minutes(2))) struct ReplicasTests {
    @Test("two catalog-svc and two gateways: replicas killed mid-stream, no call fails")
    func replicasAbsorbALoss() async throws {
        // The replicas to be killed are started by hand (withService expects a clean exit).
        let catalogA = try await ServiceProcess.start("catalog-svc")
        defer { catalogA.forceKill() }
        try await withService("catalog-svc") { catalogB in
            let catalogs = "\(catalogA.address),\(catalogB.address)"
            let shared = try makeTemporaryFolder("gateway-shared")
            let gatewayArguments = ["--listen", "127.0.0.1:0", "--data-dir", shared.path, "--log-format", "text", "--catalog", catalogs]
            let gatewayA = try await ServiceProcess.start("gateway", arguments: gatewayArguments, dataDirectory: shared)
            defer { gatewayA.forceKill() }
            let gatewayB = try await ServiceProcess.start("gateway", arguments: gatewayArguments, dataDirectory: shared)
            defer { gatewayB.forceKill() }
            let key = try await makeAPIKey(gatewayData: shared, agency: "000.00.07.H26", scopes: "citizens")
            let client = RPCClient(peers: [gatewayA.address, gatewayB.address])
            defer { Task { await client.close() } }

            var options = CallOptions(timeout: .seconds(5), idempotent: true)
            options.metadata[MetadataKey.authorization] = key
            options.metadata["x-dvc-on-behalf-of"] = "citizen:001099012345"
            var search = CatalogV1.SearchProceduresRequest()
            search.query = "dang ky khai sinh"
            var failures: [String] = []
            for round in 0..<120 {
                if round == 30 { catalogA.forceKill() }   // a catalog replica lost
                if round == 70 { gatewayA.forceKill() }   // a gateway lost
                do {
                    let found = try await client.unary(GatewayV1.PublicService.searchProcedures, search, options: options)
                    if found.procedures.first?.code != "1.001193" { failures.append("round \(round): \(found.procedures.map(\.code))") }
                } catch {
                    failures.append("round \(round): \(error)")
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(failures.isEmpty, "calls failed while replicas were lost: \(failures)")
            #expect(!gatewayA.isRunning && gatewayB.isRunning && !catalogA.isRunning)

            // The key, made once in the shared folder, is honoured by the surviving gateway.
            var get = GatewayV1.GetProcedureRequest()
            get.procedureCode = "1.001193"
            get.agencyCode = "000.01.20.H26"
            let procedure = try await withClient(gatewayB) { direct in
                try await direct.unary(GatewayV1.PublicService.getProcedure, get, options: options)
            }
            #expect(procedure.enabledLevel == 4)
        }
    }
}
