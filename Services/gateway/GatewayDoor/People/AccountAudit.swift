import Storage


/// The append-only record of what happened to people's accounts: sign-ins and failed ones,
/// registrations, password changes and resets, officers made, disabled, enabled or given other
/// roles, sessions revoked. Triggers refuse UPDATE and DELETE (`PeopleSchema`), so not even the
/// gateway's own code can rewrite it.
public enum AccountAudit {
    public enum Kind: String, Sendable {
        case signIn = "sign_in"
        case signInFailed = "sign_in_failed"
        case signInRefused = "sign_in_refused"
        case registered
        case registrationRepeated = "registration_repeated"
        case passwordChanged = "password_changed"
        case passwordReset = "password_reset"
        case officerCreated = "officer_created"
        case officerDisabled = "officer_disabled"
        case officerEnabled = "officer_enabled"
        case rolesChanged = "roles_changed"
        case sessionsRevoked = "sessions_revoked"
        /// An agency system's API key made or revoked (account "api_key:<id>"), by the operator's
        /// tool or the agency's administrator.
        case apiKeyCreated = "api_key_created"
        case apiKeyRevoked = "api_key_revoked"
        /// The account linked to the national electronic identity (docs/identity.md).
        case nationalIdentityLinked = "national_identity_linked"
    }

    public struct Event: Sendable, Equatable {
        public var atMs: Int64
        public var kind: String
        public var account: String
        public var actor: String
        public var client: String
        public var detail: String
    }

    /// `account` is "citizen:<id>" or "officer:<id>" (as typed, for a failed sign-in); `actor`
    /// who did it (the account itself, an administrator, the operator's tool).
    static func record(_ db: any SQLConnection, _ kind: Kind, account: String, actor: String, client: String,
                       detail: String = "", nowMs: Int64) throws {
        try db.execute(sql: """
            INSERT INTO account_event (at_ms, kind, account, actor, client, detail) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [nowMs, kind.rawValue, String(account.prefix(200)), actor, client, String(detail.prefix(500))])
    }

    /// The newest events of one account, newest first.
    static func events(of account: String, limit: Int, in db: any SQLConnection) throws -> [Event] {
        try SQLRow.fetchAll(db, sql: "SELECT * FROM account_event WHERE account = ? ORDER BY seq DESC LIMIT ?",
                         arguments: [account, limit]).map {
            Event(atMs: $0["at_ms"], kind: $0["kind"], account: $0["account"], actor: $0["actor"], client: $0["client"],
                  detail: $0["detail"])
        }
    }
}
