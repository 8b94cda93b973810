import Crypto
import Foundation

/// The signature of one webhook request (docs/webhooks.md, "Verifying"):
///
///     X-DVC-Signature: t=<Unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
///
/// The key is the secret's UTF-8 text exactly as shown at registration ("whsec_…"). Signing
/// the time with the body lets a receiver refuse an old request replayed later (it checks
/// that `t` is recent) without keeping every event id forever.
enum WebhookSignature {
    static let header = "X-DVC-Signature"
    static let secretPrefix = "whsec_"

    /// A new secret: 256 random bits from the system's CSPRNG in unpadded base64url.
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return secretPrefix + text
    }

    /// The header's value for `body` sent at `unixSeconds`.
    static func value(secret: String, unixSeconds: Int64, body: Data) -> String {
        "t=\(unixSeconds),v1=\(hex(secret: secret, unixSeconds: unixSeconds, body: body))"
    }

    static func hex(secret: String, unixSeconds: Int64, body: Data) -> String {
        var signed = Data("\(unixSeconds).".utf8)
        signed.append(body)
        let code = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }
}
