import Synchronization

/// Tells the delivery worker that something was queued (or that it must stop), so it does
/// not wait for its next poll. Checked every few milliseconds while the worker waits.
final class WakeFlag: Sendable {
    private let state = Mutex<(woken: Bool, stopping: Bool)>((false, false))

    func wake() { state.withLock { $0.woken = true } }
    func stop() { state.withLock { $0.stopping = true } }
    var stopping: Bool { state.withLock { $0.stopping } }

    /// Returns once `stop()` was called, or when the calling task is cancelled.
    func waitUntilStopping() async {
        while !stopping && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits until woken, stopped or `timeout` passed; clears the wake.
    func wait(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let done = state.withLock { current -> Bool in
                defer { current.woken = false }
                return current.woken || current.stopping
            }
            if done { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
