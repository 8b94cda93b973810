import Foundation

/// How the gateway signs citizens in with the national electronic identity over OpenID Connect
/// (docs/identity.md), from the gateway's settings file: `oidc_issuer`, `oidc_client_id`,
/// `oidc_client_secret` or `oidc_client_secret_file`, `oidc_redirect_uri`, `oidc_id_claim`,
/// `oidc_scope`, `oidc_post_logout_redirect_uri`, `oidc_leeway_seconds`,
/// `oidc_keys_refetch_seconds`. Nil in `GatewaySettings` when `oidc_issuer` is not set.
public struct NationalIdentitySettings: Sendable {
    /// The provider's issuer identifier, exactly as its ID tokens and discovery document say it.
    public var issuer: String
    public var clientID: String
    /// Nil for a public client (PKCE alone); otherwise sent with HTTP Basic to the token endpoint.
    public var clientSecret: String?
    /// Where the provider sends the browser back; nil: the portal's own address (`public_url`,
    /// else where the HTTP side is bound) + `NationalIdentity.callbackPath`.
    public var redirectURI: String?
    /// The ID token claim holding the citizen's 12-digit personal identification number.
    public var idClaim = "sub"
    public var scope = "openid"
    /// Where the provider sends the browser after signing out; nil: the portal's home page.
    public var postLogoutRedirectURI: String?
    /// Clock difference tolerated on `exp` and `iat`.
    public var leewaySeconds = 60
    /// An unknown key id refetches the provider's keys at most this often.
    public var keysRefetchSeconds = 60

    public init(issuer: String, clientID: String) {
        self.issuer = issuer
        self.clientID = clientID
    }

    /// Reads the `oidc_*` keys; nil without `oidc_issuer`. A bad value names its key.
    static func read(_ extra: [String: String]) throws(GatewaySettings.Invalid) -> NationalIdentitySettings? {
        guard let issuer = extra["oidc_issuer"]?.trimmingCharacters(in: .whitespaces), !issuer.isEmpty else {
            let stray = extra.keys.filter { $0.hasPrefix("oidc_") }.sorted()
            if !stray.isEmpty {
                throw GatewaySettings.Invalid(description: "--config: \(stray.joined(separator: ", ")) given without oidc_issuer")
            }
            return nil
        }
        guard secureOrLoopback(issuer) else {
            throw GatewaySettings.Invalid(description: "--config: oidc_issuer must be an https URL (http only on loopback), not '\(issuer)'")
        }
        guard let client = extra["oidc_client_id"], !client.isEmpty else {
            throw GatewaySettings.Invalid(description: "--config: oidc_client_id is required with oidc_issuer")
        }
        var settings = NationalIdentitySettings(issuer: issuer, clientID: client)
        switch (extra["oidc_client_secret"], extra["oidc_client_secret_file"]) {
        case (.some, .some):
            throw GatewaySettings.Invalid(description: "--config: give oidc_client_secret or oidc_client_secret_file, not both")
        case (let secret?, nil):
            settings.clientSecret = secret
        case (nil, let path?):
            guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                  !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw GatewaySettings.Invalid(description: "--config: oidc_client_secret_file '\(path)' cannot be read or is empty")
            }
            settings.clientSecret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        case (nil, nil):
            break
        }
        for key in ["oidc_redirect_uri", "oidc_post_logout_redirect_uri"] {
            if let uri = extra[key], !secureOrLoopback(uri) {
                throw GatewaySettings.Invalid(description: "--config: \(key) must be an https URL (http only on loopback), not '\(uri)'")
            }
        }
        settings.redirectURI = extra["oidc_redirect_uri"]
        settings.postLogoutRedirectURI = extra["oidc_post_logout_redirect_uri"]
        if let claim = extra["oidc_id_claim"] {
            guard !claim.isEmpty, claim.count <= 100 else {
                throw GatewaySettings.Invalid(description: "--config: oidc_id_claim must name a claim, not '\(claim)'")
            }
            settings.idClaim = claim
        }
        if let scope = extra["oidc_scope"] {
            guard scope.split(separator: " ").contains("openid") else {
                throw GatewaySettings.Invalid(description: "--config: oidc_scope must contain openid, not '\(scope)'")
            }
            settings.scope = scope
        }
        if let text = extra["oidc_leeway_seconds"] {
            guard let value = Int(text), (0...300).contains(value) else {
                throw GatewaySettings.Invalid(description: "--config: oidc_leeway_seconds must be 0 to 300 seconds, not '\(text)'")
            }
            settings.leewaySeconds = value
        }
        if let text = extra["oidc_keys_refetch_seconds"] {
            guard let value = Int(text), (0...86_400).contains(value) else {
                throw GatewaySettings.Invalid(description: "--config: oidc_keys_refetch_seconds must be 0 to 86400 seconds, not '\(text)'")
            }
            settings.keysRefetchSeconds = value
        }
        return settings
    }

    /// https, or http to a loopback address (a provider started by a test or a developer).
    static func secureOrLoopback(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(),
              !host.isEmpty else { return false }
        if scheme == "https" { return true }
        // 127.0.0.0/8 as four numbers, not any name that starts with "127." (127.0.0.1.example.vn).
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        let loopbackIPv4 = octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
        return scheme == "http" && (host == "localhost" || host == "::1" || host == "[::1]" || loopbackIPv4)
    }
}
