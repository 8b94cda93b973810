#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CFileSync
import NIOPosix
import Synchronization

/// Group commit for files: makes every write, rename and new folder made on a file system
/// before `sync()` was called durable, with one `syncfs(2)` shared by every caller waiting at
/// that moment.
///
/// Fsyncing each attachment and its folder costs four flushes per two-file submission; under
/// load that kernel work, not the disk, bounds the submissions per second. A caller here waits
/// for the next `syncfs` that *starts after* it called (its own writes are then covered); while
/// one runs, newcomers gather for the next, so N concurrent submissions cost about one flush.
/// `syncfs` flushes the whole file system, so the data folder belongs on a local file system of
/// its own in production (docs/architecture.md: one data folder per service).
final class FileSystemSync: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var errno: Int32
        var description: String { "syncfs: \(String(cString: strerror(errno)))" }
    }

    private struct State {
        /// How many syncs have started; the next to start has number `started + 1`.
        var started: UInt64 = 0
        var running = false
        var waiters: [(ticket: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    }

    private let descriptor: Int32
    private let state = Mutex(State())
    /// The one thread that blocks in syncfs.
    private let thread: NIOThreadPool

    /// Opens `folder`, on the file system to flush.
    init(folder: String) throws(Failure) {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(errno: errno) }
        self.descriptor = descriptor
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
    }

    deinit {
        try? thread.syncShutdownGracefully()
        close(descriptor)
    }

    /// Returns once everything written before the call is on stable storage.
    func sync() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let launch: UInt64? = state.withLock { state in
                if state.running {
                    // The sync under way may have started before our writes: wait for the next.
                    state.waiters.append((state.started + 1, continuation))
                    return nil
                }
                state.running = true
                state.started += 1
                state.waiters.append((state.started, continuation))
                return state.started
            }
            if let launch { run(launch) }
        }
    }

    /// How many flushes have started (for tests and metrics).
    var flushesStarted: UInt64 { state.withLock { $0.started } }

    /// A flush right now, on the calling thread.
    func syncNow() throws(Failure) {
        guard dvc_syncfs(descriptor) == 0 else { throw Failure(errno: errno) }
    }

    private func run(_ ticket: UInt64) {
        thread.submit { [self] _ in
            let failure: Failure? = dvc_syncfs(descriptor) == 0 ? nil : Failure(errno: errno)
            let (done, next) = state.withLock { state -> ([CheckedContinuation<Void, any Error>], UInt64?) in
                let done = state.waiters.filter { $0.ticket <= ticket }.map(\.continuation)
                state.waiters.removeAll { $0.ticket <= ticket }
                guard !state.waiters.isEmpty else {
                    state.running = false
                    return (done, nil)
                }
                state.started += 1
                return (done, state.started)
            }
            for continuation in done {
                if let failure { continuation.resume(throwing: failure) } else { continuation.resume() }
            }
            if let next { run(next) }
        }
    }
}
