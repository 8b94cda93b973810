import Synchronization

/// What other threads need to know of a connection without hopping onto its event loop:
/// whether it still takes new calls, and why not once it closed.
final class ConnectionFlags: Sendable {
    private let goingAway = Atomic<Bool>(false)
    private let closed = Atomic<Bool>(false)
    private let reason = Mutex<String?>(nil)

    func markGoingAway() { goingAway.store(true, ordering: .relaxed) }
    func markClosed() { closed.store(true, ordering: .relaxed) }

    /// Why the connection closed (e.g. the server wants TLS), for a call that finds it closed.
    func markClosed(because why: String) {
        reason.withLock { $0 = $0 ?? why }
        markClosed()
    }

    var closeReason: String? { reason.withLock { $0 } }

    /// False once the server said GOAWAY or the connection closed.
    var acceptsNewCalls: Bool {
        !goingAway.load(ordering: .relaxed) && !closed.load(ordering: .relaxed)
    }
}
