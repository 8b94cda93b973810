import Synchronization

/// A small mutex for the few places core types share state across tasks.
final class NSLockLike: Sendable {
    private let mutex = Mutex(())

    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        try mutex.withLock { _ in try body() }
    }
}
