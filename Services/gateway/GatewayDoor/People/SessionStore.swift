import Crypto
import Foundation
import RPCCore
import Storage

/// Sessions of people signed in: a random 256-bit token given once to the client (an HttpOnly
/// cookie in a browser, a bearer token for an API client), stored only as its SHA-256, with an
/// absolute expiry, an idle timeout for browsers, and revocation. A browser session also has a
/// CSRF token that every state-changing form must echo.
public struct SessionStore: Sendable {
    public enum Kind: String, Sendable { case browser, api }

    /// Made only by this store: a `Session` value is proof that its token was looked up.
    public struct Session: Sendable, Equatable {
        public private(set) var identity: CallerIdentity
        public private(set) var kind: Kind
        public private(set) var csrfToken: String
        public private(set) var expiresAtMs: Int64

        init(identity: CallerIdentity, kind: Kind, csrfToken: String, expiresAtMs: Int64) {
            self.identity = identity
            self.kind = kind
            self.csrfToken = csrfToken
            self.expiresAtMs = expiresAtMs
        }

        /// Whether `sent` is this browser session's CSRF token (never true for an API session,
        /// which has none).
        public func acceptsCSRF(_ sent: String) -> Bool {
            !csrfToken.isEmpty && Secrets.equal(sent.utf8, csrfToken.utf8)
        }
    }

    public struct Lifetimes: Sendable {
        /// A browser session ends this long after sign-in whatever happens.
        public var browserAbsolute: Duration = .seconds(12 * 3600)
        /// ... or after this long without a request.
        public var browserIdle: Duration = .seconds(30 * 60)
        /// An API token lives this long.
        public var api: Duration = .seconds(30 * 24 * 3600)
        public init() {}
    }

    let database: ServiceDatabase
    let lifetimes: Lifetimes

    public init(database: ServiceDatabase, lifetimes: Lifetimes = Lifetimes()) {
        self.database = database
        self.lifetimes = lifetimes
    }

    static func randomToken() -> String { Secrets.randomBase64URL(byteCount: 32) }

    static func digest(_ token: String) -> Data { Data(SHA256.hash(data: Data(token.utf8))) }

    public static func nowMs() -> Int64 { UnixMillis.now() }

    /// A new session for `identity`: the token (shown once) and the session.
    public func create(for identity: CallerIdentity, kind: Kind, nowMs: Int64 = SessionStore.nowMs()) async throws -> (token: String, session: Session) {
        let token = Self.randomToken()
        let lifetime = kind == .browser ? lifetimes.browserAbsolute : lifetimes.api
        let session = Session(identity: identity, kind: kind, csrfToken: kind == .browser ? Self.randomToken() : "",
                              expiresAtMs: nowMs + Int64(lifetime.components.seconds) * 1000)
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO session (token_sha256, identity, kind, csrf_token, created_at_ms, expires_at_ms, last_seen_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [Self.digest(token), identity.description, kind.rawValue, session.csrfToken, nowMs,
                                 session.expiresAtMs, nowMs])
        }
        return (token, session)
    }

    /// The live session a token stands for, or nil: unknown, revoked, expired, or (browser)
    /// idle too long. A read, not a write: a browser session's idle clock ("last seen") is
    /// moved on only when it is `touchInterval` old, so a person clicking through pages costs
    /// the database one small write every few seconds rather than one per request. The idle
    /// timeout can therefore end a session up to one interval early, never late.
    public func lookup(_ token: String, nowMs: Int64 = SessionStore.nowMs()) async throws -> Session? {
        guard !token.isEmpty, token.utf8.count <= 100 else { return nil }
        let digest = Self.digest(token)
        let idleMs = Int64(lifetimes.browserIdle.components.seconds) * 1000
        let found = try await database.read { db -> (session: Session, lastSeenMs: Int64)? in
            guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM session WHERE token_sha256 = ?", arguments: [digest]),
                  (row["revoked_at_ms"] as Int64?) == nil, (row["expires_at_ms"] as Int64) > nowMs,
                  let kind = Kind(rawValue: row["kind"]), let identity = CallerIdentity(row["identity"] as String) else { return nil }
            let session = Session(identity: identity, kind: kind, csrfToken: row["csrf_token"], expiresAtMs: row["expires_at_ms"])
            return (session, row["last_seen_ms"])
        }
        guard let found else { return nil }
        guard found.session.kind == .browser else { return found.session }
        guard found.lastSeenMs + idleMs > nowMs else { return nil }
        if nowMs - found.lastSeenMs >= Self.touchInterval(idleMs: idleMs) {
            try await database.write { db in
                try db.execute(sql: "UPDATE session SET last_seen_ms = ? WHERE token_sha256 = ? AND last_seen_ms < ?",
                               arguments: [nowMs, digest, nowMs])
            }
        }
        return found.session
    }

    /// How old "last seen" may get before a request moves it on: 5 s, or a quarter of a short
    /// idle timeout.
    static func touchInterval(idleMs: Int64) -> Int64 { min(5_000, idleMs / 4) }

    /// Ends a session (sign-out); false when there was none.
    @discardableResult
    public func revoke(_ token: String, nowMs: Int64 = SessionStore.nowMs()) async throws -> Bool {
        let digest = Self.digest(token)
        return try await database.write { db in
            try db.execute(sql: "UPDATE session SET revoked_at_ms = ? WHERE token_sha256 = ? AND revoked_at_ms IS NULL",
                           arguments: [nowMs, digest])
            return db.changesCount == 1
        }
    }

    /// Ends every session of one person (a password change, an officer disabled).
    @discardableResult
    public func revokeAll(of identity: CallerIdentity, nowMs: Int64 = SessionStore.nowMs()) async throws -> Int {
        try await database.write { db in
            try Self.revokeAll(person: Self.person(identity), except: nil, nowMs: nowMs, in: db)
        }
    }

    /// How the sessions of one person are found whatever roles they were signed in with:
    /// `citizen:<id>`, or `officer:<id>@` (an officer's identity text goes on with the agency
    /// and the roles of the moment of sign-in).
    static func person(_ identity: CallerIdentity) -> String {
        switch identity {
        case .citizen(let id): "citizen:\(id)"
        case .officer(let id, _, _): "officer:\(id)@"
        case .agencySystem, .system: identity.description
        }
    }

    /// Ends, in the caller's transaction, every live session of `person` (see `person(_:)`)
    /// but the one of token `except`; how many ended.
    @discardableResult
    static func revokeAll(person: String, except token: String?, nowMs: Int64, in db: any SQLConnection) throws -> Int {
        // A prefix compared as text, not LIKE: an officer id may hold '_', which LIKE reads as a wildcard.
        try db.execute(sql: """
            UPDATE session SET revoked_at_ms = ?
            WHERE substr(identity, 1, length(CAST(? AS TEXT))) = ? AND revoked_at_ms IS NULL AND token_sha256 IS DISTINCT FROM ?
            """, arguments: [nowMs, person, person, token.map(Self.digest)])
        return db.changesCount
    }
}
