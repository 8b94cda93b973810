import Synchronization

/// What other threads need to know of a connection without hopping onto its event loop:
/// whether it still takes new calls.
final class ConnectionFlags: Sendable {
    private let goingAway = Atomic<Bool>(false)
    private let closed = Atomic<Bool>(false)

    func markGoingAway() { goingAway.store(true, ordering: .relaxed) }
    func markClosed() { closed.store(true, ordering: .relaxed) }

    /// False once the server said GOAWAY or the connection closed.
    var acceptsNewCalls: Bool {
        !goingAway.load(ordering: .relaxed) && !closed.load(ordering: .relaxed)
    }
}
