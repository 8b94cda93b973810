import Foundation
import GRDB
import NIOPosix
import RPCCore
import Storage

/// What citizens' and officers' sign-ins share: slow hashing on threads of its own (never on
/// Swift's cooperative pool), the same time spent on an unknown account (a decoy hash), and the
/// lock after repeated failures.
final class PasswordChecks: Sendable {
    /// After this many wrong passwords in a row an account is locked, for
    /// `lockout × 2^(extra failures)`, at most a day.
    static let allowedFailures = 5
    static let lockout: Int64 = 15 * 60 * 1000

    let hasher: PasswordHasher
    private let threads: NIOThreadPool
    private let decoy: String

    init(hasher: PasswordHasher, threads count: Int) throws {
        self.hasher = hasher
        threads = NIOThreadPool(numberOfThreads: count)
        threads.start()
        decoy = try hasher.hash(UUID().uuidString)
    }

    deinit { try? threads.syncShutdownGracefully() }

    func hash(_ password: String) async throws -> String {
        let hasher = hasher
        return try await threads.runIfActive { try hasher.hash(password) }
    }

    /// Whether `password` matches `stored`; with no stored hash (an unknown account) the decoy
    /// is checked, so the answer takes as long and is false.
    func verify(_ password: String, against stored: String?) async throws -> Bool {
        let hasher = hasher
        let target = stored ?? decoy
        let matches = try await threads.runIfActive { hasher.verify(password, against: target) }
        return matches && stored != nil
    }

    /// The account tables that sign in with a password; each has `id`, `password_hash`,
    /// `failed_sign_ins` and `locked_until_ms`.
    enum Accounts: String {
        case citizen, officer
    }

    /// One sign-in against account `id`, the same for citizens and officers: a locked account is
    /// refused at once; the password is verified (as slowly for an unknown id, against the
    /// decoy); a failure is counted and locks the account after too many; a success clears the
    /// count and upgrades a hash made with weaker parameters than today's. Returns the account's
    /// row when the password is right and `usable(row)` (an officer not disabled); nil when the
    /// caller should answer "wrong id or password".
    func signIn(_ accounts: Accounts, id: String, password: String, nowMs: Int64, in database: ServiceDatabase,
                usable: (Row) -> Bool = { _ in true }) async throws -> Row? {
        let table = accounts.rawValue
        // One row by its key: read in place (a Row is not Sendable, so it does not cross threads).
        let row = try database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM \(table) WHERE id = ?", arguments: [id]) }
        if let row, (row["locked_until_ms"] as Int64) > nowMs { throw Self.locked(untilMs: row["locked_until_ms"]) }
        let stored: String? = row?["password_hash"]
        let matches = try await verify(password, against: stored)
        guard let row, let stored, matches, usable(row) else {
            if let row {
                let failures = (row["failed_sign_ins"] as Int) + 1
                let until = Self.lockedUntil(failures: failures, nowMs: nowMs)
                try await database.write { db in
                    try db.execute(sql: "UPDATE \(table) SET failed_sign_ins = ?, locked_until_ms = ? WHERE id = ?",
                                   arguments: [failures, until, id])
                }
            }
            return nil
        }
        let rehash = hasher.needsRehash(stored) ? try await hash(password) : nil
        try await database.write { db in
            try db.execute(sql: """
                UPDATE \(table) SET failed_sign_ins = 0, locked_until_ms = 0, password_hash = COALESCE(?, password_hash)
                WHERE id = ?
                """, arguments: [rehash, id])
        }
        return row
    }

    /// When an account with this many consecutive failures is locked until (0: not locked).
    static func lockedUntil(failures: Int, nowMs: Int64) -> Int64 {
        guard failures >= allowedFailures else { return 0 }
        return nowMs + min(lockout << min(failures - allowedFailures, 6), 24 * 3600 * 1000)
    }

    /// The refusal while locked, with the time in Hà Nội and a Retry-After.
    static func locked(untilMs: Int64) -> RPCError {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "vi_VN")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "HH:mm 'ngày' dd/MM/yyyy"
        let until = formatter.string(from: Date(timeIntervalSince1970: Double(untilMs) / 1000))
        return RPCError(.resourceExhausted, "Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần. Vui lòng thử lại sau \(until).",
                        metadata: ["retry-after-ms": "\(max(0, untilMs - SessionStore.nowMs()))"])
    }
}
