import Crypto
import Foundation
import GRDB
import Storage
import Synchronization

/// The agency systems' API keys in the gateway's database, and the check of a presented
/// token. Lookups are cached for `cacheLifetime` so a busy system costs no database read per
/// call; a revocation therefore takes effect within that time on every gateway replica that
/// shares the database.
public final class APIKeyStore: Sendable {
    private let database: ServiceDatabase
    private let cacheLifetime: Duration
    private let cache = Mutex<[String: (key: APIKey, digest: Data, until: ContinuousClock.Instant)]>([:])

    public init(database: ServiceDatabase, cacheLifetime: Duration = .seconds(2)) {
        self.database = database
        self.cacheLifetime = cacheLifetime
    }

    /// The migrations of the gateway's database that hold the keys.
    public static func register(in migrations: inout Migrations) {
        migrations.register("gateway.v1.api-keys") { db in
            try db.execute(sql: """
                CREATE TABLE api_key (
                    id TEXT PRIMARY KEY,
                    secret_sha256 BLOB NOT NULL,
                    agency_code TEXT NOT NULL,
                    scopes TEXT NOT NULL,
                    label TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    revoked_at_ms INTEGER
                ) STRICT;
                """)
        }
    }

    /// Makes a key; the token returned is the only time its secret exists in the clear.
    public func create(agencyCode: String, scopes: Set<APIKey.Scope>, label: String) throws -> (APIKey, APIKeyToken) {
        let token = APIKeyToken.generate()
        let key = APIKey(id: token.id, agencyCode: agencyCode, scopes: scopes, label: label,
                         createdAtMs: Int64(Date().timeIntervalSince1970 * 1000))
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO api_key (id, secret_sha256, agency_code, scopes, label, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [key.id, token.secretDigest, key.agencyCode,
                                 key.scopes.map(\.rawValue).sorted().joined(separator: ","), key.label, key.createdAtMs])
        }
        return (key, token)
    }

    /// Every key, newest first, without secrets.
    public func list() throws -> [APIKey] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_key ORDER BY created_at_ms DESC, id").map(Self.key)
        }
    }

    /// Revokes a key for good; false when there is no such key or it was already revoked.
    public func revoke(id: String) throws -> Bool {
        let changed = try database.write { db in
            try db.execute(sql: "UPDATE api_key SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL",
                           arguments: [Int64(Date().timeIntervalSince1970 * 1000), id])
            return db.changesCount
        }
        _ = cache.withLock { $0.removeValue(forKey: id) }
        return changed == 1
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
                try Row.fetchOne(db, sql: "SELECT * FROM api_key WHERE id = ?", arguments: [id]).map {
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

    private static func key(_ row: Row) -> APIKey {
        APIKey(id: row["id"], agencyCode: row["agency_code"], scopes: APIKey.scopes(row["scopes"]) ?? [],
               label: row["label"], createdAtMs: row["created_at_ms"], revokedAtMs: row["revoked_at_ms"])
    }
}
