import Crypto
import Foundation

/// An agency system's credential: bound to one agency, with the scopes that say for whom it
/// may act. The secret is shown once, when the key is made; the gateway keeps only its
/// SHA-256 (the secret is 256 random bits, so a fast hash is enough: there is nothing to
/// guess from a leaked digest).
public struct APIKey: Sendable, Hashable {
    /// For whom, besides itself, a system may act (`x-dvc-on-behalf-of`).
    public enum Scope: String, Sendable, Hashable, CaseIterable {
        /// For citizens the system authenticated itself (a portal of the agency).
        case citizens
        /// For officers of its own agency (the agency's case-management software).
        case officers
    }

    /// Public and short, e.g. "k3f9a0c21be7d"; logged, never secret.
    public var id: String
    public var agencyCode: String
    public var scopes: Set<Scope>
    public var label: String
    public var createdAtMs: Int64
    public var revokedAtMs: Int64?
    /// "system:gateway-cli" for the operator's keys, the administrator's identity for theirs.
    public var createdBy: String = ""
    public var revokedBy: String = ""

    public var isRevoked: Bool { revokedAtMs != nil }

    public init(id: String, agencyCode: String, scopes: Set<Scope>, label: String, createdAtMs: Int64, revokedAtMs: Int64? = nil) {
        self.id = id
        self.agencyCode = agencyCode
        self.scopes = scopes
        self.label = label
        self.createdAtMs = createdAtMs
        self.revokedAtMs = revokedAtMs
    }

    /// "citizens,officers" → the scopes; nil when a name is unknown (a typo grants nothing and
    /// is reported rather than dropped).
    public static func scopes(_ text: String) -> Set<Scope>? {
        var scopes: Set<Scope> = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let scope = Scope(rawValue: name) else { return nil }
            scopes.insert(scope)
        }
        return scopes
    }
}

/// What a caller presents: `authorization: ApiKey <id>.<secret>`.
public struct APIKeyToken: Sendable, Hashable, CustomStringConvertible {
    public static let scheme = "ApiKey"

    public var id: String
    public var secret: String

    /// A new token from the system's CSPRNG: a 12-hex-digit id after "k" and a 256-bit secret
    /// in unpadded base64url.
    public static func generate() -> APIKeyToken {
        var generator = SystemRandomNumberGenerator()
        let idBytes = (0..<6).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let id = "k" + idBytes.map { String(format: "%02x", $0) }.joined()
        return APIKeyToken(id: id, secret: Secrets.randomBase64URL(byteCount: 32))
    }

    public init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// Reads "<id>.<secret>"; nil for anything else (including an empty part).
    public init?(_ text: String) {
        guard let dot = text.firstIndex(of: "."), text.utf8.count <= 200 else { return nil }
        let id = String(text[..<dot])
        let secret = String(text[text.index(after: dot)...])
        let allowed = { (c: UInt8) in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F
        }
        guard !id.isEmpty, !secret.isEmpty, id.utf8.allSatisfy(allowed), secret.utf8.allSatisfy(allowed) else { return nil }
        self.init(id: id, secret: secret)
    }

    /// Reads an `authorization` value "ApiKey <id>.<secret>" (the scheme in any case).
    public init?(authorization value: String) {
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == Self.scheme.lowercased() else { return nil }
        self.init(parts[1].trimmingCharacters(in: .whitespaces))
    }

    public var description: String { "\(id).\(secret)" }

    /// The `authorization` value to send.
    public var authorization: String { "\(Self.scheme) \(description)" }

    /// What the gateway stores of the secret.
    public var secretDigest: Data { Data(SHA256.hash(data: Data(secret.utf8))) }
}
