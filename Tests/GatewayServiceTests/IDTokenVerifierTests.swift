import _CryptoExtras
import Foundation
@testable import GatewayDoor
import JWTKit
import Synchronization
import Testing

/// The ID token checks (OpenID Connect Core §3.1.3.7) on tokens signed here with keys made
/// here, served to the verifier as a JWK Set: the refusals a real provider would never produce
/// (a tampered token, another audience, an expired or withdrawn key, a wrong nonce) and key
/// rotation with the refetch limit. The whole flow against a real provider is
/// IntegrationTests/NationalIdentityBrowserTests.
@Suite struct IDTokenVerifierTests {
    static let issuer = "https://dinh-danh.example.vn"
    static let client = "cong-dvc"

    /// A signing key, its key id, and its public half as a JWK.
    struct Key {
        let kid: String
        let signer = JWTKeyCollection()
        let jwk: [String: String]

        init(kid: String) async throws {
            self.kid = kid
            let key = try Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
            await signer.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
            let (modulus, exponent) = try key.publicKey.getKeyPrimitives()
            jwk = ["kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
                   "n": Self.base64URL(modulus), "e": Self.base64URL(exponent)]
        }

        static func base64URL(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }

        func sign(_ claims: IDTokenClaims) async throws -> String {
            try await signer.sign(claims, kid: JWKIdentifier(string: kid))
        }
    }

    /// What the provider publishes, changeable between fetches; counts the fetches.
    final class Published: Sendable {
        let keys = Mutex<[[String: String]]>([])
        let fetched = Atomic<Int>(0)

        func fetch() throws -> Data {
            fetched.add(1, ordering: .relaxed)
            return try JSONSerialization.data(withJSONObject: ["keys": keys.withLock { $0 }])
        }
    }

    static func claims(nonce: String = "n-0", audience: [String] = [client], issuer: String = issuer, expiresIn: Double = 300,
                       now: Date = Date(), extra: [String: String] = [:]) -> IDTokenClaims {
        var strings = ["iss": issuer, "sub": "vneid-123", "nonce": nonce, "so_dinh_danh": "001099012345"]
        strings.merge(extra) { $1 }
        let seconds = now.timeIntervalSince1970
        return IDTokenClaims(strings: strings, audience: audience, expiresAt: seconds + expiresIn, issuedAt: seconds - 5)
    }

    static func verifier(_ published: Published, refetch: Duration = .zero) -> IDTokenVerifier {
        IDTokenVerifier(issuer: issuer, clientID: client,
                        keys: ProviderKeys(minimumInterval: refetch) { try published.fetch() }, leewaySeconds: 60)
    }

    static func refusal(_ verifier: IDTokenVerifier, _ token: String, nonce: String = "n-0",
                        now: Date = Date()) async -> IDTokenVerifier.Refusal? {
        do {
            _ = try await verifier.verify(token, nonce: nonce, now: now)
            return nil
        } catch {
            return error
        }
    }

