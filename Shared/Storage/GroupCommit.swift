import Synchronization

/// Write transactions of concurrent callers committed together: the work of everyone waiting
/// runs in one SQLite transaction, each caller's in a savepoint of its own, and one COMMIT (one
/// fsync of the WAL with `synchronous=FULL`; on PostgreSQL one WAL flush, and one round trip to
/// the synchronous standby) makes them all durable before any is answered.
///
/// A single durable commit costs a flush of the disk, and SQLite has one writer: under load,
/// commits queue behind each other's flushes (the sqlite-commit anchor, a C program described in
/// docs/performance.md, "The anchors", measures the effect). Here, while one batch commits,
/// newcomers gather for the next, so the flushes per second stay about the same while the work per
/// flush grows. A caller whose work throws gets its error and its savepoint is rolled back; the
/// others commit. If the COMMIT itself fails, every caller of the batch gets that error and nothing
/// of the batch is written.
public final class GroupCommit: Sendable {
    private final class Job: @unchecked Sendable {
        // Touched only by the batch that runs the job, then by the resumption after it.
        let run: (any SQLConnection) throws -> Void
        let finish: (Result<Void, any Error>) -> Void
        var outcome: Result<Void, any Error> = .success(())

        init(run: @escaping (any SQLConnection) throws -> Void, finish: @escaping (Result<Void, any Error>) -> Void) {
            self.run = run
            self.finish = finish
        }
    }

    /// Ends a batch whose transaction SQLite rolled back, carrying the error that did it.
    private struct BatchAborted: Error {
        var cause: any Error
    }

    private struct State {
        var waiting: [Job] = []
        var committing = false
    }

    private let database: ServiceDatabase
    private let maxBatch: Int
    private let state = Mutex(State())

    /// - Parameter maxBatch: at most this many callers per transaction (a bound on how long
    ///   the first of them waits for the others' work).
    public init(database: ServiceDatabase, maxBatch: Int = 128) {
        self.database = database
        self.maxBatch = maxBatch
    }

    /// Runs `work` inside a savepoint of the next batch and returns its result once the batch
    /// has committed.
    public func write<T: Sendable>(_ work: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let result = Mutex<T?>(nil)
            let job = Job(
                run: { db in
                    let value = try work(db)
                    result.withLock { $0 = value }
                },
                finish: { outcome in
                    switch outcome {
                    case .success: continuation.resume(returning: result.withLock { $0! })
                    case .failure(let error): continuation.resume(throwing: error)
                    }
                })
            let start = state.withLock { state -> Bool in
                state.waiting.append(job)
                guard !state.committing else { return false }
                state.committing = true
                return true
            }
            if start { Task { await self.commitWaiting() } }
        }
    }

    /// Commits batches until nobody waits.
    private func commitWaiting() async {
        while true {
            let batch = state.withLock { state -> [Job] in
                let batch = Array(state.waiting.prefix(maxBatch))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty { state.committing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                try await database.write { db in
                    for job in batch {
                        do {
                            try db.inSavepoint { try job.run(db) }
                        } catch {
                            job.outcome = .failure(error)
                            // Some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM) make SQLite
                            // roll back the whole transaction, not only this savepoint: the
                            // work of the jobs before is gone, and the jobs after cannot run.
                            // The batch fails with this job's error, the real cause, rather
                            // than each caller getting a bare "transaction was aborted".
                            if !db.isInsideTransaction { throw BatchAborted(cause: error) }
                        }
                    }
                }
                for job in batch { job.finish(job.outcome) }
            } catch {
                let cause = (error as? BatchAborted)?.cause ?? error
                for job in batch {
                    if case .failure(let own) = job.outcome { job.finish(.failure(own)) } else { job.finish(.failure(cause)) }
                }
            }
        }
    }
}
