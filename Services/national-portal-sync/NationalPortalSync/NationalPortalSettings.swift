import Foundation
import ServiceKit

/// national-portal-sync's own settings, from its `--config` file or `DVC_<KEY>` variables
/// (docs/national-portal.md, "Configuration"). The two secrets belong in the environment
/// (`DVC_NATIONAL_PORTAL_SIGNING_SECRET`, `DVC_NATIONAL_PORTAL_VERIFY_SECRET`), never on a command line.
public struct NationalPortalSettings: Sendable {
    /// The national portal's API root, e.g. `https://api.dichvucong.gov.vn` (the sandbox's address in tests).
    public var portalURL: URL
    /// Who we are to the portal (the province's code), sent as `X-DVCQG-Client`.
    public var clientID: String
    /// Who the portal is to us: the client id its requests must carry.
    public var portalClientID: String
    /// Signs our requests to the portal.
    public var signingSecret: String
    /// Verifies the portal's requests to us.
    public var verifySecret: String
    /// How far a request's timestamp may be from our clock, either way.
    public var windowSeconds: Int64
    /// The first retry of a report after a failure, and the longest wait between two.
    public var retryInitial: Duration
    public var retryMaximum: Duration

    public init(_ extra: [String: String]) throws {
        func required(_ key: String) throws -> String {
            guard let value = extra[key], !value.isEmpty else {
                throw ServiceSettings.InvalidSetting(description: "national-portal-sync needs \(key) (config key, or DVC_\(key.uppercased()))")
            }
            return value
        }
        func positive(_ key: String, _ fallback: Int) throws -> Int {
            guard let text = extra[key] else { return fallback }
            guard let value = Int(text), value > 0 else {
                throw ServiceSettings.InvalidSetting(description: "\(key): '\(text)' is not a positive whole number")
            }
            return value
        }
        let url = try required("national_portal_url")
        guard let parsed = URL(string: url), parsed.scheme == "http" || parsed.scheme == "https", parsed.host != nil else {
            throw ServiceSettings.InvalidSetting(description: "national_portal_url: '\(url)' is not an http(s) URL")
        }
        portalURL = parsed
        clientID = try required("national_portal_client")
        portalClientID = extra["national_portal_peer"] ?? "dvcqg"
        signingSecret = try Self.secret(required("national_portal_signing_secret"), key: "national_portal_signing_secret")
        verifySecret = try Self.secret(required("national_portal_verify_secret"), key: "national_portal_verify_secret")
        windowSeconds = Int64(try positive("signature_window_seconds", 300))
        retryInitial = .milliseconds(try positive("report_retry_initial_ms", 500))
        retryMaximum = .milliseconds(try positive("report_retry_max_ms", 300_000))
    }

    /// A secret anyone could guess lets them deliver dossiers as the portal or report as the
    /// province (`ServiceSettings.strongSecret`).
    static func secret(_ value: String, key: String) throws -> String {
        try ServiceSettings.strongSecret(value, key: key, issuedBy: "the secret agreed with the national portal")
    }
}
