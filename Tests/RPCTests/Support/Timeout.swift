import Synchronization

/// A wait in a test that took longer than it may.
struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var limit: Duration
    var description: String { "timed out after \(limit): \(what)" }
}

/// Runs `operation` and returns its result, or throws `TimedOut` once `limit` has passed.
///
/// The operation runs in a task of its own that is cancelled on timeout but not waited for,
/// so even an operation that ignores cancellation cannot hang the test.
func withTimeout<T: Sendable>(
    _ limit: Duration,
    _ what: String = "operation",
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let once = Once<T>()
    return try await withCheckedThrowingContinuation { continuation in
        once.set(continuation)
        let work = Task {
            do {
                once.resume(.success(try await operation()))
            } catch {
                once.resume(.failure(error))
            }
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            guard !Task.isCancelled else { return }
            if once.resume(.failure(TimedOut(what: what, limit: limit))) { work.cancel() }
        }
        once.onResume { timer.cancel() }
    }
}

/// Polls `condition` every few milliseconds until it holds; false if `limit` passes first.
func eventually(
    within limit: Duration = .seconds(2),
    _ condition: @Sendable () async -> Bool
) async -> Bool {
    let end = ContinuousClock.now + limit
    while ContinuousClock.now < end {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return await condition()
}

/// Measures how long `operation` takes.
func timed<T>(_ operation: () async throws -> T) async rethrows -> (T, Duration) {
    let start = ContinuousClock.now
    let value = try await operation()
    return (value, ContinuousClock.now - start)
}

/// A continuation resumed exactly once, by whichever side comes first.
private final class Once<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var done = false
        var onResume: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    func onResume(_ body: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.done { return true }
            state.onResume = body
            return false
        }
        if runNow { body() }
    }

    @discardableResult
    func resume(_ result: Result<T, any Error>) -> Bool {
        let (continuation, after) = state.withLock { state -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
            guard !state.done else { return (nil, nil) }
            state.done = true
            defer { state.continuation = nil; state.onResume = nil }
            return (state.continuation, state.onResume)
        }
        guard let continuation else { return false }
        continuation.resume(with: result)
        after?()
        return true
    }
}

/// Values appended from many tasks, read once they are done.
final class Collected<T: Sendable>: Sendable {
    private let values = Mutex<[T]>([])

    func append(_ value: T) { values.withLock { $0.append(value) } }
    var all: [T] { values.withLock { $0 } }
}
