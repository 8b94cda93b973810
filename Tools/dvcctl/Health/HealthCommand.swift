import ArgumentParser
import DVCProto
import RPCCore
import RPCNIO

/// `dvcctl health HOST:PORT...`: `/dvc.health.v1.Health/Check` on each server.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check the health of servers; exit 1 unless every one is SERVING.",
        discussion: """
            Prints one line per server: its address and SERVING, NOT_SERVING, SERVICE_UNKNOWN, \
            UNKNOWN, or UNREACHABLE with the reason. The servers are asked at the same time.
            """
    )

    @Argument(help: ArgumentHelp("The servers.", valueName: "host:port"))
    var addresses: [String]

    @Option(name: .long, help: "Ask about one service (e.g. dvc.catalog.v1.CatalogService) instead of the whole server.")
    var service: String = ""

    @OptionGroup var rpc: RPCOptions

    func validate() throws {
        if addresses.isEmpty { throw ValidationError("give at least one HOST:PORT") }
        for address in addresses {
            if PeerAddress(address) == nil { throw ValidationError("'\(address)' is not HOST:PORT") }
        }
    }

    func run() async throws {
        let peers = addresses.map { PeerAddress($0)! }
        let request = {
            var request = HealthV1.HealthCheckRequest()
            request.service = service
            return request
        }()
        let options = try rpc.callOptions()
        let clients = try peers.map { try rpc.client([$0]) }
        let results = await withTaskGroup(of: (Int, Result<HealthV1.HealthCheckResponse, RPCError>).self) { group in
            for (index, client) in clients.enumerated() {
                group.addTask {
                    do {
                        let response = try await withClient(client) { client in
                            try await client.unary(HealthV1.Health.check, request, options: options)
                        }
                        return (index, .success(response))
                    } catch {
                        return (index, .failure(RPCError(from: error)))
                    }
                }
            }
            var results = Array(repeating: Result<HealthV1.HealthCheckResponse, RPCError>.failure(RPCError(.unknown, "")),
                                count: peers.count)
            for await (index, result) in group { results[index] = result }
            return results
        }
        var healthy = true
        var rows: [[String]] = []
        for (peer, result) in zip(peers, results) {
            switch result {
            case .success(let response):
                let name = response.status.protoValueName ?? "UNKNOWN(\(response.status.rawValue))"
                rows.append([peer.description, name])
                if response.status != .serving { healthy = false }
            case .failure(let error):
                healthy = false
                let state = error.code == .unavailable || error.code == .deadlineExceeded ? "UNREACHABLE" : "ERROR"
                rows.append([peer.description, "\(state) (\(error.code): \(error.message))"])
            }
        }
        for line in Console.table(rows) { Console.print(line) }
        if !healthy { throw ExitCode(ExitStatus.refused) }
    }
}
