import Foundation
import RPCCore
import Storage
import Synchronization

/// What citizens' and officers' sign-ins share: slow hashing behind a bounded queue
/// (`HashingQueue`), the limits on guessers (`SignInGuard`), the same time spent on an unknown
/// account (a decoy hash), and the audit of every attempt (`AccountAudit`).
final class PasswordChecks: Sendable {
    let hasher: PasswordHasher
    let guardian: SignInGuard
    private let queue: HashingQueue
    /// A hash of nothing anyone knows, verified against for an unknown account. Made on first
    /// need, not at start: a hash costs a core for a good fraction of a second, and a gateway
    /// starting (or a test starting several) should not wait for it.
    private let decoy = Mutex<String?>(nil)

    init(hasher: PasswordHasher, name: String, threads count: Int, guardian: SignInGuard) throws {
        self.hasher = hasher
        self.guardian = guardian
        queue = HashingQueue(name: name, threads: count, capacity: count * 4)
    }

    func hash(_ password: String) async throws -> String {
        let hasher = hasher
        return try await queue.run { try hasher.hash(password) }
    }

    /// Whether `password` matches `stored`; with no stored hash (an unknown account) the decoy
    /// is checked, so the answer takes as long and is false.
    func verify(_ password: String, against stored: String?) async throws -> Bool {
        let hasher = hasher
        let matches = try await queue.run { [self] () throws -> Bool in
            if let stored { return hasher.verify(password, against: stored) }
            // The decoy's own hash is made once; from then on an unknown id costs one verify,
            // the same as a known one.
            let target = try self.decoy.withLock { made in
                if let made { return made }
                made = try hasher.hash(UUID().uuidString)
                return made!
            }
            return hasher.verify(password, against: target)
        }
        return matches && stored != nil
    }

    /// The account tables that sign in with a password; each has `id` and `password_hash`.
    enum Accounts: String {
        case citizen, officer
    }

    /// One sign-in against account `id` from `client` (an address), the same for citizens and
    /// officers: the guesser's limits first (refused at once, no hashing), the attempt counted
    /// before the password is verified (as slowly for an unknown id, against the decoy), then a
    /// success clears the count and upgrades a hash made with weaker parameters than today's.
    /// Every attempt is audited. Returns the account's row when the password is right and
    /// `usable(row)` (an officer not disabled); nil when the caller should answer "wrong id or
    /// password".
    func signIn(_ accounts: Accounts, id: String, password: String, client: String, nowMs: Int64, in database: ServiceDatabase,
                usable: (SQLRow) -> Bool = { _ in true }) async throws -> SQLRow? {
        let table = accounts.rawValue
        // The key under which guesses are counted: the id as typed (bounded), whether or not
        // such an account exists.
        let account = "\(table):\(id.prefix(64))"
        let attempt: SignInGuard.Attempt
        do {
            try guardian.admit(client: client)
            attempt = try await guardian.begin(account: account, client: client, nowMs: nowMs, in: database)
        } catch let refusal as RPCError {
            try? await database.write { db in
                try AccountAudit.record(db, .signInRefused, account: account, actor: account, client: client,
                                        detail: refusal.metadata["dvc-rate-limit"] ?? "", nowMs: nowMs)
            }
            throw refusal
        }
        defer { guardian.release(attempt) }
        let stored: String? = try await database.read { db in
            try String.fetchOne(db, sql: "SELECT password_hash FROM \(table) WHERE id = ?", arguments: [id])
        }
        let matches = try await verify(password, against: stored)
        let rehash = matches && stored.map(hasher.needsRehash) == true ? try await hash(password) : nil
        let row = matches ? try await database.read { db in try SQLRow.fetchOne(db, sql: "SELECT * FROM \(table) WHERE id = ?", arguments: [id]) } : nil
        let succeeded = row.map(usable) ?? false
        let guardian = guardian
        try await database.write { db in
            try guardian.finish(attempt, succeeded: succeeded, nowMs: nowMs, in: db)
            if succeeded, let rehash {
                try db.execute(sql: "UPDATE \(table) SET password_hash = ? WHERE id = ?", arguments: [rehash, id])
            }
            try AccountAudit.record(db, succeeded ? .signIn : .signInFailed, account: account, actor: account, client: client,
                                    nowMs: nowMs)
        }
        return succeeded ? row : nil
    }
}
