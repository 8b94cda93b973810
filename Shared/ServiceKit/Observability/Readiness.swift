import Synchronization

/// One thing a service waits for before it takes traffic (its RPC server bound, the gateway's
/// HTTP side bound): not met until ``satisfy()``.
public final class ReadinessCondition: Sendable {
    public let name: String
    private let met = Mutex(false)

    public init(_ name: String) { self.name = name }

    public func satisfy() { met.withLock { $0 = true } }
    public var isMet: Bool { met.withLock { $0 } }
}

/// Whether the process should get traffic (`GET /readyz`): every condition met and not
/// draining. It never asks peers: a service whose peer is down still answers what it can, and
/// making readiness follow peers would let one failure take every service out of rotation.
public final class Readiness: Sendable {
    public let conditions: [ReadinessCondition]
    private let draining = Mutex(false)

    public init(conditions: [ReadinessCondition]) { self.conditions = conditions }

    /// From now on not ready: a graceful shutdown has begun (SIGTERM or SIGINT), so balancers
    /// move away while calls in flight finish. There is no way back.
    public func beginDraining() { draining.withLock { $0 = true } }

    public var isDraining: Bool { draining.withLock { $0 } }

    /// Ready, or why not: `draining` and the names of the conditions not met yet.
    public var status: (ready: Bool, reasons: [String]) {
        var reasons = conditions.filter { !$0.isMet }.map { "waiting for \($0.name)" }
        if isDraining { reasons.insert("draining", at: 0) }
        return (reasons.isEmpty, reasons)
    }
}
