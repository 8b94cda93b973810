import Foundation
import RPCCore
import Storage
import Synchronization

/// What stands between a guesser and the password check, for citizens and officers alike.
///
/// A hard lock of the account after a few failures would let anyone lock anyone out — an
/// agency's whole console included, officer ids being guessable — and would tell who has an
/// account (only existing ones locked). So the limits here are on the *guesser*, and they are
/// the same for an id that has no account:
///
/// - **Per address**, every sign-in and registration: `perAddressPerMinute` (a token bucket;
///   beyond it 429 at once, no hashing).
/// - **Per account and address**: each attempt is counted *before* the password is verified, in
///   one write; from the `pairFailures`-th failure on, that address may not try that account
///   again for 15 minutes, doubling with each further failure up to 16 hours. The owner, from any
///   other address, is not affected.
/// - **Per account, all addresses** (a guesser with many addresses): after `accountFailures`
///   failures within an hour, addresses that have never signed in to the account may try it
///   only once every `pace`. An address the account signed in from before is never slowed by
///   this, so strangers cannot keep the owner out.
/// - **One verification in flight per account** in this process: parallel guesses cannot race
///   the count, and a second one is refused at once.
///
/// The state lives in the gateway's database (`sign_in_attempt`, `sign_in_known`), so it holds
/// across restarts and replicas sharing the database; the per-address bucket and the in-flight
/// set are per process.
final class SignInGuard: Sendable {
    static let pairFailures = 5
    static let pairLock: Int64 = 15 * 60 * 1000
    static let accountFailures = 20
    static let pace: Int64 = 30 * 1000
    /// A count older than this without a new attempt starts again from zero.
    static let window: Int64 = 3600 * 1000

    private let perAddress: TokenBuckets?
    private let inFlight = Mutex<Set<String>>([])

    init(perAddressPerMinute: Double) {
        perAddress = perAddressPerMinute > 0
            ? TokenBuckets(rate: perAddressPerMinute / 60, burst: max(1, perAddressPerMinute)) : nil
    }

    /// One attempt under way: release it with `finish` however the check ends.
    struct Attempt: Sendable {
        let account: String
        let client: String
        let known: Bool
    }

