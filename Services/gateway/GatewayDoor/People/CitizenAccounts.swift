import Foundation
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

    /// What registration says, whether or not the identity number already had an account:
    /// telling them apart would let anyone find out who has one.
    public static let registeredMessage =
        "Đã nhận đăng ký. Mời đăng nhập; nếu số định danh này đã có tài khoản từ trước, hãy dùng mật khẩu đã đặt khi đó."

    /// The outcome of a registration. `created` is for the gateway's own use (the contact
    /// details of a new account go to notify-svc; an existing account's are never overwritten)
    /// and must never reach the answer.
    public struct Registered: Sendable {
        public var id: CitizenID
        public var created: Bool
    }

    /// What registration and password sign-in say when the operator turned citizens' local
    /// passwords off (`local_passwords=off`): the national identity is the only way in.
    public static let localPasswordsOffMessage =
        "Cổng chỉ nhận đăng nhập bằng tài khoản định danh điện tử quốc gia (VNeID); không đăng ký hay đăng nhập bằng mật khẩu. Hãy chọn “Đăng nhập bằng VNeID”."

    let database: ServiceDatabase
    let checks: PasswordChecks
    /// Whether citizens may register and sign in with a password of the portal's own.
    public let localPasswords: Bool

    public init(database: ServiceDatabase, hasher: PasswordHasher = .standard, guardian: SignInGuardSettings = .init(),
                localPasswords: Bool = true) throws {
        self.database = database
        self.localPasswords = localPasswords
        checks = try PasswordChecks(hasher: hasher, name: "citizen", threads: 2, guardian: guardian.shared)
    }

    public func register(_ registration: Registration, client: String,
                         nowMs: Int64 = SessionStore.nowMs()) async throws -> Registered {
        guard localPasswords else { throw RPCError(.failedPrecondition, Self.localPasswordsOffMessage) }
        try checks.guardian.admit(client: client)
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
        try await database.write { db in
            try AccountAudit.record(db, inserted ? .registered : .registrationRepeated, account: "citizen:\(id.digits)",
                                    actor: "citizen:\(id.digits)", client: client, nowMs: nowMs)
        }
        return Registered(id: id, created: inserted)
    }

    /// The citizen whose password this is, or UNAUTHENTICATED (the same answer for an unknown
    /// id and a wrong password), or RESOURCE_EXHAUSTED while `client` may not try (`SignInGuard`),
    /// or UNAVAILABLE when too many hashes are waiting.
    public func signIn(id: String, password: String, client: String, nowMs: Int64 = SessionStore.nowMs()) async throws -> CitizenID {
        guard localPasswords else { throw RPCError(.failedPrecondition, Self.localPasswordsOffMessage) }
        guard let row = try await checks.signIn(.citizen, id: id, password: password, client: client, nowMs: nowMs, in: database),
              let citizen = try? CitizenID(row["id"] as String) else {
            throw RPCError(.unauthenticated, "Số định danh hoặc mật khẩu không đúng.")
        }
        return citizen
    }

    /// The citizen's own password change: the current password must be right (checked like a
    /// sign-in, so it cannot be guessed here instead); every other session ends, browser and
    /// API tokens alike.
    public func changePassword(of id: CitizenID, current: String, new password: String, keeping token: String?, client: String,
                               nowMs: Int64 = SessionStore.nowMs()) async throws {
        guard (10...128).contains(password.count), !password.allSatisfy(\.isNumber), password != id.digits else {
            throw RPCError.invalidArgument(field: "new_password", "Mật khẩu dài từ 10 đến 128 ký tự, không chỉ gồm chữ số, không trùng số định danh.")
        }
        _ = try await signIn(id: id.digits, password: current, client: client, nowMs: nowMs)
        let hash = try await checks.hash(password)
        try await database.write { db in
            try db.execute(sql: "UPDATE citizen SET password_hash = ? WHERE id = ?", arguments: [hash, id.digits])
            try SignInGuard.forgetKnownClients(of: "citizen:\(id.digits)", in: db)
            try SessionStore.revokeAll(person: "citizen:\(id.digits)", except: token, nowMs: nowMs, in: db)
            try AccountAudit.record(db, .passwordChanged, account: "citizen:\(id.digits)", actor: "citizen:\(id.digits)",
                                    client: client, nowMs: nowMs)
        }
    }

    /// Ends every session of the citizen but `token`'s ("sign out everywhere else"); how many.
    public func revokeSessions(of id: CitizenID, keeping token: String?, client: String,
                               nowMs: Int64 = SessionStore.nowMs()) async throws -> Int {
        try await database.write { db in
            let ended = try SessionStore.revokeAll(person: "citizen:\(id.digits)", except: token, nowMs: nowMs, in: db)
            try AccountAudit.record(db, .sessionsRevoked, account: "citizen:\(id.digits)", actor: "citizen:\(id.digits)",
                                    client: client, detail: "\(ended) phiên kết thúc", nowMs: nowMs)
            return ended
        }
    }

    /// The citizen's own account events (sign-ins, failed ones, password changes), newest first.
    public func events(of id: CitizenID, limit: Int = 50) async throws -> [AccountAudit.Event] {
        try await database.read { db in try AccountAudit.events(of: "citizen:\(id.digits)", limit: limit, in: db) }
    }
}
