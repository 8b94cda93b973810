import Foundation
import NIOPosix
import RPCCore

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