    /// Counts a sign-in or registration request of `client` against its per-address allowance.
    func admit(client: String) throws {
        guard let wait = perAddress?.take(client) else { return }
        let seconds = max(1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) * 1e-18).rounded(.up)))
        throw RPCError(.resourceExhausted,
                       "Có quá nhiều lượt đăng nhập hoặc đăng ký từ địa chỉ mạng của bạn; vui lòng thử lại sau \(seconds) giây.",
                       metadata: ["retry-after-ms": "\(seconds * 1000)", "dvc-rate-limit": "sign-in"])
    }

    /// Starts an attempt on `account` ("citizen:<id>", "officer:<id>", as typed): refused when
    /// another is in flight for it, when this address is blocked for it, or when the account is
    /// paced and this address is a stranger to it; otherwise counted as a failure until
    /// `finish` says it succeeded.
    func begin(account: String, client: String, nowMs: Int64, in database: ServiceDatabase) async throws -> Attempt {
        let entered = inFlight.withLock { $0.insert(account).inserted }
        guard entered else {
            throw RPCError(.resourceExhausted, "Một lượt đăng nhập khác vào tài khoản này đang được xử lý; vui lòng thử lại sau ít giây.",
                           metadata: ["retry-after-ms": "1000"])
        }
        do {
            let known = try await database.write { db -> Bool in
                let known = try Bool.fetchOne(db, sql: "SELECT 1 FROM sign_in_known WHERE account = ? AND client = ?",
                                              arguments: [account, client]) ?? false
                var pair = try Self.counter(db, account, client, nowMs)
                if pair.blockedUntil > nowMs { throw Self.blocked(untilMs: pair.blockedUntil, nowMs: nowMs) }
                var all = try Self.counter(db, account, "*", nowMs)
                if !known, all.failures >= Self.accountFailures, all.blockedUntil > nowMs {
                    throw Self.paced(untilMs: all.blockedUntil, nowMs: nowMs)
                }
                pair.failures += 1
                if pair.failures >= Self.pairFailures { pair.blockedUntil = nowMs + Self.blockDuration(failures: pair.failures) }
                try Self.save(db, account, client, pair, nowMs)
                if !known {
                    all.failures += 1
                    if all.failures >= Self.accountFailures { all.blockedUntil = nowMs + Self.pace }
                    try Self.save(db, account, "*", all, nowMs)
                }
                return known
            }
            return Attempt(account: account, client: client, known: known)
        } catch {
            inFlight.withLock { _ = $0.remove(account) }
            throw error
        }
    }

    /// Ends an attempt. A success clears this address's count and remembers the address as
    /// one the account signs in from; a failure stays counted (it was, before verifying).
    func finish(_ attempt: Attempt, succeeded: Bool, nowMs: Int64, in db: any SQLConnection) throws {
        guard succeeded else { return }
        try db.execute(sql: "DELETE FROM sign_in_attempt WHERE account = ? AND client = ?", arguments: [attempt.account, attempt.client])
        if !attempt.known {
            // It was counted against the account as a failure before the verify; it was not one.
            try db.execute(sql: "UPDATE sign_in_attempt SET failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END WHERE account = ? AND client = '*'",
                           arguments: [attempt.account])
        }
        try db.execute(sql: """
            INSERT INTO sign_in_known (account, client, last_ms) VALUES (?, ?, ?)
            ON CONFLICT (account, client) DO UPDATE SET last_ms = excluded.last_ms
            """, arguments: [attempt.account, attempt.client, nowMs])
    }

    /// How long an address is kept from an account after `failures` failures on it (from the
    /// fifth): 15 minutes, doubling with each further failure, at most 16 hours.
    static func blockDuration(failures: Int) -> Int64 {
        guard failures >= pairFailures else { return 0 }
        return pairLock << min(failures - pairFailures, 6)
    }

    /// Lets another attempt on the account begin.
    func release(_ attempt: Attempt) {
        inFlight.withLock { _ = $0.remove(attempt.account) }
    }

    /// Forgets the addresses an account signed in from (its password changed: a thief's
    /// address must not stay "known").
    static func forgetKnownClients(of account: String, in db: any SQLConnection) throws {
        try db.execute(sql: "DELETE FROM sign_in_known WHERE account = ?", arguments: [account])
    }

    // MARK: The counters

    struct Counter {
        var failures: Int
        var blockedUntil: Int64
    }

    private static func counter(_ db: any SQLConnection, _ account: String, _ client: String, _ nowMs: Int64) throws -> Counter {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM sign_in_attempt WHERE account = ? AND client = ?",
                                         arguments: [account, client]) else { return Counter(failures: 0, blockedUntil: 0) }
        let blockedUntil: Int64 = row["blocked_until_ms"]
        // Quiet for a whole window and no longer blocked: start again.
        if (row["updated_ms"] as Int64) + window < nowMs, blockedUntil <= nowMs { return Counter(failures: 0, blockedUntil: 0) }
        return Counter(failures: row["failures"], blockedUntil: blockedUntil)
    }

    private static func save(_ db: any SQLConnection, _ account: String, _ client: String, _ counter: Counter, _ nowMs: Int64) throws {
        try db.execute(sql: """
            INSERT INTO sign_in_attempt (account, client, failures, blocked_until_ms, updated_ms) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (account, client) DO UPDATE SET failures = excluded.failures,
                blocked_until_ms = excluded.blocked_until_ms, updated_ms = excluded.updated_ms
            """, arguments: [account, client, counter.failures, counter.blockedUntil, nowMs])
        // Rows of guessers long gone, so the table does not grow with every id ever tried.
        if Int.random(in: 0..<200) == 0 {
            try db.execute(sql: "DELETE FROM sign_in_attempt WHERE updated_ms < ? AND blocked_until_ms < ?",
                           arguments: [nowMs - 2 * 24 * 3600 * 1000, nowMs])
        }
    }

    // MARK: Refusals (the same words whether or not the account exists)

    static func blocked(untilMs: Int64, nowMs: Int64) -> RPCError {
        RPCError(.resourceExhausted, "Bạn đã nhập sai nhiều lần; vui lòng thử lại sau \(hanoiTime(untilMs)).",
                 metadata: ["retry-after-ms": "\(max(1, untilMs - nowMs))", "dvc-rate-limit": "sign-in-failures"])
    }

    static func paced(untilMs: Int64, nowMs: Int64) -> RPCError {
        let seconds = max(1, (untilMs - nowMs + 999) / 1000)
        return RPCError(.resourceExhausted,
                        "Tài khoản này đang bị thử mật khẩu từ nhiều nơi; vì an toàn, vui lòng thử lại sau \(seconds) giây.",
                        metadata: ["retry-after-ms": "\(max(1, untilMs - nowMs))", "dvc-rate-limit": "sign-in-pace"])
    }

    static func hanoiTime(_ ms: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "vi_VN")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "HH:mm 'ngày' dd/MM/yyyy"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}

/// The sign-in limits one gateway shares between its citizens' and officers' accounts (config
/// `sign_in_per_address_per_minute`, docs/gateway.md).
public struct SignInGuardSettings: Sendable {
    let shared: SignInGuard

    public init(perAddressPerMinute: Double = 20) {
        shared = SignInGuard(perAddressPerMinute: perAddressPerMinute)
    }
}
