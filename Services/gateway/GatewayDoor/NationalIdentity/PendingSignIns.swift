import Crypto
import Foundation
import Storage

/// Sign-ins with the national identity between leaving for the provider and coming back: the
/// `state` sent (kept only as its SHA-256), bound to the browser that left by a cookie of its
/// own, with the nonce and the PKCE verifier. Taking one deletes it, whether or not it
/// matched: a state works once, and only in the browser it was made for (a link with someone
/// else's code and state, sent to a victim, signs nobody in — login CSRF).
struct PendingSignIns: Sendable {
    struct Pending: Sendable, Equatable {
        var nonce: String
        var codeVerifier: String
        var purpose: String
        var next: String
    }

    let database: ServiceDatabase
    /// A citizen has this long at the provider's pages.
    static let lifetimeMs: Int64 = 10 * 60 * 1000

    static func digest(_ text: String) -> Data { Data(SHA256.hash(data: Data(text.utf8))) }

    func add(state: String, browser: String, _ pending: Pending, nowMs: Int64) async throws {
        try await database.write { db in
            // Old ones go as new ones come: nothing else needs to sweep.
            try db.execute(sql: "DELETE FROM oidc_pending WHERE expires_at_ms <= ?", arguments: [nowMs])
            try db.execute(sql: """
                INSERT INTO oidc_pending (state_sha256, browser_sha256, nonce, code_verifier, purpose, next_path, expires_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [Self.digest(state), Self.digest(browser), pending.nonce, pending.codeVerifier, pending.purpose,
                                 pending.next, nowMs + Self.lifetimeMs])
        }
    }

    /// The pending sign-in of `state` if it is live and was made for `browser`; gone afterwards either way.
    func take(state: String, browser: String, nowMs: Int64) async throws -> Pending? {
        guard !state.isEmpty, state.utf8.count <= 200 else { return nil }
        let key = Self.digest(state)
        return try await database.write { db -> Pending? in
            guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM oidc_pending WHERE state_sha256 = ?", arguments: [key]) else {
                return nil
            }
            try db.execute(sql: "DELETE FROM oidc_pending WHERE state_sha256 = ?", arguments: [key])
            guard (row["expires_at_ms"] as Int64) > nowMs,
                  Secrets.equal(row["browser_sha256"] as Data, Self.digest(browser)) else { return nil }
            return Pending(nonce: row["nonce"], codeVerifier: row["code_verifier"], purpose: row["purpose"], next: row["next_path"])
        }
    }
}
