import Foundation
import GRDB

/// The receiving side of cross-service events: the ids of events already applied.
///
/// Outbox delivery is at least once: a sender that crashed between a successful delivery and
/// marking it delivered sends the event again. Recording the id in the same transaction as the
/// event's effect makes the repeat harmless, so the pair behaves as exactly once:
///
/// ```swift
/// let duplicate = try await database.write { db in
///     guard try ProcessedEvents.processOnce(eventID: event.id, in: db) else { return true }
///     try db.execute(sql: "INSERT INTO inbox_message ...")   // the effect, applied once
///     return false
/// }
/// ```
///
/// If the effect throws, the transaction rolls back the id with it, so a later delivery tries
/// again.
public enum ProcessedEvents {
    /// Records `eventID` as processed; returns false, changing nothing, if it already was.
    ///
    /// - Throws: ``StorageError/invalidEvent(_:)`` for an empty id; SQLite errors.
    /// - Precondition: `db` is inside a transaction, the one that applies the event.
    public static func processOnce(eventID: String, in db: any SQLConnection) throws -> Bool {
        precondition(db.isInsideTransaction, "processOnce must run in the transaction that applies the event")
        guard !eventID.isEmpty else { throw StorageError.invalidEvent("event has no id") }
        try db.execute(
            sql: "INSERT INTO processed_events (event_id, processed_at) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING",
            arguments: [eventID, UnixMillis.now()])
        return db.changesCount > 0
    }

    /// Whether `eventID` was processed.
    public static func contains(eventID: String, in db: any SQLConnection) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM processed_events WHERE event_id = ?)", arguments: [eventID]) ?? false
    }

    /// Forgets ids processed before `date`; returns how many.
    ///
    /// Senders retry without limit, so an event may come back long after it was first
    /// delivered (a sender restored from backup, a relay that could not mark it delivered).
    /// Only prune past the longest such window you accept; a forgotten id makes its event
    /// apply again. Nothing in the kit calls this: keeping ids forever costs about 60 bytes
    /// per event.
    @discardableResult
    public static func prune(processedBefore date: Date, in db: any SQLConnection) throws -> Int {
        try db.execute(sql: "DELETE FROM processed_events WHERE processed_at < ?", arguments: [UnixMillis.from(date)])
        return db.changesCount
    }

    // SQLite-only callers, with GRDB's connection.

    public static func processOnce(eventID: String, in db: Database) throws -> Bool {
        try processOnce(eventID: eventID, in: SQLiteConnection(db))
    }

    public static func contains(eventID: String, in db: Database) throws -> Bool {
        try contains(eventID: eventID, in: SQLiteConnection(db))
    }
}
