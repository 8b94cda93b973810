import DVCProto
import Foundation
import GRDB
import RPCCore
import Storage

/// The agency systems' webhooks (table `webhook`, one per API key): registered, replaced,
/// deleted. A deleted webhook keeps its row (`deleted_at`) so its deliveries stay listed.
struct WebhookRegistry: Sendable {
    let database: ServiceDatabase

    /// Registers or replaces the key's webhook with a new secret, answered once.
    func set(keyID: String, agency: String, url text: String, nowMs: Int64 = UnixMillis.now()) async throws -> NotifyV1.SetWebhookResponse {
        let url = try WebhookURL.check(text)
        let secret = WebhookSignature.newSecret()
        let webhook = try await database.sqliteWrite { db -> NotifyV1.Webhook in
            try db.execute(sql: """
                INSERT INTO webhook (api_key_id, agency_code, url, secret, created_at, deleted_at) VALUES (?, ?, ?, ?, ?, NULL)
                ON CONFLICT (api_key_id) DO UPDATE SET
                    agency_code = excluded.agency_code, url = excluded.url, secret = excluded.secret,
                    created_at = CASE WHEN deleted_at IS NULL THEN created_at ELSE excluded.created_at END,
                    deleted_at = NULL
                """, arguments: [keyID, agency, url.absoluteString, secret, nowMs])
            return try Self.webhook(keyID: keyID, db)!
        }
        var response = NotifyV1.SetWebhookResponse()
        response.webhook = webhook
        response.secret = secret
        return response
    }

    func get(keyID: String) async throws -> NotifyV1.Webhook {
        guard let webhook = try await database.sqliteRead({ db in try Self.webhook(keyID: keyID, db) }) else {
            throw RPCError(.notFound, "Khóa \(keyID) chưa đăng ký webhook.")
        }
        return webhook
    }

    /// Stops the key's feed: the webhook is marked deleted and what it had not received yet is
    /// failed with the reason (listed, not lost). False when there was none.
    func delete(keyID: String, reason: String, nowMs: Int64 = UnixMillis.now()) async throws -> Bool {
        try await database.sqliteWrite { db in
            try db.execute(sql: "UPDATE webhook SET deleted_at = ? WHERE api_key_id = ? AND deleted_at IS NULL",
                           arguments: [nowMs, keyID])
            guard db.changesCount == 1 else { return false }
            try db.execute(sql: """
                UPDATE webhook_delivery SET state = 4, last_error = ? WHERE api_key_id = ? AND state IN (1, 2)
                """, arguments: [reason, keyID])
            return true
        }
    }

    /// The key's deliveries, newest first.
    func deliveries(keyID: String, _ request: NotifyV1.ListWebhookDeliveriesRequest) async throws -> [NotifyV1.WebhookDelivery] {
        let limit = request.pageSize == 0 ? 200 : Int(min(request.pageSize, 200))
        let state = request.state == .unspecified ? 0 : Int64(request.state.rawValue)
        return try await database.sqliteRead { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM webhook_delivery
                WHERE api_key_id = ? AND (? = 0 OR state = ?) AND (? = '' OR dossier_id = ?)
                ORDER BY seq DESC LIMIT ?
                """, arguments: [keyID, state, state, request.dossierId, request.dossierId, limit]).map(Self.delivery)
        }
    }

    static func webhook(keyID: String, _ db: Database) throws -> NotifyV1.Webhook? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM webhook WHERE api_key_id = ? AND deleted_at IS NULL",
                                         arguments: [keyID]) else { return nil }
        var webhook = NotifyV1.Webhook()
        webhook.apiKeyId = row["api_key_id"]
        webhook.agencyCode = row["agency_code"]
        webhook.url = row["url"]
        webhook.createdAtUnixMs = row["created_at"]
        webhook.pending = UInt32(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhook_delivery WHERE api_key_id = ? AND state IN (1, 2)",
                                                  arguments: [keyID]) ?? 0)
        webhook.failed = UInt32(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhook_delivery WHERE api_key_id = ? AND state = 4",
                                                 arguments: [keyID]) ?? 0)
        return webhook
    }

    static func delivery(_ row: Row) -> NotifyV1.WebhookDelivery {
        var delivery = NotifyV1.WebhookDelivery()
        delivery.eventId = row["event_id"]
        delivery.eventType = row["event_type"]
        delivery.dossierId = row["dossier_id"]
        delivery.version = UInt64(row["version"] as Int64)
        delivery.state = NotifyV1.DeliveryState(rawValue: Int32(row["state"] as Int64))
        delivery.attempts = UInt32(row["attempts"] as Int64)
        delivery.nextAttemptAtUnixMs = row["next_attempt_at"]
        delivery.lastError = row["last_error"]
        delivery.sentAtUnixMs = row["sent_at"] ?? 0
        delivery.createdAtUnixMs = row["created_at"]
        return delivery
    }
}
