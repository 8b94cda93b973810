import DVCProto
import Foundation
import GRDB

/// The sending side of cross-service events: rows written in the same transaction as the
/// state change they announce, so that the change and its announcement commit or vanish
/// together. An ``OutboxRelay`` delivers them afterwards.
///
/// ```swift
/// try await database.write { db in
///     try db.execute(sql: "UPDATE dossier SET status = 2 WHERE id = ?", arguments: [id])
///     var event = EventsV1.Event()
///     event.type = "dossier.received"
///     event.aggregateId = id
///     event.source = "dossier-svc"
///     event.payload = received.protobufData
///     try Outbox.enqueue(event, to: "notify-svc", in: db)
/// }
/// ```
public enum Outbox {
    /// Writes `event` for delivery to each destination, inside the caller's transaction.
    ///
    /// An empty `id` is replaced by a new UUID and a zero `occurredAtUnixMs` by the current
    /// time; the event as stored (and as receivers will see it) is returned.
    ///
    /// - Parameters:
    ///   - destinations: Names the relay's `deliver` closure understands, e.g. `"notify-svc"`.
    ///     Each gets its own row, delivered and retried independently, with the same event id.
    /// - Throws: ``StorageError/invalidEvent(_:)`` for an event without `type` or
    ///   `aggregateId`, or without a destination (the caller's transaction should then roll
    ///   back); SQLite errors, e.g. when the same id is enqueued twice for one destination.
    /// - Precondition: `db` is inside a transaction (use ``ServiceDatabase``'s `write`).
    @discardableResult
    public static func enqueue(_ event: EventsV1.Event, to destinations: [String], in db: any SQLConnection) throws -> EventsV1.Event {
        precondition(db.isInsideTransaction, "Outbox.enqueue must run in the transaction of the state change")
        guard !event.type.isEmpty else { throw StorageError.invalidEvent("event has no type") }
        guard !event.aggregateId.isEmpty else { throw StorageError.invalidEvent("event \(event.type) has no aggregate id") }
        guard !destinations.isEmpty, !destinations.contains(where: \.isEmpty) else {
            throw StorageError.invalidEvent("event \(event.type) has no destination")
        }
        let now = UnixMillis.now()
        var event = event
        if event.id.isEmpty { event.id = UUID().uuidString.lowercased() }
        if event.occurredAtUnixMs == 0 { event.occurredAtUnixMs = now }
        let payload = event.protobufData
        for destination in destinations {
            try db.execute(sql: """
                INSERT INTO outbox (event_id, type, aggregate_id, destination, payload, created_at, next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [event.id, event.type, event.aggregateId, destination, payload, now, now])
        }
        return event
    }

    /// Writes `event` for delivery to one destination; see the fan-out form above.
    @discardableResult
    public static func enqueue(_ event: EventsV1.Event, to destination: String, in db: any SQLConnection) throws -> EventsV1.Event {
        try enqueue(event, to: [destination], in: db)
    }

    /// How many rows are waiting for delivery (per destination row, not per event). For the
    /// backlog gauge: a number that keeps growing means a receiver is down or failing.
    public static func backlog(in db: any SQLConnection) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL") ?? 0
    }

    /// The backlog per destination, for telling which receiver is behind.
    public static func backlogByDestination(in db: any SQLConnection) throws -> [String: Int] {
        let rows = try SQLRow.fetchAll(
            db, sql: "SELECT destination, COUNT(*) FROM outbox WHERE delivered_at IS NULL GROUP BY destination")
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as String, $0[1] as Int) })
    }

    /// When the oldest undelivered row was written, or nil when nothing waits: the backlog's
    /// age, which says more than its size about how late receivers are.
    public static func oldestPendingCreatedAt(in db: any SQLConnection) throws -> Date? {
        try Int64.fetchOne(db, sql: "SELECT MIN(created_at) FROM outbox WHERE delivered_at IS NULL")
            .map(UnixMillis.date)
    }

    // SQLite-only callers, with GRDB's connection.

    @discardableResult
    public static func enqueue(_ event: EventsV1.Event, to destinations: [String], in db: Database) throws -> EventsV1.Event {
        try enqueue(event, to: destinations, in: SQLiteConnection(db))
    }

    @discardableResult
    public static func enqueue(_ event: EventsV1.Event, to destination: String, in db: Database) throws -> EventsV1.Event {
        try enqueue(event, to: [destination], in: SQLiteConnection(db))
    }

    public static func backlog(in db: Database) throws -> Int { try backlog(in: SQLiteConnection(db)) }
}
