import Crypto
import DVCProto
import Foundation
import RPCCore
import Storage

/// The actions taken with an idempotency key, so that a client retrying an `Act` after a
/// timeout gets the first call's result instead of a second step (or an ABORTED "stale
/// version", which would look like another officer's change). A key belongs to one actor on one
/// dossier; reused by them for a different request it is refused, never silently answered with
/// the first.
enum ActRequests {
    /// The SHA-256 of everything the request asks, the form data in key order (a map has no
    /// order on the wire, so its encoding alone would differ between two copies of one request).
    static func fingerprint(_ request: DossierV1.ActRequest) -> Data {
        var plain = request
        plain.formData = [:]
        var hash = SHA256()
        hash.update(data: plain.protobufData)
        for (name, value) in request.formData.sorted(by: { $0.key < $1.key }) {
            for part in [name, value] {
                var length = UInt32(part.utf8.count).bigEndian
                hash.update(data: Data(bytes: &length, count: 4))
                hash.update(data: Data(part.utf8))
            }
        }
        return Data(hash.finalize())
    }

    /// Nil when this actor has not used `key` on this dossier; true when they used it for this
    /// very request (a retry); FAILED_PRECONDITION naming `idempotency-key` when for another.
    static func isRetry(dossier: String, actor: String, key: String, fingerprint: Data, _ db: any SQLConnection) throws -> Bool {
        guard let stored = try Data.fetchOne(db, sql: """
            SELECT fingerprint FROM act_request WHERE dossier_id = ? AND actor = ? AND idempotency_key = ?
            """, arguments: [dossier, actor, key]) else { return false }
        guard stored == fingerprint else {
            throw RPCError(.failedPrecondition,
                           "the idempotency key \(key) was already used for another action on dossier \(dossier); "
                               + "a new action needs a new key",
                           violations: [FieldViolation(field: MetadataKey.idempotencyKey,
                                                       description: "already used for a different action")])
        }
        return true
    }

    /// Records an action taken with `key`, in the transaction that takes it.
    static func record(dossier: String, actor: String, key: String, fingerprint: Data, version: UInt64, _ db: any SQLConnection) throws {
        try db.execute(sql: """
            INSERT INTO act_request (dossier_id, actor, idempotency_key, fingerprint, version) VALUES (?, ?, ?, ?, ?)
            """, arguments: [dossier, actor, key, fingerprint, Int64(version)])
    }
}
