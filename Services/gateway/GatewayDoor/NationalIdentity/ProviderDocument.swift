import Foundation

/// What the gateway needs of the provider's discovery document
/// (`<issuer>/.well-known/openid-configuration`, OpenID Connect Discovery 1.0).
public struct ProviderDocument: Decodable, Sendable, Equatable {
    public var issuer: String
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    public var jwksURI: String
    /// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0); nil when not offered.
    public var endSessionEndpoint: String?
    public var codeChallengeMethods: [String]?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case endSessionEndpoint = "end_session_endpoint"
        case codeChallengeMethods = "code_challenge_methods_supported"
    }

    /// The document of `issuer`, checked: its `issuer` must be exactly the configured one
    /// (Discovery §4.3: a document served for one issuer naming another is refused), every
    /// endpoint https (or loopback http), and S256 among the PKCE methods when it lists them.
    static func fetch(issuer: String) async throws -> ProviderDocument {
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let data = try await ProviderHTTP.get(base + "/.well-known/openid-configuration")
        let document = try JSONDecoder().decode(ProviderDocument.self, from: data)
        guard document.issuer == issuer else {
            throw ProviderHTTP.Failure(description: "the discovery document names issuer '\(document.issuer)', not '\(issuer)'")
        }
        for endpoint in [document.authorizationEndpoint, document.tokenEndpoint, document.jwksURI] + [document.endSessionEndpoint].compactMap({ $0 })
        where !NationalIdentitySettings.secureOrLoopback(endpoint) {
            throw ProviderHTTP.Failure(description: "the discovery document's endpoint '\(endpoint)' is not https")
        }
        if let methods = document.codeChallengeMethods, !methods.contains("S256") {
            throw ProviderHTTP.Failure(description: "the provider does not offer PKCE with S256")
        }
        return document
    }
}
