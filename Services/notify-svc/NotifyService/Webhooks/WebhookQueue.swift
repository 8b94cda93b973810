import DVCProto
import Foundation
import GRDB
import OneStop
import Storage

/// The webhooks' durable queue (table `webhook_delivery`, one row per event per webhook):
/// filled in the transaction that records the event as processed, so each event reaches each
/// webhook's queue exactly once; sent by `WebhookWorker`.
///
/// Order: a row is sent only when no earlier row of the same webhook and dossier is still
/// pending or being sent (`isHeadOfItsDossier`), and rows are numbered in the order the events
/// arrived, which is each dossier's commit order (dossier-svc's outbox keeps it). So a later
/// change of a dossier never reaches a receiver before an earlier one that is still on its
/// way; a dossier whose receiver keeps failing holds back no other dossier. A row failed for
/// good (every attempt used) no longer holds back the ones after it: the receiver sees the gap
/// in `version` and reads the dossier.
enum WebhookQueue {
    struct Job: Sendable, Hashable {
        var seq: Int64
        var keyID: String
        var eventID: String
        var eventType: String
        var url: String
        var secret: String
        var body: Data
        var attempts: Int
    }

    private static let isHeadOfItsDossier = """
        NOT EXISTS (
            SELECT 1 FROM webhook_delivery AS earlier
            WHERE earlier.api_key_id = d.api_key_id AND earlier.dossier_id = d.dossier_id
              AND earlier.seq < d.seq AND earlier.state IN (1, 2))
        """

    /// Queues a dossier event for every live webhook of an agency with a part in the dossier
    /// (those whose keys may read it). Returns how many rows.
    @discardableResult
    static func enqueue(_ event: EventsV1.Event, nowMs: Int64, _ db: Database) throws -> Int {
        guard event.type.hasPrefix("dossier."),
              let dossier = (try? DossierV1.DossierEvent(protobuf: event.payload))?.dossier, !dossier.id.isEmpty
        else { return 0 }
        let agencies = Array(dossier.involvedAgencies)
        guard !agencies.isEmpty else { return 0 }
        let placeholders = agencies.map { _ in "?" }.joined(separator: ",")
        let keys = try String.fetchAll(db, sql: "SELECT api_key_id FROM webhook WHERE deleted_at IS NULL AND agency_code IN (\(placeholders))",
                                       arguments: StatementArguments(agencies))
        guard !keys.isEmpty else { return 0 }
        let body = try WebhookPayload.body(event: event, dossier: dossier, nowMs: nowMs)
        for key in keys {
            try db.execute(sql: """
                INSERT INTO webhook_delivery (api_key_id, event_id, event_type, dossier_id, version, body, state, next_attempt_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (api_key_id, event_id) DO NOTHING
                """, arguments: [key, event.id, event.type, dossier.id, Int64(dossier.version), body, nowMs, nowMs])
        }
        return keys.count
    }

    /// Takes up to `limit` due rows that head their dossier's queue, oldest first, and marks
    /// them sending in the same transaction.
    static func claimDue(nowMs: Int64, limit: Int, _ db: Database) throws -> [Job] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT d.seq, d.api_key_id, d.event_id, d.event_type, d.body, d.attempts, w.url, w.secret
            FROM webhook_delivery d JOIN webhook w ON w.api_key_id = d.api_key_id AND w.deleted_at IS NULL
            WHERE d.state = 1 AND d.next_attempt_at <= ? AND \(isHeadOfItsDossier)
            ORDER BY d.seq LIMIT ?
            """, arguments: [nowMs, limit])
        return try rows.map { row in
            let seq: Int64 = row["seq"]
            try db.execute(sql: "UPDATE webhook_delivery SET state = 2 WHERE seq = ? AND state = 1", arguments: [seq])
            return Job(seq: seq, keyID: row["api_key_id"], eventID: row["event_id"], eventType: row["event_type"],
                       url: row["url"], secret: row["secret"], body: row["body"], attempts: Int(row["attempts"] as Int64))
        }
    }

    /// When the next pending row is due (nil when none), for the worker's sleep.
    static func nextDue(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM webhook_delivery WHERE state = 1")
    }

    /// Rows a stopped process left sending go back to pending, due now.
    @discardableResult
    static func recoverInterrupted(nowMs: Int64, _ db: Database) throws -> Int {
        try db.execute(sql: "UPDATE webhook_delivery SET state = 1, next_attempt_at = ? WHERE state = 2", arguments: [nowMs])
        return db.changesCount
    }

    /// The outcome of one attempt. Only a row still `sending` is changed: one whose webhook
    /// was deleted meanwhile stays failed with that reason.
    static func record(_ seq: Int64, sent: Bool, error: String, retryAt: Int64?, nowMs: Int64, _ db: Database) throws {
        if sent {
            try db.execute(sql: "UPDATE webhook_delivery SET state = 3, attempts = attempts + 1, sent_at = ?, last_error = '' WHERE seq = ? AND state = 2",
                           arguments: [nowMs, seq])
        } else if let retryAt {
            try db.execute(sql: "UPDATE webhook_delivery SET state = 1, attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE seq = ? AND state = 2",
                           arguments: [retryAt, error, seq])
        } else {
            try db.execute(sql: "UPDATE webhook_delivery SET state = 4, attempts = attempts + 1, last_error = ? WHERE seq = ? AND state = 2",
                           arguments: [error, seq])
        }
    }
}
