import Foundation
import RPCCore
import Storage

/// Key rotation by the agency's own administrator (docs/gateway.md, "Key rotation"): list the
/// agency's keys, make another, revoke one — without the operator.
///
/// The rule that keeps an administrator (or a stolen administrator's session) from giving the
/// agency more power than the operator did: a new key's scopes must be among the scopes the
/// agency's **live** keys hold together at that moment, and there must be at least one live key.
/// Every scope therefore traces back to a key the operator made: rotating (make the new key with
/// the old one's scopes, switch, revoke the old one) keeps the power the agency had, never adds
/// to it; when the operator revokes every key of an agency, only the operator can make one again.
/// At most `maximumLive` live keys per agency, so a session cannot spray keys.
extension APIKeyStore {
    public static let maximumLive = 5

    /// The agency's keys, newest first, revoked ones included; never a secret.
    public func list(agency: String) async throws -> [APIKey] {
        try await database.read { db in
            try SQLRow.fetchAll(db, sql: "SELECT * FROM api_key WHERE agency_code = ? ORDER BY created_at_ms DESC, id",
                             arguments: [agency]).map(Self.key)
        }
    }

    /// A new key for `agency`, made by its administrator `actor`, within the ceiling above.
    public func createForAgency(_ agency: String, scopes: Set<APIKey.Scope>, label: String, by actor: String,
                                client: String) async throws -> (APIKey, APIKeyToken) {
        guard label.count <= 200 else { throw RPCError.invalidArgument(field: "label", "Tên gợi nhớ dài tối đa 200 ký tự.") }
        return try await database.write { db in
            let live = try SQLRow.fetchAll(db, sql: "SELECT scopes FROM api_key WHERE agency_code = ? AND revoked_at_ms IS NULL",
                                        arguments: [agency]).map { APIKey.scopes($0["scopes"]) ?? [] }
            guard !live.isEmpty else {
                throw RPCError(.failedPrecondition,
                               "Cơ quan \(agency) không còn khóa API nào đang dùng; chỉ người vận hành hệ thống cấp được khóa mới (gateway api-key create).")
            }
            guard live.count < Self.maximumLive else {
                throw RPCError(.failedPrecondition,
                               "Cơ quan đã có \(live.count) khóa đang dùng (tối đa \(Self.maximumLive)); hãy thu hồi khóa cũ trước.")
            }
            let ceiling = live.reduce(into: Set<APIKey.Scope>()) { $0.formUnion($1) }
            let beyond = scopes.subtracting(ceiling)
            guard beyond.isEmpty else {
                throw RPCError(.permissionDenied,
                               "Khóa mới không được có phạm vi rộng hơn các khóa đang dùng của cơ quan (\(ceiling.map(\.rawValue).sorted().joined(separator: ",")))",
                               violations: [FieldViolation(field: "scopes",
                                                           description: "không được cấp: \(beyond.map(\.rawValue).sorted().joined(separator: ","))")])
            }
            return try Self.insert(agencyCode: agency, scopes: scopes, label: label, by: actor, client: client, db)
        }
    }

    /// Revokes key `id` of `agency`; another agency's key, or none, is NOT_FOUND (the same
    /// answer, so ids cannot be probed). A key already revoked is answered as it is.
    public func revokeInAgency(_ agency: String, id: String, by actor: String, client: String) async throws -> APIKey {
        let key = try await database.write { db -> APIKey in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM api_key WHERE id = ? AND agency_code = ?", arguments: [id, agency]) == true else {
                throw RPCError(.notFound, "Không có khóa \(id) của cơ quan \(agency).",
                               violations: [FieldViolation(field: "id", description: "không có")])
            }
            _ = try Self.markRevoked(id: id, by: actor, client: client, db)
            return Self.key(try SQLRow.fetchOne(db, sql: "SELECT * FROM api_key WHERE id = ?", arguments: [id])!)
        }
        forget(id)
        return key
    }

    /// Revoked keys whose webhook notify-svc has not yet been told to stop.
    public func revokedWithWebhook() async throws -> [String] {
        try await database.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM api_key WHERE revoked_at_ms IS NOT NULL AND webhook_stopped = 0 LIMIT 100")
        }
    }

    public func webhookStopped(_ id: String) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE api_key SET webhook_stopped = 1 WHERE id = ?", arguments: [id])
        }
    }
}
