import DVCProto
import Foundation
import GRDB
import Storage

/// The durable delivery queue (table `delivery`, one row per notification per channel) and
/// its log (table `delivery_log`). Every state change is one transaction, so a crash leaves
/// each row in a state the worker knows how to resume from:
///
/// - pending: due at `next_attempt_at`;
/// - sending: an attempt began and its outcome was not recorded (the process died); put back
///   to pending at start-up and sent again — the at-least-once window of docs/notify.md;
/// - sent, failed: final.
enum DeliveryQueue {
    /// One due delivery with what it carries.
    struct Job: Sendable, Hashable {
        var id: String
        var channel: NotifyV1.Channel
        var recipient: String
        var attempts: Int
        var subject: String
        var body: String
        var sms: String
        var createdAtMs: Int64
    }

    static func insert(notificationID: String, channel: NotifyV1.Channel, recipient: String,
                       state: NotifyV1.DeliveryState, now: Int64, _ db: Database) throws {
        let id = UUID().uuidString.lowercased()
        try db.execute(
            sql: """
                INSERT INTO delivery (id, notification_id, channel, recipient, state, next_attempt_at, sent_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [id, notificationID, Int64(channel.rawValue), recipient, Int64(state.rawValue), now,
                        state == .sent ? now : nil, now])
        if state == .sent { try log(id, at: now, result: "sent", detail: "stored in the inbox", providerID: "", db) }
    }

    /// Rows left in `sending` by a process that died mid-attempt go back to pending, due now.
    /// Returns how many.
    @discardableResult
    static func recoverInterrupted(now: Int64, _ db: Database) throws -> Int {
        let ids = try String.fetchAll(db, sql: "SELECT id FROM delivery WHERE state = 2")
        for id in ids {
            try db.execute(sql: "UPDATE delivery SET state = 1, next_attempt_at = ? WHERE id = ?", arguments: [now, id])
            try log(id, at: now, result: "retry", detail: "interrupted: the process stopped during an attempt; sending again", providerID: "", db)
        }
        return ids.count
    }

    /// Takes up to `limit` due rows on `channels`, oldest first, and marks them `sending` in
    /// the same transaction, so a second worker (or a restart) never takes the same row twice.
    /// Rows of other channels (not configured) are left alone and never crowd these out.
    static func claimDue(now: Int64, limit: Int, channels: [NotifyV1.Channel], _ db: Database) throws -> [Job] {
        guard !channels.isEmpty else { return [] }
        let list = channels.map { String($0.rawValue) }.joined(separator: ",")
        let rows = try Row.fetchAll(db, sql: """
            SELECT d.id, d.channel, d.recipient, d.attempts, d.created_at, n.subject, n.body, n.sms
            FROM delivery d JOIN notification n ON n.id = d.notification_id
            WHERE d.state = 1 AND d.next_attempt_at <= ? AND d.channel IN (\(list))
            ORDER BY d.next_attempt_at, d.created_at LIMIT ?
            """, arguments: [now, limit])
        var jobs: [Job] = []
        for row in rows {
            let id: String = row["id"]
            try db.execute(sql: "UPDATE delivery SET state = 2 WHERE id = ? AND state = 1", arguments: [id])
            jobs.append(Job(id: id, channel: NotifyV1.Channel(rawValue: Int32(row["channel"] as Int64)),
                            recipient: row["recipient"], attempts: Int(row["attempts"] as Int64),
                            subject: row["subject"], body: row["body"], sms: row["sms"], createdAtMs: row["created_at"]))
        }
        return jobs
    }

    /// When the next pending row on `channels` is due, if any.
    static func nextDue(channels: [NotifyV1.Channel], _ db: Database) throws -> Int64? {
        guard !channels.isEmpty else { return nil }
        let list = channels.map { String($0.rawValue) }.joined(separator: ",")
        return try Int64.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM delivery WHERE state = 1 AND channel IN (\(list))")
    }

    static func markSent(_ id: String, providerID: String, detail: String, now: Int64, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE delivery SET state = 3, attempts = attempts + 1, provider_message_id = ?, sent_at = ?, last_error = '' WHERE id = ?",
            arguments: [providerID, now, id])
        try log(id, at: now, result: "sent", detail: detail, providerID: providerID, db)
    }

    /// Records a failed attempt: back to pending at `retryAt`, or failed for good when nil.
    static func markFailed(_ id: String, error: String, retryAt: Int64?, now: Int64, _ db: Database) throws {
        if let retryAt {
            try db.execute(
                sql: "UPDATE delivery SET state = 1, attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?",
                arguments: [retryAt, error, id])
            try log(id, at: now, result: "retry", detail: error, providerID: "", db)
        } else {
            try db.execute(sql: "UPDATE delivery SET state = 4, attempts = attempts + 1, last_error = ? WHERE id = ?",
                           arguments: [error, id])
            try log(id, at: now, result: "failed", detail: error, providerID: "", db)
        }
    }

    static func log(_ id: String, at: Int64, result: String, detail: String, providerID: String, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO delivery_log (delivery_id, at, result, detail, provider_message_id) VALUES (?, ?, ?, ?, ?)",
            arguments: [id, at, result, detail, providerID])
    }

    /// The deliveries of a dossier or a citizen, with their logs, oldest first.
    static func list(dossierID: String, citizenID: String, _ db: Database) throws -> [NotifyV1.Delivery] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT d.*, n.event_id, n.dossier_id, n.citizen_id FROM delivery d JOIN notification n ON n.id = d.notification_id
            WHERE (? = '' OR n.dossier_id = ?) AND (? = '' OR n.citizen_id = ?)
            ORDER BY d.created_at, d.channel
            """, arguments: [dossierID, dossierID, citizenID, citizenID])
        return try rows.map { row in
            var delivery = NotifyV1.Delivery()
            delivery.id = row["id"]
            delivery.notificationId = row["notification_id"]
            delivery.channel = NotifyV1.Channel(rawValue: Int32(row["channel"] as Int64))
            delivery.recipient = row["recipient"]
            delivery.state = NotifyV1.DeliveryState(rawValue: Int32(row["state"] as Int64))
            delivery.attempts = UInt32(row["attempts"] as Int64)
            delivery.nextAttemptAtUnixMs = row["next_attempt_at"]
            delivery.lastError = row["last_error"]
            delivery.providerMessageId = row["provider_message_id"]
            delivery.sentAtUnixMs = row["sent_at"] ?? 0
            delivery.eventId = row["event_id"]
            delivery.dossierId = row["dossier_id"]
            delivery.citizenId = row["citizen_id"]
            delivery.log = try Row.fetchAll(db, sql: "SELECT * FROM delivery_log WHERE delivery_id = ? ORDER BY seq",
                                            arguments: [delivery.id]).map { entry in
                var attempt = NotifyV1.DeliveryAttempt()
                attempt.atUnixMs = entry["at"]
                attempt.result = entry["result"]
                attempt.detail = entry["detail"]
                attempt.providerMessageId = entry["provider_message_id"]
                return attempt
            }
            return delivery
        }
    }
}
