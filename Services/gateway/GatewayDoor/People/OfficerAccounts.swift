import DVCProto
import Foundation
import RPCCore
import Storage

/// Officers' accounts, made for an agency by its administrator (an officer of that agency with
/// the role `admin`, or the operator's `gateway officer create`), with roles per agency:
/// receiver, processor, approver, admin. Sign-in is throttled like a citizen's.
public final class OfficerAccounts: Sendable {
    public static let roles: Set<String> = ["receiver", "processor", "approver", "admin"]

    public struct Officer: Sendable, Equatable {
        public var id: String
        public var agencyCode: String
        public var roles: Set<String>
        public var fullName: String

        public var identity: CallerIdentity { .officer(id: id, agency: agencyCode, roles: roles) }
    }

    let database: ServiceDatabase
    let checks: PasswordChecks

    public init(database: ServiceDatabase, hasher: PasswordHasher = .standard, guardian: SignInGuardSettings = .init()) throws {
        self.database = database
        checks = try PasswordChecks(hasher: hasher, name: "officer", threads: 1, guardian: guardian.shared)
    }

    /// A refusal in one line, with each field and why (for the command line).
    public static func explain(_ error: RPCError) -> String {
        let fields = error.violations.map { "\($0.field): \($0.description)" }.joined(separator: "; ")
        return fields.isEmpty ? error.message : "\(error.message) \(fields)"
    }

    /// Makes an officer of `agencyCode`. `createdBy` is who decided: an administrator of that
    /// same agency, or the operator's tool (`system:<tool>`).
    public func create(id: String, agencyCode: String, roles: Set<String>, fullName: String, password: String,
                       createdBy: CallerIdentity, client: String = "", nowMs: Int64 = SessionStore.nowMs()) async throws -> Officer {
        switch createdBy {
        case .officer(_, let agency, let creatorRoles) where agency == agencyCode && creatorRoles.contains("admin"):
            break
        case .system:
            break
        default:
            throw RPCError(.permissionDenied, "Chỉ quản trị viên của \(agencyCode) mới tạo được tài khoản cán bộ của cơ quan này.")
        }
        var violations: [FieldViolation] = []
        if id.range(of: #"^[a-z0-9][a-z0-9._-]{1,63}$"#, options: .regularExpression) == nil {
            violations.append(FieldViolation(field: "id", description: "Tên đăng nhập gồm 2–64 chữ thường, số, dấu chấm, gạch."))
        }
        if roles.isEmpty || !roles.isSubset(of: Self.roles) {
            violations.append(FieldViolation(field: "roles", description: "Vai trò là receiver, processor, approver, admin."))
        }
        if agencyCode.isEmpty { violations.append(FieldViolation(field: "agency_code", description: "Bắt buộc.")) }
        let name = fullName.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty || name.count > 100 { violations.append(FieldViolation(field: "full_name", description: "Bắt buộc, tối đa 100 ký tự.")) }
        if password.count < 12 || password.count > 128 {
            violations.append(FieldViolation(field: "password", description: "Mật khẩu cán bộ dài từ 12 đến 128 ký tự."))
        }
        guard violations.isEmpty else { throw RPCError(.invalidArgument, "Thông tin cán bộ chưa hợp lệ.", violations: violations) }
        let hash = try await checks.hash(password)
        let officer = Officer(id: id, agencyCode: agencyCode, roles: roles, fullName: name)
        let inserted = try await database.write { db -> Bool in
            try db.execute(sql: """
                INSERT INTO officer (id, agency_code, roles, full_name, password_hash, created_by, created_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                """, arguments: [id, agencyCode, roles.sorted().joined(separator: ","), name, hash, createdBy.description, nowMs])
            guard db.changesCount == 1 else { return false }
            try AccountAudit.record(db, .officerCreated, account: "officer:\(id)", actor: createdBy.description, client: client,
                                    detail: "\(agencyCode) \(roles.sorted().joined(separator: ","))", nowMs: nowMs)
            return true
        }
        guard inserted else {
            throw RPCError(.alreadyExists, "Tên đăng nhập \(id) đã được dùng.", violations: [FieldViolation(field: "id", description: "Đã có.")])
        }
        return officer
    }

    /// The officer whose password this is; the same refusal for an unknown id, a wrong password
    /// and a disabled account; RESOURCE_EXHAUSTED while `client` may not try (`SignInGuard`).
    public func signIn(id: String, password: String, client: String, nowMs: Int64 = SessionStore.nowMs()) async throws -> Officer {
        guard let row = try await checks.signIn(.officer, id: id, password: password, client: client, nowMs: nowMs, in: database,
                                                usable: { ($0["disabled_at_ms"] as Int64?) == nil }) else {
            throw RPCError(.unauthenticated, "Tên đăng nhập hoặc mật khẩu không đúng.")
        }
        return Officer(id: row["id"], agencyCode: row["agency_code"],
                       roles: Set((row["roles"] as String).split(separator: ",").map(String.init)), fullName: row["full_name"])
    }
}