    @Test("a good token gives its claims; tampered, another audience, another issuer, expired, wrong nonce, HS256 and none are refused")
    func refusals() async throws {
        let key = try await Key(kid: "k1")
        let published = Published()
        published.keys.withLock { $0 = [key.jwk] }
        let verifier = Self.verifier(published)

        let good = try await key.sign(Self.claims())
        let claims = try await verifier.verify(good, nonce: "n-0")
        #expect(claims["so_dinh_danh"] == "001099012345" && claims["sub"] == "vneid-123")

        // One character of the payload changed: the signature no longer covers it.
        var parts = good.split(separator: ".").map(String.init)
        let payload = try #require(IDTokenVerifier.base64URLDecode(parts[1]))
        let forged = String(decoding: payload, as: UTF8.self).replacingOccurrences(of: "001099012345", with: "001099054321")
        parts[1] = Key.base64URL(Data(forged.utf8))
        #expect(await Self.refusal(verifier, parts.joined(separator: ".")) == .signature)
        #expect(await Self.refusal(verifier, "khong.phai.jwt") == .malformed)

        #expect(await Self.refusal(verifier, try await key.sign(Self.claims(audience: ["cong-khac"]))) == .audience)
        // Several audiences need azp naming this client.
        #expect(await Self.refusal(verifier, try await key.sign(Self.claims(audience: [Self.client, "khac"]))) == .audience)
        #expect(await Self.refusal(verifier, try await key.sign(Self.claims(audience: [Self.client, "khac"], extra: ["azp": Self.client]))) == nil)
        #expect(await Self.refusal(verifier, try await key.sign(Self.claims(issuer: "https://gia-mao.example"))) == .issuer("https://gia-mao.example"))
        #expect(await Self.refusal(verifier, good, nonce: "n-khac") == .nonce)

        // Expired: refused past the leeway, accepted within it.
        let old = try await key.sign(Self.claims(expiresIn: -120))
        #expect(await Self.refusal(verifier, old) == .expired)
        #expect(await Self.refusal(verifier, try await key.sign(Self.claims(expiresIn: -30))) == nil)
        // Issued well in the future.
        #expect(await Self.refusal(verifier, try await key.sign(Self.claims(now: Date().addingTimeInterval(600)))) == .issuedInTheFuture)

        // A symmetric or unsigned token, whatever it says.
        let hmac = JWTKeyCollection()
        await hmac.add(hmac: "bi-mat-cua-cong-du-dai-32-byte-tro-len", digestAlgorithm: .sha256, kid: "k1")
        #expect(await Self.refusal(verifier, try await hmac.sign(Self.claims(), kid: "k1")) == .algorithm("HS256"))
        let header = Key.base64URL(Data(#"{"alg":"none","kid":"k1"}"#.utf8))
        #expect(await Self.refusal(verifier, "\(header).\(parts[1]).") == .algorithm("none"))
    }

    @Test("a new key id fetches the keys again (rotation); a withdrawn key is refused; made-up key ids fetch at most once an interval")
    func rotation() async throws {
        let first = try await Key(kid: "k1")
        let second = try await Key(kid: "k2")
        let published = Published()
        published.keys.withLock { $0 = [first.jwk] }
        let verifier = Self.verifier(published)
        _ = try await verifier.verify(try await first.sign(Self.claims()), nonce: "n-0")
        #expect(published.fetched.load(ordering: .relaxed) == 1)

        // The provider rotates: the new key signs, the old one is still published.
        published.keys.withLock { $0 = [second.jwk, first.jwk] }
        _ = try await verifier.verify(try await second.sign(Self.claims()), nonce: "n-0")
        _ = try await verifier.verify(try await first.sign(Self.claims()), nonce: "n-0")
        #expect(published.fetched.load(ordering: .relaxed) == 2)

        // The old key is withdrawn: once the set is fetched again, its tokens are refused.
        published.keys.withLock { $0 = [second.jwk] }
        #expect(await Self.refusal(verifier, try await first.sign(Self.claims())) == nil, "still trusted until the set is fetched again")
        let third = try await Key(kid: "k3")
        #expect(await Self.refusal(verifier, try await third.sign(Self.claims())) == .unknownKey("k3"))
        #expect(await Self.refusal(verifier, try await first.sign(Self.claims())) == .unknownKey("k1"))

        // With a refetch interval, a flood of unknown key ids costs one fetch.
        let limited = Self.verifier(published, refetch: .seconds(60))
        let before = published.fetched.load(ordering: .relaxed)
        for kid in ["x1", "x2", "x3", "x4"] {
            let stranger = try await Key(kid: kid)
            #expect(await Self.refusal(limited, try await stranger.sign(Self.claims())) == .unknownKey(kid))
        }
        #expect(published.fetched.load(ordering: .relaxed) == before + 1)
    }

    @Test("PKCE S256 as in RFC 7636 Appendix B")
    func pkce() {
        #expect(PKCE.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        let verifier = PKCE.verifier()
        #expect(verifier.count == 43 && verifier != PKCE.verifier())
    }
}
