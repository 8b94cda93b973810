import DVCProto
import GRDB
import Logging

/// Delivers the outbox's events to their destinations, at least once, in each aggregate's
/// commit order.
///
/// ```swift
/// let relay = OutboxRelay(database: database) { event, destination in
///     _ = try await peers.client(for: destination).call(EventsV1.EventSink.deliver, event)
/// }
/// try await relay.run()   // until the task is cancelled
/// ```
///
/// For each due row it calls `deliver`; when that returns the row is marked delivered, when it
/// throws the row's failure count goes up, its error is recorded, and it is tried again after
/// an exponential ``Backoff``. A row is never dropped, however often it fails. Later events of
/// the same aggregate for the same destination wait behind a failing one (so a receiver never
/// sees "paid" before "received"); other aggregates go on.
///
/// A crash between a successful `deliver` and the mark means the event is sent again on the
/// next run; receivers discard the repeat with ``ProcessedEvents``. Two relays on one
/// database (by mistake, or an old process still draining) lose nothing either: both may send a
/// row, and the receiver's dedup absorbs it.
///
/// The relay wakes by itself when a transaction of this process inserts outbox rows; it also
/// polls, so rows written by other processes are picked up within ``Configuration/pollInterval``.
public final class OutboxRelay: Sendable {
    /// Sends one event to one destination; returns once the receiver acknowledged it
    /// (including as a duplicate). Any thrown error counts as a failed attempt. It should bound
    /// its own time (an RPC deadline): the relay delivers one row at a time.
    public typealias Deliver = @Sendable (_ event: EventsV1.Event, _ destination: String) async throws -> Void

    private let database: ServiceDatabase
    private let configuration: Configuration
    private let logger: Logger
    private let deliver: Deliver
    private let signal = WakeSignal()
    private let observer: OutboxInsertObserver

    public init(
        database: ServiceDatabase,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "dvc.storage.outbox-relay"),
        deliver: @escaping Deliver
    ) {
        self.database = database
        self.configuration = configuration
        self.logger = logger
        self.deliver = deliver
        self.observer = OutboxInsertObserver(signal: signal)
        switch database.backend {
        case .sqlite:
            // Held weakly by GRDB: it stops observing when this relay goes away.
            database.writer.add(transactionObserver: observer, extent: .observerLifetime)
        case .postgres:
            // Every commit of this process wakes the relay, which then finds what is due; a
            // wake-up too many costs one indexed query.
            database.onPostgresCommit { [signal] in signal.signal() }
        }
    }

    /// Makes a sleeping relay look at the outbox now. Commits in this process that insert
    /// outbox rows already do this; call it after writing through another connection.
    public func wake() {
        signal.signal()
    }

    /// Delivers until the task is cancelled, then returns. Database errors are logged and
    /// retried after a poll interval: a relay that stopped would strand every later event.
    public func run() async throws {
        logger.debug("outbox relay started")
        let clock = ContinuousClock()
        var lastPrune: ContinuousClock.Instant?
        while !Task.isCancelled {
            var wait = configuration.pollInterval
            do {
                if lastPrune.map({ clock.now - $0 >= configuration.pruneInterval }) ?? true {
                    try await pruneDelivered()
                    lastPrune = clock.now
                }
                try await deliverDue()
                if let next = try await database.read({ db in try OutboxStore.nextDueTime(in: db) }) {
                    wait = min(wait, .milliseconds(max(0, next - UnixMillis.now())))
                }
            } catch {
                if Task.isCancelled { break }
                logger.error("outbox relay pass failed; retrying", metadata: ["error": "\(error)"])
            }
            if wait > .zero { await signal.wait(timeout: wait) }
        }
        logger.debug("outbox relay stopped")
    }

    /// Sends every row that is due now, each at most once, and returns how many were
    /// delivered. `run()` calls this; tests and a draining shutdown may call it directly.
    @discardableResult
    public func deliverDue() async throws -> Int {
        var delivered = 0
        var failed = Set<Int64>()
        while true {
            let now = UnixMillis.now()
            let limit = configuration.batchSize
            let batch = try await database.read { db in try OutboxStore.due(now: now, limit: limit, in: db) }
            // Delivering a row makes the next event of its aggregate due, so ask again until a
            // query brings nothing new. A row that failed in this call waits for the next one,
            // even if its (short) backoff has already passed.
            let fresh = batch.filter { !failed.contains($0.seq) }
            if fresh.isEmpty { return delivered }
            for row in fresh {
                try Task.checkCancellation()
                if try await attempt(row) {
                    delivered += 1
                } else {
                    failed.insert(row.seq)
                }
            }
        }
    }

    /// Deletes delivered rows older than the retention; returns how many.
    @discardableResult
    public func pruneDelivered() async throws -> Int {
        let cutoff = UnixMillis.now() - configuration.retention.milliseconds
        let pruned = try await database.write { db in try OutboxStore.pruneDelivered(before: cutoff, in: db) }
        if pruned > 0 { logger.debug("pruned delivered outbox rows", metadata: ["count": "\(pruned)"]) }
        return pruned
    }

    /// One delivery attempt of `row`; true when it was delivered.
    private func attempt(_ row: PendingDelivery) async throws -> Bool {
        do {
            let event = try EventsV1.Event(protobuf: row.payload)
            try await deliver(event, row.destination)
        } catch {
            // Shutting down mid-call is not the receiver's failure: leave the row as it was.
            if Task.isCancelled { throw CancellationError() }
            let failures = row.attempts + 1
            let retryAt = UnixMillis.now() + configuration.backoff.delay(afterFailures: failures).milliseconds
            let message = String(String(describing: error).prefix(1000))
            try await recording { db in
                try OutboxStore.markFailed(seq: row.seq, nextAttemptAt: retryAt, error: message, in: db)
            }
            logger.warning(
                "outbox delivery failed; will retry",
                metadata: [
                    "event_id": "\(row.eventID)", "destination": "\(row.destination)",
                    "failures": "\(failures)", "retry_at_unix_ms": "\(retryAt)", "error": "\(message)",
                ])
            return false
        }
        let deliveredAt = UnixMillis.now()
        try await recording { db in try OutboxStore.markDelivered(seq: row.seq, at: deliveredAt, in: db) }
        return true
    }

    /// Writes the outcome of an attempt even if the relay is being cancelled meanwhile: once
    /// the receiver has the event, skipping the mark would only cause a needless resend.
    private func recording(_ update: @escaping @Sendable (any SQLConnection) throws -> Void) async throws {
        let database = self.database
        try await Task { try await database.write(update) }.value
    }
}
