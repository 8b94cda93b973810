import Foundation

/// One outbox row waiting for delivery, as the relay needs it.
struct PendingDelivery: Sendable {
    var seq: Int64
    var eventID: String
    var destination: String
    var attempts: Int
    var payload: Data
}

/// The relay's SQL, kept apart from its control flow.
enum OutboxStore {
    /// True for a pending row that no earlier pending row of the same aggregate and destination
    /// precedes: only such rows may be sent, which keeps each aggregate's events in commit
    /// order at the receiver while a failing aggregate holds back no other.
    private static let isFirstPendingOfItsAggregate = """
        NOT EXISTS (
            SELECT 1 FROM outbox AS earlier
            WHERE earlier.delivered_at IS NULL
              AND earlier.destination = outbox.destination
              AND earlier.aggregate_id = outbox.aggregate_id
              AND earlier.seq < outbox.seq)
        """

    /// The rows to send now, oldest first.
    static func due(now: Int64, limit: Int, in db: any SQLConnection) throws -> [PendingDelivery] {
        try SQLRow.fetchAll(
            db,
            sql: """
                SELECT seq, event_id, destination, attempts, payload FROM outbox
                WHERE delivered_at IS NULL AND next_attempt_at <= ? AND \(isFirstPendingOfItsAggregate)
                ORDER BY seq LIMIT ?
                """,
            arguments: [now, limit]
        ).map { row in
            PendingDelivery(
                seq: row["seq"], eventID: row["event_id"], destination: row["destination"],
                attempts: row["attempts"], payload: row["payload"])
        }
    }

    /// When the next row becomes sendable, or nil when none waits.
    static func nextDueTime(in db: any SQLConnection) throws -> Int64? {
        try Int64.fetchOne(
            db,
            sql: "SELECT MIN(next_attempt_at) FROM outbox WHERE delivered_at IS NULL AND \(isFirstPendingOfItsAggregate)")
    }

    static func markDelivered(seq: Int64, at time: Int64, in db: any SQLConnection) throws {
        // `delivered_at IS NULL`: another relay may have delivered and marked it meanwhile.
        try db.execute(
            sql: "UPDATE outbox SET delivered_at = ?, last_error = NULL WHERE seq = ? AND delivered_at IS NULL",
            arguments: [time, seq])
    }

    static func markFailed(seq: Int64, nextAttemptAt: Int64, error: String, in db: any SQLConnection) throws {
        try db.execute(
            sql: """
                UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
                WHERE seq = ? AND delivered_at IS NULL
                """,
            arguments: [nextAttemptAt, error, seq])
    }

    /// Deletes rows delivered before `time`; never touches an undelivered one.
    static func pruneDelivered(before time: Int64, in db: any SQLConnection) throws -> Int {
        try db.execute(
            sql: "DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?", arguments: [time])
        return db.changesCount
    }
}
