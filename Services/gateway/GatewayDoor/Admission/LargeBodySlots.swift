import Metrics
import RPCCore
import Synchronization

/// How many large request bodies (a dossier's files: up to 50 MiB each) the gateway reads at
/// once, over every door; beyond it a large request is refused before a byte of its body is
/// read (UNAVAILABLE with Retry-After). Each admitted one holds up to its limit in memory while
/// it is decoded and sent on, so this bound, times the limit, is what large bodies can cost the
/// gateway's memory however many clients send them (config `max_large_bodies`).
public final class LargeBodySlots: Sendable {
    public static let defaultCapacity = 4

    public let capacity: Int
    private let taken = Atomic<Int>(0)
    private let refused = Counter(label: "dvc_gateway_large_bodies_refused_total")

    init(capacity: Int = LargeBodySlots.defaultCapacity) {
        precondition(capacity > 0, "max_large_bodies must be positive")
        self.capacity = capacity
    }

    /// Takes a slot, or throws UNAVAILABLE at once when all are taken. Give it back with `leave`.
    public func enter() throws {
        guard taken.add(1, ordering: .relaxed).newValue <= capacity else {
            taken.subtract(1, ordering: .relaxed)
            refused.increment()
            throw RPCError(.unavailable, "Hệ thống đang nhận nhiều hồ sơ cùng lúc; vui lòng gửi lại sau ít giây.",
                           metadata: ["retry-after-ms": "2000"])
        }
    }

    public func leave() { taken.subtract(1, ordering: .relaxed) }

    public var current: Int { taken.load(ordering: .relaxed) }
}
