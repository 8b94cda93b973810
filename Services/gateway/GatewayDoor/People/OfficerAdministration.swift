import Foundation
import RPCCore
import Storage

/// Offboarding and changes to officers' accounts, by their agency's administrator (an officer
/// of that agency with the role `admin`) or the operator's tool (`system:<tool>`): list the
/// agency's officers, change roles, disable and enable, reset a password, end every session.
///
/// Each change ends the officer's sessions in the same transaction, browser and API tokens
/// alike: a session carries the roles of its sign-in, so a role taken away (or an account
/// disabled) must not live on in a 30-day token. Each is recorded in `AccountAudit` with who
/// did it and from where.
extension OfficerAccounts {
    public struct Listed: Sendable, Equatable {
        public var officer: Officer
        public var disabled: Bool
        public var createdAtMs: Int64
    }

    /// The officers of `agency`, for its administrator.
    public func list(agency: String, by actor: CallerIdentity) async throws -> [Listed] {
        try Self.authorise(actor, over: agency)
        return try await database.read { db in
            try SQLRow.fetchAll(db, sql: "SELECT * FROM officer WHERE agency_code = ? ORDER BY id", arguments: [agency]).map(Self.listed)
        }
    }

    /// Gives officer `id` exactly `roles`.
    public func setRoles(id: String, roles: Set<String>, by actor: CallerIdentity, client: String,
                         nowMs: Int64 = SessionStore.nowMs()) async throws -> Listed {
        guard !roles.isEmpty, roles.isSubset(of: Self.roles) else {
            throw RPCError.invalidArgument(field: "roles", "Vai trò là receiver, processor, approver, admin.")
        }
        if case .officer(let own, _, _) = actor, own == id, !roles.contains("admin") {
            throw RPCError.invalidArgument(field: "roles", "Quản trị viên không tự bỏ quyền quản trị của mình (nhờ quản trị viên khác).")
        }
        return try await change(id: id, by: actor, client: client, nowMs: nowMs, kind: .rolesChanged,
                                detail: roles.sorted().joined(separator: ",")) { db in
            try db.execute(sql: "UPDATE officer SET roles = ? WHERE id = ?", arguments: [roles.sorted().joined(separator: ","), id])
        }
    }

    /// Disables (offboarding) or enables officer `id`. A disabled officer cannot sign in, and
    /// every agency system acting for them is refused.
    public func setDisabled(id: String, _ disabled: Bool, by actor: CallerIdentity, client: String,
                            nowMs: Int64 = SessionStore.nowMs()) async throws -> Listed {
        if disabled, case .officer(let own, _, _) = actor, own == id {
            throw RPCError(.failedPrecondition, "Quản trị viên không tự khóa tài khoản của mình.")
        }
        return try await change(id: id, by: actor, client: client, nowMs: nowMs,
                                kind: disabled ? .officerDisabled : .officerEnabled) { db in
            try db.execute(sql: "UPDATE officer SET disabled_at_ms = ? WHERE id = ?", arguments: [disabled ? nowMs : nil, id])
        }
    }

    /// Sets a new password chosen by the administrator (the officer is told it out of band
    /// and should change it).
    public func resetPassword(id: String, to password: String, by actor: CallerIdentity, client: String,
                              nowMs: Int64 = SessionStore.nowMs()) async throws -> Listed {
        try Self.checkPassword(password, field: "password")
        let hash = try await checks.hash(password)
        return try await change(id: id, by: actor, client: client, nowMs: nowMs, kind: .passwordReset) { db in
            try db.execute(sql: "UPDATE officer SET password_hash = ? WHERE id = ?", arguments: [hash, id])
            try SignInGuard.forgetKnownClients(of: "officer:\(id)", in: db)
        }
    }

    /// Ends every session of officer `id` ("sign out everywhere").
    public func revokeSessions(id: String, by actor: CallerIdentity, client: String,
                               nowMs: Int64 = SessionStore.nowMs()) async throws -> Listed {
        try await change(id: id, by: actor, client: client, nowMs: nowMs, kind: .sessionsRevoked) { _ in }
    }

