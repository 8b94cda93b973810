/// The gateway's own settings from the config file (docs/gateway.md): `max_in_flight`,
/// `session_max_seconds`, `session_idle_seconds`, `api_token_seconds`, `rate_per_address`,
/// `rate_per_person`, `rate_per_key`, `rate_per_upload`, `large_bodies_mib`, `large_bodies_per_caller`,
/// `sign_in_per_address_per_minute`, `local_passwords` (on|off), and the national identity's
/// `oidc_*` keys (`NationalIdentitySettings`). A bad value stops the start with a message naming
/// the key.
public struct GatewaySettings: Sendable {
    /// A setting an operator must correct; names the key and the bad value.
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// Requests in flight over both doors before more are refused.
    public var maxInFlight = AdmissionLimit.defaultCapacity
    public var sessionLifetimes = SessionStore.Lifetimes()
    /// Requests a second per kind of client; a missing kind has its default, 0 turns it off.
    public var rates: [RateLimits.Kind: Double] = [:]
    /// Memory large request bodies may hold at once, and how many one caller may send at once
    /// (`LargeBodyBudget`).
    public var largeBodiesMiB = LargeBodyBudget.defaultMiB
    public var largeBodiesPerCaller = LargeBodyBudget.defaultPerCaller
    /// Sign-ins and registrations a minute from one address (`SignInGuard`); 0 turns it off.
    public var signInPerAddressPerMinute: Double = 20
    /// Citizens' own password accounts (registration and password sign-in); `local_passwords=off`
    /// leaves the national identity as the only way in for citizens (officers keep theirs).
    public var localPasswords = true
    /// Sign-in with the national electronic identity (VNeID) over OpenID Connect; nil: none.
    public var nationalIdentity: NationalIdentitySettings?

    public init() {}

    public init(_ extra: [String: String]) throws(Invalid) {
        if let text = extra["max_in_flight"] {
            guard let value = Int(text), value > 0 else {
                throw Invalid(description: "--config: max_in_flight must be a positive number of requests, not '\(text)'")
            }
            maxInFlight = value
        }
        if let text = extra["large_bodies_mib"] {
            guard let value = Int(text), value > 0, value <= 1 << 20 else {
                throw Invalid(description: "--config: large_bodies_mib must be a positive number of MiB, not '\(text)'")
            }
            largeBodiesMiB = value
        }
        if let text = extra["large_bodies_per_caller"] {
            guard let value = Int(text), value > 0 else {
                throw Invalid(description: "--config: large_bodies_per_caller must be a positive number of requests, not '\(text)'")
            }
            largeBodiesPerCaller = value
        }
        // A browser session ends `session_max_seconds` after sign-in (default 12 h) or after
        // `session_idle_seconds` without a request (default 30 min); an API client's token
        // lives `api_token_seconds` (default 30 days).
        func seconds(_ key: String) throws(Invalid) -> Duration? {
            guard let text = extra[key] else { return nil }
            guard let value = Int64(text), value > 0 else {
                throw Invalid(description: "--config: \(key) must be a positive number of seconds, not '\(text)'")
            }
            return .seconds(value)
        }
        sessionLifetimes.browserAbsolute = try seconds("session_max_seconds") ?? sessionLifetimes.browserAbsolute
        sessionLifetimes.browserIdle = try seconds("session_idle_seconds") ?? sessionLifetimes.browserIdle
        sessionLifetimes.api = try seconds("api_token_seconds") ?? sessionLifetimes.api
        for kind in RateLimits.Kind.allCases {
            guard let text = extra[kind.configKey] else { continue }
            guard let rate = Double(text), rate >= 0, rate.isFinite else {
                throw Invalid(description: "--config: \(kind.configKey) must be a number of requests a second (0: no limit), not '\(text)'")
            }
            rates[kind] = rate
        }
        if let text = extra["sign_in_per_address_per_minute"] {
            guard let rate = Double(text), rate >= 0, rate.isFinite else {
                throw Invalid(description: "--config: sign_in_per_address_per_minute must be a number of attempts a minute (0: no limit), not '\(text)'")
            }
            signInPerAddressPerMinute = rate
        }
        nationalIdentity = try NationalIdentitySettings.read(extra)
        if let text = extra["local_passwords"] {
            guard text == "on" || text == "off" else {
                throw Invalid(description: "--config: local_passwords must be on or off, not '\(text)'")
            }
            localPasswords = text == "on"
            // Off with no other way in would lock every citizen out.
            guard localPasswords || nationalIdentity != nil else {
                throw Invalid(description: "--config: local_passwords=off needs oidc_issuer: citizens would have no way to sign in")
            }
        }
    }
}
