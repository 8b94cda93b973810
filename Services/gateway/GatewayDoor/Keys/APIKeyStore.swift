import Crypto
import Foundation
import Storage
import Synchronization

/// The agency systems' API keys in the gateway's database, and the check of a presented
/// token. Lookups are cached for `cacheLifetime` so a busy system costs no database read per
/// call; a revocation therefore takes effect within that time on every gateway replica that
/// shares the database.
public final class APIKeyStore: Sendable {
    let database: ServiceDatabase
    private let cacheLifetime: Duration
    private let cache = Mutex<[String: (key: APIKey, digest: Data, until: ContinuousClock.Instant)]>([:])

    public init(database: ServiceDatabase, cacheLifetime: Duration = .seconds(2)) {
        self.database = database
        self.cacheLifetime = cacheLifetime
    }

    /// Who made or revoked a key when the operator did, on the gateway's host.
    public static let operatorTool = "system:gateway-cli"

    /// Makes a key; the token returned is the only time its secret exists in the clear. Recorded
    /// in the account events (`api_key_created`) with `actor`.
    public func create(agencyCode: String, scopes: Set<APIKey.Scope>, label: String,
                       by actor: String = APIKeyStore.operatorTool, client: String = "") throws -> (APIKey, APIKeyToken) {
        try database.write { db in try Self.insert(agencyCode: agencyCode, scopes: scopes, label: label, by: actor, client: client, db) }
    }

    static func insert(agencyCode: String, scopes: Set<APIKey.Scope>, label: String, by actor: String, client: String,
                       _ db: any SQLConnection) throws -> (APIKey, APIKeyToken) {
        let token = APIKeyToken.generate()
        var key = APIKey(id: token.id, agencyCode: agencyCode, scopes: scopes, label: label,
                         createdAtMs: Int64(Date().timeIntervalSince1970 * 1000))
        key.createdBy = actor
        let scopeText = key.scopes.map(\.rawValue).sorted().joined(separator: ",")
        try db.execute(sql: """
            INSERT INTO api_key (id, secret_sha256, agency_code, scopes, label, created_at_ms, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [key.id, token.secretDigest, key.agencyCode, scopeText, key.label, key.createdAtMs, actor])
        try AccountAudit.record(db, .apiKeyCreated, account: "api_key:\(key.id)", actor: actor, client: client,
                                detail: "\(agencyCode); scopes: \(scopeText.isEmpty ? "-" : scopeText); \(label)", nowMs: key.createdAtMs)
        return (key, token)
    }

    /// Every key, newest first, without secrets.
    public func list() throws -> [APIKey] {
        try database.read { db in
            try SQLRow.fetchAll(db, sql: "SELECT * FROM api_key ORDER BY created_at_ms DESC, id").map(Self.key)
        }
    }

    /// Revokes a key for good; false when there is no such key or it was already revoked.
    /// Recorded in the account events (`api_key_revoked`) with `actor`.
    public func revoke(id: String, by actor: String = APIKeyStore.operatorTool, client: String = "") throws -> Bool {
        let changed = try database.write { db in try Self.markRevoked(id: id, by: actor, client: client, db) }
        _ = cache.withLock { $0.removeValue(forKey: id) }
        return changed
    }

    static func markRevoked(id: String, by actor: String, client: String, _ db: any SQLConnection) throws -> Bool {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try db.execute(sql: "UPDATE api_key SET revoked_at_ms = ?, revoked_by = ? WHERE id = ? AND revoked_at_ms IS NULL",
                       arguments: [now, actor, id])
        guard db.changesCount == 1 else { return false }
        try AccountAudit.record(db, .apiKeyRevoked, account: "api_key:\(id)", actor: actor, client: client, nowMs: now)
        return true
    }

    /// Forgets a cached lookup at once (this process); other replicas within `cacheLifetime`.
    func forget(_ id: String) {
        _ = cache.withLock { $0.removeValue(forKey: id) }
    }

    /// The key a token stands for, or nil when the id is unknown, the key revoked or the
    /// secret wrong (compared in constant time).
    public func authenticate(_ token: APIKeyToken) async throws -> APIKey? {
        let now = ContinuousClock.now
        let cached = cache.withLock { cache -> (key: APIKey, digest: Data)? in
            guard let entry = cache[token.id], entry.until > now else { return nil }
            return (entry.key, entry.digest)
        }
        let found: (key: APIKey, digest: Data)?
        if let cached {
            found = cached
        } else {
            let id = token.id
            found = try await database.read { db in
                try SQLRow.fetchOne(db, sql: "SELECT * FROM api_key WHERE id = ?", arguments: [id]).map {
                    (Self.key($0), $0["secret_sha256"] as Data)
                }
            }
            if let found {
                let until = now + cacheLifetime
                cache.withLock { $0[token.id] = (found.key, found.digest, until) }
            }
        }
        guard let found, !found.key.isRevoked, Secrets.equal(found.digest, token.secretDigest) else { return nil }
        return found.key
    }

    static func key(_ row: SQLRow) -> APIKey {
        var key = APIKey(id: row["id"], agencyCode: row["agency_code"], scopes: APIKey.scopes(row["scopes"]) ?? [],
                         label: row["label"], createdAtMs: row["created_at_ms"], revokedAtMs: row["revoked_at_ms"])
        key.createdBy = row["created_by"] ?? ""
        key.revokedBy = row["revoked_by"] ?? ""
        return key
    }
}
