import Foundation
import JWTKit

/// Checks an ID token as OpenID Connect Core 1.0 §3.1.3.7 asks of a client using the
/// authorization code flow: the signature with one of the provider's published keys (only
/// asymmetric algorithms; never `none`, never a shared secret), the issuer, the audience (and
/// `azp` when there are several), the expiry and issue time with a small leeway for clocks,
/// and the nonce this browser's sign-in sent. The citizen's number is read only from a token
/// that passed all of these.
public struct IDTokenVerifier: Sendable {
    public let issuer: String
    public let clientID: String
    public let keys: ProviderKeys
    public let leewaySeconds: Int

    /// Signatures by a private key only: a symmetric `HS*` token could be made by anyone who
    /// knows the client secret, and `none` by anyone at all.
    static let algorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]

    public init(issuer: String, clientID: String, keys: ProviderKeys, leewaySeconds: Int = 60) {
        self.issuer = issuer
        self.clientID = clientID
        self.keys = keys
        self.leewaySeconds = leewaySeconds
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case malformed
        case algorithm(String)
        case unknownKey(String)
        case keysUnavailable
        case signature
        case issuer(String)
        case audience
        case expired
        case issuedInTheFuture
        case nonce

        /// What the log says (never shown to the citizen as such).
        public var description: String {
            switch self {
            case .malformed: "the ID token is not a signed JWT"
            case .algorithm(let alg): "the ID token is signed with '\(alg)', not an asymmetric algorithm"
            case .unknownKey(let kid): "the ID token's key '\(kid)' is not among the provider's published keys"
            case .keysUnavailable: "the provider's keys could not be fetched"
            case .signature: "the ID token's signature does not verify"
            case .issuer(let iss): "the ID token's issuer '\(iss)' is not the configured one"
            case .audience: "the ID token is not meant for this client"
            case .expired: "the ID token has expired"
            case .issuedInTheFuture: "the ID token was issued in the future"
            case .nonce: "the ID token's nonce is not this sign-in's"
            }
        }
    }

    /// The verified claims, or why the token is refused.
    public func verify(_ token: String, nonce: String, now: Date = Date()) async throws(Refusal) -> IDTokenClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Self.base64URLDecode(parts[0]),
              let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else { throw Refusal.malformed }
        let alg = header["alg"] as? String ?? ""
        guard Self.algorithms.contains(alg) else { throw Refusal.algorithm(alg) }
        guard let kid = header["kid"] as? String, !kid.isEmpty else { throw Refusal.unknownKey("") }
        let collection: JWTKeyCollection
        do {
            collection = try await keys.keys(holding: kid)
        } catch {
            switch error {
            case .unknownKey(let kid): throw Refusal.unknownKey(kid)
            case .unavailable: throw Refusal.keysUnavailable
            }
        }
        let claims: IDTokenClaims
        do {
            claims = try await collection.verify(token, as: IDTokenClaims.self)
        } catch {
            throw Refusal.signature
        }
        try check(claims, nonce: nonce, now: now)
        return claims
    }

    /// The checks on the claims of a token whose signature verified.
    func check(_ claims: IDTokenClaims, nonce: String, now: Date) throws(Refusal) {
        let iss = claims["iss"] ?? ""
        guard iss == issuer else { throw Refusal.issuer(iss) }
        guard claims.audience.contains(clientID) else { throw Refusal.audience }
        // With more than one audience the token must say it was issued to this client.
        if claims.audience.count > 1 || claims["azp"] != nil {
            guard claims["azp"] == clientID else { throw Refusal.audience }
        }
        let seconds = now.timeIntervalSince1970
        let leeway = Double(leewaySeconds)
        guard let exp = claims.expiresAt, seconds < exp + leeway else { throw Refusal.expired }
        guard let iat = claims.issuedAt, iat <= seconds + leeway else { throw Refusal.issuedInTheFuture }
        guard let sent = claims["nonce"], Secrets.equal(Array(sent.utf8), Array(nonce.utf8)) else { throw Refusal.nonce }
    }

    static func base64URLDecode(_ text: some StringProtocol) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
