import ArgumentParser
import DVCProto
import NIOCore
import NIOPosix
import RPCCore
import RPCNIO
import Synchronization

#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Unary echo over loopback, the platform's RPC against the anchors of
/// ../shared/anchors/grpc-echo: C calls in flight on one connection, a warm-up, then a fixed
/// measuring window; one JSON line per run.
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

    @Option(help: "Method to call: unary (TestService/UnaryCall) or empty (EmptyCall).")
    var method: String = "unary"

    @Flag(help: "Run Swift concurrency's global executor on NIO's event loops.")
    var nioExecutor = false

    func run() async throws {
        if nioExecutor {
            _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        var child: Process?
        let address: PeerAddress
        if let target {
            guard let parsed = PeerAddress(target) else { throw ValidationError("--target must be HOST:PORT") }
            address = parsed
        } else {
            let (process, port) = try startServer()
            child = process
            address = PeerAddress(host: "127.0.0.1", port: port)
        }
        defer {
            if let child {
                child.terminate()
                child.waitUntilExit()
            }
        }
        for c in concurrency {
            let result = try await load(address: address, concurrency: c)
            print(result)
            FileHandle.standardOutput.synchronizeFile()
        }
    }

    private func startServer() throws -> (Process, Int) {
        let binary = serverBinary ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("rpc-interop-server").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("rpc-bench-\(getpid())").path
        process.arguments = ["--listen", "127.0.0.1:0", "--data-dir", dataDir, "--log-level", "warning"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var buffer = Data()
        while true {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { throw ValidationError("rpc-interop-server exited before listening") }
            buffer.append(chunk)
            if let text = String(data: buffer, encoding: .utf8),
               let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }),
               let peer = PeerAddress(String(line.dropFirst("listening on ".count))) {
                FileHandle.standardError.write("rpc-bench: rpc-interop-server pid \(process.processIdentifier) on \(peer)\n".data(using: .utf8)!)
                return (process, peer.port)
            }
        }
    }

    private func load(address: PeerAddress, concurrency: Int) async throws -> String {
        // The load runs its tasks on the client connection's event loop, as the anchor's raw
        // ping-pong drives its load from the event loop: the client process then costs one
        // thread, and a call no thread hop.
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let executor = EventLoopTaskExecutor(eventLoop)
        let client = RPCClient(peers: [address], group: eventLoop)
        defer { Task { await client.close() } }
        let request = {
            var request = TestingV1.SimpleRequest()
            request.payload = Data(repeating: 0x61, count: payload)
            return request
        }()
        let expected = request.payload
        let useEmpty = method == "empty"
        // One call first so that connection set-up is outside the measurement.
        _ = try await client.unary(TestingV1.TestService.unaryCall, request)

        let clock = ContinuousClock()
        let start = clock.now
        let measureFrom = start + .milliseconds(Int64(warmup * 1000))
        let stopAt = measureFrom + .milliseconds(Int64(duration * 1000))
        let samples: [([UInt32], Int)] = try await withThrowingTaskGroup(of: ([UInt32], Int).self) { group in
            for _ in 0..<concurrency {
                group.addTask(executorPreference: nioExecutor ? nil : executor) {
                    var latencies: [UInt32] = []
                    var failures = 0
                    latencies.reserveCapacity(1 << 16)
                    while true {
                        let sent = clock.now
                        if sent >= stopAt { break }
                        if useEmpty {
                            _ = try await client.unary(TestingV1.TestService.emptyCall, TestingV1.Empty())
                        } else {
                            let response = try await client.unary(TestingV1.TestService.unaryCall, request)
                            if response.payload != expected { failures += 1 }
                        }
                        let done = clock.now
                        if sent >= measureFrom && done <= stopAt {
                            let (seconds, atto) = (done - sent).components
                            latencies.append(UInt32(clamping: seconds * 1_000_000_000 + atto / 1_000_000_000))
                        }
                    }
                    return (latencies, failures)
                }
            }
            var all: [([UInt32], Int)] = []
            for try await part in group { all.append(part) }
            return all
        }
        let failures = samples.reduce(0) { $0 + $1.1 }
        if failures > 0 { throw ValidationError("\(failures) echoes came back wrong") }
        var latencies = samples.flatMap { $0.0 }
        latencies.sort()
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            let index = min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)
            return (Double(latencies[max(0, index)]) / 1000 * 10).rounded() / 10
        }
        let rps = (Double(latencies.count) / duration).rounded()
        return "{\"impl\":\"dvc-rpc\",\"concurrency\":\(concurrency),\"payload\":\(payload),\"requests\":\(latencies.count),"
            + "\"rps\":\(Int(rps)),\"p50_us\":\(percentile(0.5)),\"p99_us\":\(percentile(0.99)),\"p999_us\":\(percentile(0.999))}"
    }
}
