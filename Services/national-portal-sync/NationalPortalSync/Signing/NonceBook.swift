import GRDB
import Storage

/// The nonces of the portal's requests seen within the signature window, in the service's
/// database so a replay is refused across a restart too.
enum NonceBook {
    /// Records `nonce`; false when it was already seen (a replay). Forgets nonces older than
    /// twice the window in the same transaction: a request that old is refused by its timestamp.
    static func remember(_ nonce: String, windowSeconds: Int64, _ db: Database) throws -> Bool {
        let now = UnixMillis.now()
        try db.execute(sql: "DELETE FROM seen_nonce WHERE seen_at < ?", arguments: [now - 2 * windowSeconds * 1000])
        try db.execute(sql: "INSERT INTO seen_nonce (nonce, seen_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING",
                       arguments: [nonce, now])
        return db.changesCount > 0
    }
}
