import Foundation
import GRDB
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

    public static let allowedFailures = PasswordChecks.allowedFailures
    public static let lockout = PasswordChecks.lockout

    let database: ServiceDatabase
    private let checks: PasswordChecks

    public init(database: ServiceDatabase, hasher: PasswordHasher = .standard) throws {
        self.database = database
        checks = try PasswordChecks(hasher: hasher, threads: 2)
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
        let hash = try await checks.hash(password)
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
        guard let row = try await checks.signIn(.citizen, id: id, password: password, nowMs: nowMs, in: database),
              let citizen = try? CitizenID(row["id"] as String) else {
            throw RPCError(.unauthenticated, "Số định danh hoặc mật khẩu không đúng.")
        }
        return citizen
    }
}
