import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636) with S256: a random verifier kept by the gateway,
/// its SHA-256 sent with the authorization request. A code stolen on its way back through the
/// browser is useless without the verifier, which never leaves the gateway.
enum PKCE {
    /// 32 random bytes as base64url: 43 characters, within RFC 7636's 43 to 128.
    static func verifier() -> String { Secrets.randomBase64URL(byteCount: 32) }

    static func challenge(for verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
