import GRDB
import Synchronization

/// Wakes the relay when a transaction that inserted outbox rows commits, so events leave
/// within milliseconds of their commit instead of at the next poll, without every caller of
/// `Outbox.enqueue` having to remember to call `wake()`. Polling stays as the safety net for
/// rows written by another connection or process.
final class OutboxInsertObserver: TransactionObserver, Sendable {
    private let signal: WakeSignal
    // Set on the writer's queue during a transaction, read at its end; the mutex only
    // satisfies the compiler, it is never contended.
    private let inserted = Mutex(false)

    init(signal: WakeSignal) {
        self.signal = signal
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case .insert(let tableName) = eventKind { return tableName == "outbox" }
        return false
    }

    func databaseDidChange(with event: DatabaseEvent) {
        inserted.withLock { $0 = true }
        // One insert is enough to know; skip the rest of this transaction's events.
        stopObservingDatabaseChangesUntilNextTransaction()
    }

    func databaseDidCommit(_ db: Database) {
        if inserted.withLock({ value in defer { value = false }; return value }) {
            signal.signal()
        }
    }

    func databaseDidRollback(_ db: Database) {
        inserted.withLock { $0 = false }
    }
}
