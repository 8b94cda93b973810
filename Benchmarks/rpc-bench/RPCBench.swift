import ArgumentParser
import BenchKit
import DVCProto
import Foundation
import RPCCore
import RPCNIO

/// Unary echo over loopback, the platform's RPC measured the way the grpc-echo anchor measures
/// grpc-swift 2 and a raw SwiftNIO ping-pong (separate programs kept outside this repository;
/// docs/performance.md, "The anchors"): C calls in flight on one connection, a warm-up, then a
/// fixed measuring window; one JSON line per run, in the anchor's format.
@main
struct RPCBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-bench",
        abstract: "Unary echo benchmark of the platform's RPC (not a test: it prints numbers)."
    )

    @Option(help: "Server HOST:PORT; without it, rpc-interop-server is started as a child process.")
    var target: String?

    @Option(help: "Path of rpc-interop-server (default: beside this executable).")
    var serverBinary: String?

    @Option(parsing: .upToNextOption, help: "Calls in flight, one run each.")
    var concurrency: [Int] = [1, 64]

    @Option(help: "Seconds measured per run.")
    var duration: Double = 10

    @Option(help: "Seconds of warm-up before each run.")
    var warmup: Double = 1

    @Option(help: "Payload bytes, echoed back.")
    var payload: Int = 256

    @Option(name: .customLong("tls-cert"),
            help: "Mutual TLS: certificate (PEM) used by the client and, when the server is started here, by the server too (needs an IP SAN 127.0.0.1).")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "Mutual TLS: the private key of --tls-cert.")
    var tlsKey: String?

    @Option(name: .customLong("tls-ca"), help: "Mutual TLS: the CA certificate (PEM).")
    var tlsCA: String?

    func run() async throws {
        var tls: RPCTLS?
        var tlsArguments: [String] = []
        if tlsCert != nil || tlsKey != nil || tlsCA != nil {
            guard let tlsCert, let tlsKey, let tlsCA else {
                throw ValidationError("--tls-cert, --tls-key and --tls-ca go together")
            }
            tls = try RPCTLS.load(certificate: tlsCert, privateKey: tlsKey, authority: tlsCA)
            tlsArguments = ["--tls-cert", tlsCert, "--tls-key", tlsKey, "--tls-ca", tlsCA]
        }
        var child: ChildService?
        let address: PeerAddress
        if let target {
            guard let parsed = PeerAddress(target) else { throw ValidationError("--target must be HOST:PORT") }
            address = parsed
        } else {
            let started = try await ChildService("rpc-interop-server", binary: serverBinary, arguments: tlsArguments)
            child = started
            address = started.address
        }
        defer { child?.stop() }

        let request = {
            var request = TestingV1.SimpleRequest()
            request.payload = Data(repeating: 0x61, count: payload)
            return request
        }()
        let expected = request.payload
        for c in concurrency {
            let (eventLoop, executor) = ClosedLoop.eventLoop()
            var configuration = RPCClientConfiguration()
            configuration.tls = tls
            let client = RPCClient(peers: [address], configuration: configuration, group: eventLoop)
            // One call first so that connection set-up is outside the measurement.
            _ = try await client.unary(TestingV1.TestService.unaryCall, request)
            let load = ClosedLoop(concurrency: c, warmup: .milliseconds(Int64(warmup * 1000)),
                                  duration: .milliseconds(Int64(duration * 1000)))
            let result = try await load.run(executor: executor) { _ in
                try await client.unary(TestingV1.TestService.unaryCall, request).payload == expected
            }
            await client.close()
            if result.failures > 0 { throw ValidationError("\(result.failures) echoes came back wrong") }
            emit(result.json(impl: tls == nil ? "dvc-rpc" : "dvc-rpc-mtls", extra: [("concurrency", "\(c)"), ("payload", "\(payload)")]))
        }
    }
}
