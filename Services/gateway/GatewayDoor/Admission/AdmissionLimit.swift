import Metrics
import Synchronization

/// How much work the gateway takes on at once, over both its doors (binary RPC and HTTP).
///
/// A request is admitted only while fewer than `capacity` are in flight; beyond that it is
/// refused at once (RESOURCE_EXHAUSTED / HTTP 503 with Retry-After) rather than queued. A queue
/// would hold every request for longer than the machine can serve them, so under overload
/// every caller would wait and then time out; refusing the excess keeps the latency of the
/// admitted ones bounded and lets callers back off, and the gateway serves normally again the
/// moment the load drops, with nothing left to work off. Config `max_in_flight`
/// (docs/gateway.md "Overload and rate limits").
public final class AdmissionLimit: Sendable {
    public static let defaultCapacity = 256
    /// What a refused caller is told to wait before trying again.
    public static let retryAfterSeconds = 1

    public let capacity: Int
    private let inFlight = Atomic<Int>(0)
    private let gauge = Gauge(label: "dvc_gateway_in_flight")
    private let shedRPC = Counter(label: "dvc_gateway_shed_total", dimensions: [("door", "rpc")])
    private let shedHTTP = Counter(label: "dvc_gateway_shed_total", dimensions: [("door", "http")])

    public enum Door: Sendable { case rpc, http }

    init(capacity: Int = AdmissionLimit.defaultCapacity) {
        precondition(capacity > 0, "max_in_flight must be positive")
        self.capacity = capacity
    }

    /// Takes a place, or counts a refusal and returns false when all are taken.
    public func enter(_ door: Door) -> Bool {
        let now = inFlight.add(1, ordering: .relaxed).newValue
        guard now <= capacity else {
            inFlight.subtract(1, ordering: .relaxed)
            (door == .rpc ? shedRPC : shedHTTP).increment()
            return false
        }
        gauge.record(now)
        return true
    }

    public func leave() {
        gauge.record(inFlight.subtract(1, ordering: .relaxed).newValue)
    }

    public var current: Int { inFlight.load(ordering: .relaxed) }

    /// Runs `work` holding a place; the place is given back however it ends.
    func admitted<T>(_ door: Door, _ work: () async throws -> T, refused: () throws -> T) async rethrows -> T {
        guard enter(door) else { return try refused() }
        defer { leave() }
        return try await work()
    }
}
