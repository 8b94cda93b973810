import Foundation
import Logging
import Storage
import Synchronization

/// Citizens' sign-in with the national electronic identity (VNeID, Decree 69/2024/NĐ-CP) over
/// OpenID Connect: the authorization code flow with PKCE (S256), `state` and `nonce`
/// (docs/identity.md). `begin` makes the provider's address for one browser; `finish` takes
/// the provider's answer back, exchanges the code once, verifies the ID token
/// (`IDTokenVerifier`) and reads the citizen's number from the configured claim of the verified
/// token only — never from anything the browser sends. It also keeps which account each
/// national identity is linked to (`NationalIdentityLinks`).
public final class NationalIdentity: Sendable {
    /// Where the provider sends the browser back (the redirect URI's path).
    public static let callbackPath = "/dang-nhap/vneid/ve"

    public enum Purpose: Sendable, Equatable {
        /// Sign in (a first sign-in makes or links the account, `NationalIdentityLinks`).
        case signIn
        /// A citizen signed in with a password links their account.
        case link(CitizenID)

        var text: String {
            switch self {
            case .signIn: "sign_in"
            case .link(let id): "link:\(id.digits)"
            }
        }

        init?(_ text: String) {
            if text == "sign_in" { self = .signIn; return }
            guard text.hasPrefix("link:"), let id = try? CitizenID(String(text.dropFirst(5))) else { return nil }
            self = .link(id)
        }
    }

    public struct Started: Sendable {
        /// The provider's authorization endpoint with this sign-in's parameters.
        public var authorizationURL: String
        /// Goes to the browser as a cookie; `finish` needs it back.
        public var browserToken: String
    }

    public struct Finished: Sendable {
        public var citizen: CitizenID
        public var idToken: String
        public var purpose: Purpose
        /// The portal page to go on to.
        public var next: String
        /// Whether this sign-in linked an existing password account.
        public var linked: Bool
    }

    /// A sign-in refused: `message` for the citizen (Vietnamese), `reason` for the log.
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public var message: String
        public var reason: String
        public var description: String { reason }

        public init(message: String, reason: String) {
            self.message = message
            self.reason = reason
        }

