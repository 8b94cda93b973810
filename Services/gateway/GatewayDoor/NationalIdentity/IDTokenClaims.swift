import Foundation
import JWTKit

/// The claims of an OpenID Connect ID token as they came: the string-valued ones by name (the
/// citizen's number may be in any claim the operator names, `oidc_id_claim`), the audience as
/// a list (a JWT's `aud` is a string or an array), the times as seconds since 1970. Decoding
/// checks nothing: `IDTokenVerifier` does, after the signature.
public struct IDTokenClaims: JWTPayload, Equatable {
    public var strings: [String: String]
    public var audience: [String]
    public var expiresAt: Double?
    public var issuedAt: Double?

    public init(strings: [String: String], audience: [String], expiresAt: Double?, issuedAt: Double?) {
        self.strings = strings
        self.audience = audience
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
    }

    public subscript(_ name: String) -> String? { strings[name] }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var strings: [String: String] = [:]
        var audience: [String] = []
        var expiresAt: Double?
        var issuedAt: Double?
        for key in container.allKeys {
            switch key.stringValue {
            case "aud":
                if let one = try? container.decode(String.self, forKey: key) {
                    audience = [one]
                } else {
                    audience = (try? container.decode([String].self, forKey: key)) ?? []
                }
            case "exp":
                expiresAt = try? container.decode(Double.self, forKey: key)
            case "iat":
                issuedAt = try? container.decode(Double.self, forKey: key)
            default:
                // A number is kept as its digits too: a provider may send the ID number as one.
                if let text = try? container.decode(String.self, forKey: key) {
                    strings[key.stringValue] = text
                } else if let number = try? container.decode(Int64.self, forKey: key) {
                    strings[key.stringValue] = String(number)
                }
            }
        }
        self.init(strings: strings, audience: audience, expiresAt: expiresAt, issuedAt: issuedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (name, value) in strings { try container.encode(value, forKey: Key(stringValue: name)) }
        if audience.count == 1 {
            try container.encode(audience[0], forKey: Key(stringValue: "aud"))
        } else if !audience.isEmpty {
            try container.encode(audience, forKey: Key(stringValue: "aud"))
        }
        if let expiresAt { try container.encode(expiresAt, forKey: Key(stringValue: "exp")) }
        if let issuedAt { try container.encode(issuedAt, forKey: Key(stringValue: "iat")) }
    }

    /// The claims are checked by `IDTokenVerifier` with the gateway's own rules and messages.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}
