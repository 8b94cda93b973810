import Foundation
import NIOCore
import NIOPosix
import RPCNIO

/// A closed-loop load: `concurrency` tasks each making one call at a time for a warm-up and
/// then a measured window; calls that complete inside the window are counted and their
/// latencies kept. The tasks run on the client connection's event loop, so the load costs
/// one thread and no thread hop per call (as the raw SwiftNIO ping-pong of the grpc-echo anchor
/// drives its load from the event loop; docs/performance.md, "The anchors").
public struct ClosedLoop: Sendable {
    public var concurrency: Int
    public var warmup: Duration
    public var duration: Duration

    public init(concurrency: Int, warmup: Duration, duration: Duration) {
        self.concurrency = concurrency
        self.warmup = warmup
        self.duration = duration
    }

    public struct Result: Sendable {
        public var requests: Int
        public var failures: Int
        public var seconds: Double
        /// Sorted, in nanoseconds.
        public var latencies: [UInt32]

        public var rps: Double { Double(requests) / seconds }

        public func percentileMicros(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            let index = min(latencies.count - 1, max(0, Int((Double(latencies.count) * p).rounded(.up)) - 1))
            return (Double(latencies[index]) / 1000 * 10).rounded() / 10
        }

        /// The one-line JSON the anchors print (docs/performance.md), with `impl` and extra fields.
        public func json(impl: String, extra: [(String, String)] = []) -> String {
            var fields = ["\"impl\":\"\(impl)\""]
            fields += extra.map { "\"\($0.0)\":\($0.1)" }
            fields += ["\"requests\":\(requests)", "\"rps\":\(Int(rps.rounded()))",
                       "\"p50_us\":\(percentileMicros(0.5))", "\"p99_us\":\(percentileMicros(0.99))",
                       "\"p999_us\":\(percentileMicros(0.999))"]
            return "{" + fields.joined(separator: ",") + "}"
        }
    }

    /// An event loop and an executor on it, for the client and the load's tasks.
    public static func eventLoop() -> (any EventLoop, EventLoopTaskExecutor) {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        return (loop, EventLoopTaskExecutor(loop))
    }

    /// Runs the load; `call` makes one call and returns false when its answer was wrong.
    public func run(executor: EventLoopTaskExecutor, _ call: @escaping @Sendable (Int) async throws -> Bool) async throws -> Result {
        let clock = ContinuousClock()
        let measureFrom = clock.now + warmup
        let stopAt = measureFrom + duration
        let parts: [([UInt32], Int)] = try await withThrowingTaskGroup(of: ([UInt32], Int).self) { group in
            for worker in 0..<concurrency {
                group.addTask(executorPreference: executor) {
                    var latencies: [UInt32] = []
                    latencies.reserveCapacity(1 << 16)
                    var failures = 0
                    var iteration = worker
                    while true {
                        let sent = clock.now
                        if sent >= stopAt { break }
                        if try await !call(iteration) { failures += 1 }
                        iteration += concurrency
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
        var latencies = parts.flatMap(\.0)
        latencies.sort()
        let (seconds, atto) = duration.components
        return Result(requests: latencies.count, failures: parts.reduce(0) { $0 + $1.1 },
                      seconds: Double(seconds) + Double(atto) / 1e18, latencies: latencies)
    }
}

/// Prints one result line and flushes it, so a reader sees each run as it finishes.
public func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