        static let expiredState = Refusal(
            message: "Phiên đăng nhập bằng VNeID đã hết hạn hoặc đã được dùng. Vui lòng đăng nhập lại.",
            reason: "unknown, used, expired or other browser's state")
        static func unavailable(_ reason: String) -> Refusal {
            Refusal(message: "Chưa kết nối được với hệ thống định danh điện tử; vui lòng thử lại sau.", reason: reason)
        }
        static func token(_ refusal: IDTokenVerifier.Refusal) -> Refusal {
            Refusal(message: "Thông tin định danh nhận được không hợp lệ (chữ ký, thời hạn hoặc nơi nhận không đúng). Chưa đăng nhập.",
                    reason: refusal.description)
        }
    }

    public let settings: NationalIdentitySettings
    let pending: PendingSignIns
    let links: NationalIdentityLinks
    let database: ServiceDatabase
    let portalURL: @Sendable () -> String?
    let logger: Logger
    /// The provider's document and the verifier built on its keys, once fetched.
    private let provider = Mutex<(document: ProviderDocument, verifier: IDTokenVerifier)?>(nil)

    /// `portalURL`: the portal's public address (for the default redirect URIs).
    public init(settings: NationalIdentitySettings, database: ServiceDatabase, portalURL: @escaping @Sendable () -> String?,
                logger: Logger) {
        self.settings = settings
        self.database = database
        self.portalURL = portalURL
        self.logger = logger
        pending = PendingSignIns(database: database)
        links = NationalIdentityLinks(database: database)
    }

    /// The redirect URI registered with the provider.
    public var redirectURI: String {
        settings.redirectURI ?? ((portalURL() ?? "") + Self.callbackPath)
    }

    var postLogoutRedirectURI: String {
        settings.postLogoutRedirectURI ?? ((portalURL() ?? "") + "/")
    }

    /// The provider's document and verifier: fetched on first need and kept; a failed fetch
    /// is tried again at the next sign-in (the gateway starts whether or not the provider answers).
    func connected() async throws(Refusal) -> (document: ProviderDocument, verifier: IDTokenVerifier) {
        if let known = provider.withLock({ $0 }) { return known }
        let document: ProviderDocument
        do {
            document = try await ProviderDocument.fetch(issuer: settings.issuer)
        } catch {
            logger.error("national identity provider not reachable", metadata: ["error": "\(error)"])
            throw Refusal.unavailable("discovery: \(error)")
        }
        let jwksURI = document.jwksURI
        let keys = ProviderKeys(minimumInterval: .seconds(settings.keysRefetchSeconds)) {
            try await ProviderHTTP.get(jwksURI)
        }
        let verifier = IDTokenVerifier(issuer: settings.issuer, clientID: settings.clientID, keys: keys,
                                       leewaySeconds: settings.leewaySeconds)
        return provider.withLock { known -> (document: ProviderDocument, verifier: IDTokenVerifier) in
            if let known { return known }
            known = (document, verifier)
            return (document, verifier)
        }
    }

    /// A new sign-in for one browser: the provider's address to send it to, and the cookie
    /// that binds the answer to this browser.
    public func begin(_ purpose: Purpose, next: String, nowMs: Int64 = SessionStore.nowMs()) async throws -> Started {
        let (document, _) = try await connected()
        let state = Secrets.randomBase64URL(byteCount: 32)
        let nonce = Secrets.randomBase64URL(byteCount: 32)
        let verifier = PKCE.verifier()
        let browser = Secrets.randomBase64URL(byteCount: 32)
        try await pending.add(state: state, browser: browser,
                              .init(nonce: nonce, codeVerifier: verifier, purpose: purpose.text, next: next), nowMs: nowMs)
        let query = [
            ("response_type", "code"), ("client_id", settings.clientID), ("redirect_uri", redirectURI),
            ("scope", settings.scope), ("state", state), ("nonce", nonce),
            ("code_challenge", PKCE.challenge(for: verifier)), ("code_challenge_method", "S256"),
        ].map { "\($0.0)=\(ProviderHTTP.formEncode($0.1))" }.joined(separator: "&")
        let separator = document.authorizationEndpoint.contains("?") ? "&" : "?"
        return Started(authorizationURL: document.authorizationEndpoint + separator + query, browserToken: browser)
    }

    /// The provider's answer (`code` and `state` from the callback's query) in the browser
    /// holding `browserToken`: the citizen it proves, after every check.
    public func finish(code: String, state: String, browserToken: String, client: String,
                       now: Date = Date()) async throws(Refusal) -> Finished {
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        let taken: PendingSignIns.Pending?
        do {
            taken = try await pending.take(state: state, browser: browserToken, nowMs: nowMs)
        } catch {
            throw Refusal.unavailable("pending sign-ins: \(error)")
        }
        guard let taken, let purpose = Purpose(taken.purpose) else { throw Refusal.expiredState }
        let (document, verifier) = try await connected()
        let idToken = try await exchange(code: code, verifier: taken.codeVerifier, at: document.tokenEndpoint)
        let claims: IDTokenClaims
        do {
            claims = try await verifier.verify(idToken, nonce: taken.nonce, now: now)
        } catch {
            logger.warning("national identity token refused", metadata: ["reason": "\(error)"])
            throw Refusal.token(error)
        }
        let citizen: CitizenID
        do {
            citizen = try CitizenID(claims[settings.idClaim] ?? "", now: now)
        } catch {
            logger.warning("national identity token without a valid ID number", metadata: ["claim": "\(settings.idClaim)"])
            throw Refusal(message: "Thông tin định danh không có số định danh cá nhân hợp lệ: \(error.description)",
                          reason: "claim \(settings.idClaim): \(error)")
        }
        let linked = try await links.admit(citizen, issuer: settings.issuer, subject: claims["sub"] ?? "", purpose: purpose,
                                           fullName: claims["name"] ?? "", client: client, nowMs: nowMs)
        return Finished(citizen: citizen, idToken: idToken, purpose: purpose, next: taken.next, linked: linked)
    }

    /// The code for tokens at the token endpoint, once: the provider refuses a code used before.
    func exchange(code: String, verifier: String, at endpoint: String) async throws(Refusal) -> String {
        guard !code.isEmpty, code.utf8.count <= 2048 else { throw Refusal.expiredState }
        var form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", verifier)]
        if settings.clientSecret == nil { form.append(("client_id", settings.clientID)) }
        let answered: (status: Int, body: Data)
        do {
            answered = try await ProviderHTTP.post(endpoint, form: form,
                                                   basic: settings.clientSecret.map { (user: settings.clientID, password: $0) })
        } catch {
            throw Refusal.unavailable("token endpoint: \(error)")
        }
        let (status, body) = answered
        let answer = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        guard status == 200, let idToken = answer["id_token"] as? String else {
            let error = answer["error"] as? String ?? "status \(status)"
            logger.warning("national identity provider refused the code", metadata: ["error": "\(error)"])
            throw Refusal(message: "Hệ thống định danh điện tử không chấp nhận mã xác thực (mã đã dùng hoặc đã hết hạn). Vui lòng đăng nhập lại.",
                          reason: "token endpoint: \(error)")
        }
        return idToken
    }

    /// Keeps a session's ID token for the provider's sign-out (`id_token_hint`).
    public func remember(idToken: String, forSession token: String, expiresAtMs: Int64) async throws {
        let nowMs = SessionStore.nowMs()
        try await database.write { db in
            // Sessions that ended by expiring, never signed out, go as new ones come.
            try db.execute(sql: "DELETE FROM oidc_session WHERE expires_at_ms <= ?", arguments: [nowMs])
            try db.execute(sql: """
                INSERT INTO oidc_session (token_sha256, id_token, expires_at_ms) VALUES (?, ?, ?)
                ON CONFLICT (token_sha256) DO UPDATE SET id_token = excluded.id_token, expires_at_ms = excluded.expires_at_ms
                """,
                           arguments: [SessionStore.digest(token), idToken, expiresAtMs])
        }
    }

    /// For a session that began with the national identity: the provider's sign-out address
    /// (RP-initiated logout with `id_token_hint` and `post_logout_redirect_uri`); nil for any
    /// other session or a provider without one. The kept token is forgotten.
    public func signOutURL(forSession token: String, nowMs: Int64 = SessionStore.nowMs()) async throws -> String? {
        let digest = SessionStore.digest(token)
        let idToken = try await database.write { db -> String? in
            let found = try String.fetchOne(db, sql: "SELECT id_token FROM oidc_session WHERE token_sha256 = ?", arguments: [digest])
            try db.execute(sql: "DELETE FROM oidc_session WHERE token_sha256 = ? OR expires_at_ms <= ?", arguments: [digest, nowMs])
            return found
        }
        guard let idToken, let endpoint = (try? await connected())?.document.endSessionEndpoint else { return nil }
        let query = [("id_token_hint", idToken), ("post_logout_redirect_uri", postLogoutRedirectURI), ("client_id", settings.clientID)]
            .map { "\($0.0)=\(ProviderHTTP.formEncode($0.1))" }.joined(separator: "&")
        return endpoint + (endpoint.contains("?") ? "&" : "?") + query
    }

    /// Whether a citizen's account is linked to a national identity (for their account page).
    public func isLinked(_ citizen: CitizenID) async throws -> Bool {
        try await links.isLinked(citizen)
    }
}