    /// The officer's own password change: the current one must be right (checked like a
    /// sign-in, so it cannot be guessed here instead); every other session ends.
    public func changeOwnPassword(of identity: CallerIdentity, current: String, new password: String, keeping token: String?,
                                  client: String, nowMs: Int64 = SessionStore.nowMs()) async throws {
        guard case .officer(let id, _, _) = identity else {
            throw RPCError(.permissionDenied, "Chỉ cán bộ đổi mật khẩu cán bộ.")
        }
        try Self.checkPassword(password, field: "new_password")
        _ = try await signIn(id: id, password: current, client: client, nowMs: nowMs)
        let hash = try await checks.hash(password)
        try await database.write { db in
            try db.execute(sql: "UPDATE officer SET password_hash = ? WHERE id = ?", arguments: [hash, id])
            try SignInGuard.forgetKnownClients(of: "officer:\(id)", in: db)
            try SessionStore.revokeAll(person: "officer:\(id)@", except: token, nowMs: nowMs, in: db)
            try AccountAudit.record(db, .passwordChanged, account: "officer:\(id)", actor: identity.description, client: client, nowMs: nowMs)
        }
    }

    /// Ends every session of the signed-in officer but `token`'s ("sign out everywhere else").
    public func revokeOwnSessions(of identity: CallerIdentity, keeping token: String?, client: String,
                                  nowMs: Int64 = SessionStore.nowMs()) async throws -> Int {
        guard case .officer(let id, _, _) = identity else { throw RPCError(.permissionDenied, "Chỉ cán bộ.") }
        return try await database.write { db in
            let ended = try SessionStore.revokeAll(person: "officer:\(id)@", except: token, nowMs: nowMs, in: db)
            try AccountAudit.record(db, .sessionsRevoked, account: "officer:\(id)", actor: identity.description, client: client,
                                    detail: "\(ended) phiên kết thúc", nowMs: nowMs)
            return ended
        }
    }

    /// The account events of officer `id`, newest first, for its administrator.
    public func events(id: String, by actor: CallerIdentity, limit: Int = 100) async throws -> [AccountAudit.Event] {
        let target = try await find(id)
        try Self.authorise(actor, over: target.officer.agencyCode)
        return try await database.read { db in try AccountAudit.events(of: "officer:\(id)", limit: limit, in: db) }
    }

    // MARK: Shared

    /// One change to officer `id`: authorised against the officer's own agency, made, its
    /// sessions ended and audited, all in one transaction.
    private func change(id: String, by actor: CallerIdentity, client: String, nowMs: Int64, kind: AccountAudit.Kind,
                        detail: String = "", _ update: @escaping @Sendable (any SQLConnection) throws -> Void) async throws -> Listed {
        let target = try await find(id)
        try Self.authorise(actor, over: target.officer.agencyCode)
        return try await database.write { db in
            try update(db)
            let ended = try SessionStore.revokeAll(person: "officer:\(id)@", except: nil, nowMs: nowMs, in: db)
            try AccountAudit.record(db, kind, account: "officer:\(id)", actor: actor.description, client: client,
                                    detail: [detail, "\(ended) phiên kết thúc"].filter { !$0.isEmpty }.joined(separator: "; "),
                                    nowMs: nowMs)
            guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM officer WHERE id = ?", arguments: [id]) else {
                throw RPCError(.notFound, "Không có cán bộ \(id).")
            }
            return Self.listed(row)
        }
    }

    private func find(_ id: String) async throws -> Listed {
        let found = try await database.read { db in
            try SQLRow.fetchOne(db, sql: "SELECT * FROM officer WHERE id = ?", arguments: [id]).map(Self.listed)
        }
        guard let found else {
            throw RPCError(.notFound, "Không có cán bộ \(id).", violations: [FieldViolation(field: "id", description: "Không có.")])
        }
        return found
    }

    /// Only an administrator of the officer's own agency, or the operator's tool
    /// (PERMISSION_DENIED otherwise, as `create`).
    static func authorise(_ actor: CallerIdentity, over agency: String) throws {
        switch actor {
        case .officer(_, let own, let roles) where own == agency && roles.contains("admin"): return
        case .system: return
        default:
            throw RPCError(.permissionDenied, "Chỉ quản trị viên của \(agency) mới quản lý được tài khoản cán bộ của cơ quan này.")
        }
    }

    static func checkPassword(_ password: String, field: String) throws {
        guard (12...128).contains(password.count) else {
            throw RPCError.invalidArgument(field: field, "Mật khẩu cán bộ dài từ 12 đến 128 ký tự.")
        }
    }

    static func listed(_ row: SQLRow) -> Listed {
        Listed(officer: Officer(id: row["id"], agencyCode: row["agency_code"],
                                roles: Set((row["roles"] as String).split(separator: ",").map(String.init)), fullName: row["full_name"]),
               disabled: (row["disabled_at_ms"] as Int64?) != nil, createdAtMs: row["created_at_ms"])
    }
}
