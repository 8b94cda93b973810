import DVCProto
import Foundation
import RPCCore
import RPCNIO
import Synchronization
import TestKit
import Testing

/// Rolling restarts under a steady load of submissions (an agency system retrying what is
/// retriable, each submission under its own idempotency key): dossier-svc restarted in place
/// (SIGTERM, drain, start again on its port and data), then each of two gateways in turn.
/// Every acknowledged submission is there exactly once, and the only errors the client ever
/// saw were retriable ones (UNAVAILABLE).
@Suite(.timeLimit(.minutes(3))) struct RollingRestartTests {
    final class Ledger: Sendable {
        private let state = Mutex((acknowledged: [String: String](), retried: 0, refused: [String]()))
        func acknowledge(_ key: String, _ id: String) { state.withLock { $0.acknowledged[key] = id } }
        func retry() { state.withLock { $0.retried += 1 } }
        func refuse(_ why: String) { state.withLock { $0.refused.append(why) } }
        var snapshot: (acknowledged: [String: String], retried: Int, refused: [String]) { state.withLock { $0 } }
    }

    @Test("dossier-svc and then each gateway restarted under load: nothing acknowledged lost, only retriable errors")
    func rollingRestart() async throws {
        try await withService("catalog-svc") { catalog in
            let dossierPort = try freeLoopbackPort()
            let dossierData = try makeTemporaryFolder("dossier-rolling")
            let dossierArguments = ["--listen", "127.0.0.1:\(dossierPort)", "--data-dir", dossierData.path, "--log-format", "text",
                                    "--catalog", catalog.address.description]
            var dossier = try await ServiceProcess.start("dossier-svc", arguments: dossierArguments, dataDirectory: dossierData)
            defer { dossier.forceKill() }
            let shared = try makeTemporaryFolder("gateway-rolling")
            let gatewayPorts = [try freeLoopbackPort(), try freeLoopbackPort()]
            func gatewayArguments(_ port: Int) -> [String] {
                ["--listen", "127.0.0.1:\(port)", "--data-dir", shared.path, "--log-format", "text",
                 "--catalog", catalog.address.description, "--dossier", "127.0.0.1:\(dossierPort)"]
            }
            var gateways = [try await ServiceProcess.start("gateway", arguments: gatewayArguments(gatewayPorts[0]), dataDirectory: shared),
                            try await ServiceProcess.start("gateway", arguments: gatewayArguments(gatewayPorts[1]), dataDirectory: shared)]
            defer { for gateway in gateways { gateway.forceKill() } }
            let apiKey = try await makeAPIKey(gatewayData: shared, agency: "000.01.20.H26", scopes: "citizens,officers")
            let client = RPCClient(peers: gatewayPorts.map { PeerAddress(host: "127.0.0.1", port: $0) })
            defer { Task { await client.close() } }

            // The steady load: one submission after another, retrying UNAVAILABLE with the same key.
            let ledger = Ledger()
            let load = Task {
                for n in 0..<1_000_000 where !Task.isCancelled {
                    let idempotency = "rolling-\(n)"
                    var attempts = 0
                    while !Task.isCancelled {
                        attempts += 1
                        do {
                            let submitted = try await client.unary(
                                GatewayV1.DossierService.submitDossier, ShardingTests.submission("000.01.20.H26"),
                                options: PaymentFlowTests.options(apiKey, as: "citizen:001099012345", idempotencyKey: idempotency))
                            ledger.acknowledge(idempotency, submitted.dossier?.id ?? "")
                            break
                        } catch let error as RPCError where error.code == .unavailable && attempts < 100 {
                            ledger.retry()
                            try? await Task.sleep(for: .milliseconds(50))
                        } catch {
                            // The test's own cancel at the end is not the platform's refusal.
                            if !Task.isCancelled { ledger.refuse("\(idempotency): \(error)") }
                            break
                        }
                    }
                }
            }

            try await Task.sleep(for: .milliseconds(700))
            // dossier-svc restarted in place: drained by SIGTERM, started again on its port and data.
            await dossier.stop()
            dossier = try await ServiceProcess.start("dossier-svc", arguments: dossierArguments, dataDirectory: dossierData)
            try await Task.sleep(for: .milliseconds(700))
            // Each gateway in turn.
            for index in gateways.indices {
                await gateways[index].stop()
                gateways[index] = try await ServiceProcess.start("gateway", arguments: gatewayArguments(gatewayPorts[index]), dataDirectory: shared)
                try await Task.sleep(for: .milliseconds(700))
            }
            load.cancel()
            _ = await load.value

            let (acknowledged, retried, refused) = ledger.snapshot
            #expect(refused.isEmpty, "non-retriable errors during the restarts: \(refused.prefix(5))")
            #expect(acknowledged.count >= 10, "only \(acknowledged.count) submissions went through")
            // Every acknowledged submission is there, once.
            var list = DossierV1.ListDossiersRequest()
            list.agencyCode = "000.01.20.H26"
            list.pageSize = 100
            var held: [String] = []
            repeat {
                let page = try await client.unary(GatewayV1.DossierService.listDossiers, list,
                                                  options: PaymentFlowTests.options(apiKey, as: "officer:kt:receiver"))
                held += page.dossiers.map(\.id)
                list.pageToken = page.nextPageToken
            } while !list.pageToken.isEmpty
            let acknowledgedIDs = Set(acknowledged.values)
            #expect(acknowledgedIDs.count == acknowledged.count, "two keys got the same dossier")
            #expect(acknowledgedIDs.isSubset(of: Set(held)), "acknowledged but missing: \(acknowledgedIDs.subtracting(held).prefix(5))")
            #expect(held.count == Set(held).count && held.count <= acknowledged.count + 1,
                    "\(held.count) dossiers for \(acknowledged.count) acknowledged submissions (at most the one in flight at cancel may add one)")
            print("rolling restart: \(acknowledged.count) submissions acknowledged, \(retried) retriable refusals retried, \(refused.count) other errors; \(held.count) dossiers held")
        }
    }
}
