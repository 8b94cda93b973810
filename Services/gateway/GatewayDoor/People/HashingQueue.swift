import Metrics
import NIOPosix
import RPCCore
import Synchronization

/// Password hashing (scrypt, slow on purpose) on threads of its own, never on Swift's
/// cooperative pool, behind a queue with a hard bound.
///
/// Each hash takes a core for about a quarter of a second, so a flood of bogus sign-ins could
/// queue far more work than the threads can do; every waiting request would hold one of the
/// gateway's admission places and soon everyone would get 503. With the bound, a request that
/// finds `capacity` hashes already waiting or running is refused at once (UNAVAILABLE with
/// Retry-After) and holds nothing: only sign-in and registration feel the flood.
final class HashingQueue: Sendable {
    let capacity: Int
    private let threads: NIOThreadPool
    private let queued = Atomic<Int>(0)
    private let refused: Counter

    init(name: String, threads count: Int, capacity: Int) {
        precondition(count > 0 && capacity >= count)
        self.capacity = capacity
        threads = NIOThreadPool(numberOfThreads: count)
        threads.start()
        refused = Counter(label: "dvc_gateway_password_hashing_refused_total", dimensions: [("accounts", name)])
    }

    deinit { try? threads.syncShutdownGracefully() }

    /// Hashes waiting or running now.
    var depth: Int { queued.load(ordering: .relaxed) }

    /// Runs `work` on the hashing threads, or refuses at once when the queue is full.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        guard queued.add(1, ordering: .relaxed).newValue <= capacity else {
            queued.subtract(1, ordering: .relaxed)
            refused.increment()
            throw Self.busy
        }
        defer { queued.subtract(1, ordering: .relaxed) }
        return try await threads.runIfActive(work)
    }

    static let busy = RPCError(.unavailable, "Hệ thống đang bận xử lý nhiều lượt đăng nhập; vui lòng thử lại sau ít giây.",
                               metadata: ["retry-after-ms": "2000"])
}
