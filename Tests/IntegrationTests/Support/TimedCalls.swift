import Foundation
import RPCCore
import Synchronization

/// Calls as their callers lived them: when each started, how long it took, how it ended. The
/// hung-peer test reads from it how long calls waited past their deadline and when they
/// succeeded again.
final class TimedCalls: Sendable {
    struct Call: Sendable {
        var started: ContinuousClock.Instant
        var duration: Duration
        var code: StatusCode
        var ended: ContinuousClock.Instant { started + duration }
    }

    private let calls = Mutex<[Call]>([])
    private let stopping = Atomic<Bool>(false)

    /// Tells the callers timing their calls here to start no more.
    func stop() { stopping.store(true, ordering: .relaxed) }
    var isStopped: Bool { stopping.load(ordering: .relaxed) }

    /// Runs `call` and records it; the record.
    @discardableResult
    func time(_ call: () async throws -> Void) async -> Call {
        let started = ContinuousClock.now
        var code = StatusCode.ok
        do {
            try await call()
        } catch let error as RPCError {
            code = error.code
        } catch {
            code = .unknown
        }
        let record = Call(started: started, duration: ContinuousClock.now - started, code: code)
        calls.withLock { $0.append(record) }
        return record
    }

    /// The calls that started in `range`.
    func started(in range: Range<ContinuousClock.Instant>) -> [Call] {
        calls.withLock { $0.filter { range.contains($0.started) } }
    }

    /// The calls that ended after `instant`, in the order they ended.
    func ended(after instant: ContinuousClock.Instant) -> [Call] {
        calls.withLock { $0.filter { $0.ended > instant } }.sorted { $0.ended < $1.ended }
    }

    var count: Int { calls.withLock { $0.count } }
}
