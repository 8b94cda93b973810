import Dispatch
import Foundation
import Logging
import Synchronization

/// The connections of one service to its PostgreSQL database: one writer, like SQLite's, and a
/// few readers. Transactions run on dispatch threads of their own (libpq blocks), never on
/// Swift's cooperative threads.
///
/// Writes keep SQLite's semantics: each `write` is one transaction that first takes a
/// transaction-scoped advisory lock, so writes to one database run one at a time even from
/// several processes (two gateways on two hosts) and a store's read-then-write needs no more
/// care than on SQLite. Group commit (``GroupCommit``) batches them, so the lock costs one
/// commit per batch rather than per caller.
///
/// Failover: a broken connection is dropped and the next attempt connects again through the
/// whole multi-host connection string, where libpq picks the host that takes writes. A
/// transaction that broke before COMMIT was sent did nothing, so it runs again (for up to
/// ``Settings/reconnectWindow``); one that broke during COMMIT throws
/// ``StorageError/commitOutcomeUnknown(_:)``, because running it again could write it twice.
final class PostgresPool: Sendable {
    struct Settings: Sendable {
        var conninfo: String
        var maximumReaderCount = 5
        /// How long a transaction keeps trying to reach a primary before giving up with
        /// ``StorageError/databaseUnavailable(_:)``: long enough for the failover tool to
        /// promote the standby (pg_auto_failover takes 10–30 s), short of a citizen giving up.
        var reconnectWindow: Duration = .seconds(45)
    }

    /// A connection that only one thread uses at a time: the writer's queue, or the reader
    /// holding it.
    private final class Slot: @unchecked Sendable {
        var connection: PostgresConnection?
    }

    /// The advisory lock every write transaction takes (any constant works: each service has
    /// its own database). "dvc" in ASCII.
    static let writeLockKey = 0x64_76_63

    let settings: Settings
    let logger: Logger
    private let writerQueue = DispatchQueue(label: "dvc.storage.postgres.writer")
    private let writerSlot = Slot()
    private let idleReaders = Mutex<[Slot]>([])
    private let readerPermits: DispatchSemaphore
    private let readerQueue = DispatchQueue(label: "dvc.storage.postgres.readers", attributes: .concurrent)
    private let commitListeners = Mutex<[@Sendable () -> Void]>([])

    init(settings: Settings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        self.readerPermits = DispatchSemaphore(value: max(1, settings.maximumReaderCount))
        // Fail at start-up, with libpq's own words, when the database cannot be reached at all.
        writerSlot.connection = try PostgresConnection(conninfo: settings.conninfo)
    }

    /// Called after every commit of this process's writes (the outbox relay's wake-up).
    func onCommit(_ listener: @escaping @Sendable () -> Void) {
        commitListeners.withLock { $0.append(listener) }
    }

    // MARK: Writes

    func write<T: Sendable>(_ body: @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await withoutActuallyEscaping(body) { body in
            let box = ClosureBox(body)
            return try await withCheckedThrowingContinuation { continuation in
                writerQueue.async {
                    // The closure is let go before the caller resumes: it must not outlive
                    // `withoutActuallyEscaping`.
                    let result = { () -> Result<T, any Error> in
                        let body = box.take()
                        return Result { try self.writeBlocking(body) }
                    }()
                    continuation.resume(with: result)
                }
            }
        }
    }

    /// Must not be called on the writer's queue.
    func writeSync<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            return try writerQueue.sync { try UncheckedBox(self.writeBlocking(box.value)) }.value
        }
    }

    private func writeBlocking<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        let value = try withReconnection(slot: writerSlot, role: "write") { connection in
            try connection.begin("BEGIN; SELECT pg_advisory_xact_lock(\(Self.writeLockKey))")
            let value = try body(connection)
            try connection.commit()
            return value
        }
        for listener in commitListeners.withLock({ $0 }) { listener() }
        return value
    }

    // MARK: Reads

    func read<T: Sendable>(_ body: @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await withoutActuallyEscaping(body) { body in
            let box = ClosureBox(body)
            return try await withCheckedThrowingContinuation { continuation in
                readerQueue.async {
                    let result = { () -> Result<T, any Error> in
                        let body = box.take()
                        return Result { try self.readBlocking(body) }
                    }()
                    continuation.resume(with: result)
                }
            }
        }
    }

    func readSync<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try readBlocking(body)
    }

    private func readBlocking<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        readerPermits.wait()
        defer { readerPermits.signal() }
        let slot = idleReaders.withLock { $0.popLast() } ?? Slot()
        defer { idleReaders.withLock { $0.append(slot) } }
        return try withReconnection(slot: slot, role: "read") { connection in
            // One snapshot for the whole closure, as a SQLite read transaction gives.
            try connection.begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            let value = try body(connection)
            try connection.commit()
            return value
        }
    }

    // MARK: Failover

    /// Runs `transaction` on the slot's connection, connecting (again) as needed, and runs it
    /// again while the connection breaks before COMMIT, until the reconnect window closes.
    private func withReconnection<T>(slot: Slot, role: String, _ transaction: (PostgresConnection) throws -> T) throws -> T {
        let clock = ContinuousClock()
        let deadline = clock.now + settings.reconnectWindow
        var pause = Duration.milliseconds(50)
        var lastProblem = ""
        var reconnected = false
        while true {
            do {
                if slot.connection == nil || slot.connection!.isBroken {
                    slot.connection = nil
                    slot.connection = try PostgresConnection(conninfo: settings.conninfo)
                    reconnected = true
                }
                let connection = slot.connection!
                if reconnected {
                    logger.notice("connected to PostgreSQL", metadata: ["server": "\(connection.server)", "role": "\(role)"])
                    reconnected = false
                }
                do {
                    return try transaction(connection)
                } catch {
                    if connection.isInsideTransaction || !connection.isBroken { connection.rollback() }
                    throw error
                }
            } catch let lost as PostgresConnectionLost {
                slot.connection = nil
                if lost.duringCommit {
                    logger.error("connection lost during COMMIT", metadata: ["error": "\(lost)"])
                    throw StorageError.commitOutcomeUnknown(lost.message)
                }
                lastProblem = lost.message
                guard clock.now + pause < deadline else {
                    logger.error("no PostgreSQL primary reachable", metadata: ["error": "\(lost)", "role": "\(role)"])
                    throw StorageError.databaseUnavailable(lastProblem)
                }
                logger.warning("PostgreSQL unreachable, trying again", metadata: ["error": "\(lost)", "role": "\(role)"])
                Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18 + Double(pause.components.seconds))
                pause = min(pause * 2, .seconds(1))
            }
        }
    }

    func close() {
        writerQueue.sync { writerSlot.connection = nil }
        idleReaders.withLock { $0.removeAll() }
    }
}

/// Carries a closure to the thread that runs it, which takes it out (so that nothing holds it
/// once it ran).
final class ClosureBox<T>: @unchecked Sendable {
    private var value: T?
    init(_ value: T) { self.value = value }
    func take() -> T {
        defer { value = nil }
        return value!
    }
}

/// Carries a non-Sendable value to the one thread that uses it.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
