import Foundation
import GRDB
import NIOPosix
import RPCCore
import Storage

/// Citizens' accounts: registration with the 12-digit identity number and a password, and
/// sign-in throttled against guessing. Hashing is slow on purpose (`PasswordHasher`), so it runs
/// on threads of its own, never on Swift's cooperative pool. Errors carry Vietnamese text for
/// the person and the field that was wrong.
public final class CitizenAccounts: Sendable {
    public struct Registration: Sendable {
        public var id: String
        public var password: String
        public var fullName: String
        public var email: String
        public var phone: String

        public init(id: String, password: String, fullName: String, email: String = "", phone: String = "") {
            self.id = id
            self.password = password
            self.fullName = fullName
            self.email = email
            self.phone = phone
        }
    }

    /// After this many wrong passwords in a row an account is locked, for
    /// `lockout × 2^(extra failures)`, at most a day.
    public static let allowedFailures = 5
    public static let lockout: Int64 = 15 * 60 * 1000

    let database: ServiceDatabase
    let hasher: PasswordHasher
    private let threads: NIOThreadPool
    /// Compared against when the id is unknown, so an unknown id costs the same time.
    private let decoy: String

    public init(database: ServiceDatabase, hasher: PasswordHasher = .standard) throws {
        self.database = database
        self.hasher = hasher
        threads = NIOThreadPool(numberOfThreads: 2)
        threads.start()
        decoy = try hasher.hash(UUID().uuidString)
    }

    deinit { try? threads.syncShutdownGracefully() }

    private func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await threads.runIfActive(work)
    }

    public func register(_ registration: Registration, nowMs: Int64 = SessionStore.nowMs()) async throws -> CitizenID {
        var violations: [FieldViolation] = []
        var id: CitizenID?
        do {
            id = try CitizenID(registration.id)
        } catch {
            violations.append(FieldViolation(field: "id", description: error.description))
        }
        let password = registration.password
        if password.count < 10 || password.count > 128 {
            violations.append(FieldViolation(field: "password", description: "Mật khẩu phải dài từ 10 đến 128 ký tự."))
        } else if password.allSatisfy(\.isNumber) || password == registration.id {
            violations.append(FieldViolation(field: "password", description: "Mật khẩu không được chỉ gồm chữ số hay trùng số định danh."))
        }
        let name = registration.fullName.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
        if name.isEmpty || name.count > 100 {
            violations.append(FieldViolation(field: "full_name", description: "Họ và tên là bắt buộc, tối đa 100 ký tự."))
        }
        let email = registration.email.trimmingCharacters(in: .whitespaces)
        if !email.isEmpty, email.count > 254 || email.split(separator: "@").count != 2 || email.contains(" ") {
            violations.append(FieldViolation(field: "email", description: "Địa chỉ thư điện tử không hợp lệ."))
        }
        let phone = registration.phone.trimmingCharacters(in: .whitespaces)
        if !phone.isEmpty, !(phone.range(of: #"^(\+84|0)[0-9]{9,10}$"#, options: .regularExpression) != nil) {
            violations.append(FieldViolation(field: "phone", description: "Số điện thoại không hợp lệ (ví dụ 0912345678)."))
        }
        guard violations.isEmpty, let id else {
            throw RPCError(.invalidArgument, "Thông tin đăng ký chưa hợp lệ.", violations: violations)
        }
        let hasher = hasher
        let hash = try await offPool { try hasher.hash(password) }
        let inserted = try await database.write { db -> Bool in
            try db.execute(sql: """
                INSERT INTO citizen (id, password_hash, full_name, email, phone, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO NOTHING
                """, arguments: [id.digits, hash, name, email, phone, nowMs])
            return db.changesCount == 1
        }
        guard inserted else {
            throw RPCError(.alreadyExists, "Số định danh \(id.digits) đã có tài khoản. Hãy đăng nhập hoặc khôi phục mật khẩu.",
                           violations: [FieldViolation(field: "id", description: "Đã có tài khoản.")])
        }
        return id
    }

    /// The citizen whose password this is, or UNAUTHENTICATED (the same answer for an unknown
    /// id and a wrong password), or RESOURCE_EXHAUSTED while the account is locked.
    public func signIn(id: String, password: String, nowMs: Int64 = SessionStore.nowMs()) async throws -> CitizenID {
        let row = try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM citizen WHERE id = ?", arguments: [id])
        }
        if let row, (row["locked_until_ms"] as Int64) > nowMs {
            throw Self.locked(untilMs: row["locked_until_ms"])
        }
        let stored: String = row?["password_hash"] ?? decoy
        let hasher = hasher
        let matches = try await offPool { hasher.verify(password, against: stored) }
        guard let row, matches, let citizen = try? CitizenID(row["id"] as String) else {
            if let row {
                let failures = (row["failed_sign_ins"] as Int) + 1
                let extra = max(0, failures - Self.allowedFailures)
                let until = failures >= Self.allowedFailures ? nowMs + min(Self.lockout << min(extra, 6), 24 * 3600 * 1000) : 0
                try await database.write { db in
                    try db.execute(sql: "UPDATE citizen SET failed_sign_ins = ?, locked_until_ms = ? WHERE id = ?",
                                   arguments: [failures, until, id])
                }
            }
            throw RPCError(.unauthenticated, "Số định danh hoặc mật khẩu không đúng.")
        }
        let rehash = hasher.needsRehash(stored) ? try await offPool { try hasher.hash(password) } : nil
        try await database.write { db in
            try db.execute(sql: "UPDATE citizen SET failed_sign_ins = 0, locked_until_ms = 0, password_hash = COALESCE(?, password_hash) WHERE id = ?",
                           arguments: [rehash, id])
        }
        return citizen
    }

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
