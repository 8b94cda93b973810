import Crypto
import Foundation

/// The signature every request between the platform and the national portal carries, in both
/// directions (docs/national-portal.md, "Signed requests"): HMAC-SHA256 with the sender's
/// shared secret over a canonical form of the request, with a timestamp and a nonce against
/// replay.
///
/// Canonical form, lines joined with "\n":
/// `DVCQG-HMAC-SHA256`, the method, the path with its query, the client id, the timestamp
/// (Unix seconds), the nonce, the SHA-256 of the body (hex, lowercase).
public struct PortalSignature: Sendable, Hashable {
    public static let clientHeader = "X-DVCQG-Client"
    public static let timestampHeader = "X-DVCQG-Timestamp"
    public static let nonceHeader = "X-DVCQG-Nonce"
    public static let signatureHeader = "X-DVCQG-Signature"

    public var client: String
    public var timestamp: Int64
    public var nonce: String
    public var signature: String

    public static func canonical(method: String, path: String, client: String, timestamp: Int64, nonce: String, body: Data) -> String {
        let bodyHash = SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        return ["DVCQG-HMAC-SHA256", method.uppercased(), path, client, String(timestamp), nonce, bodyHash].joined(separator: "\n")
    }

    public static func mac(_ canonical: String, secret: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(canonical.utf8), using: SymmetricKey(data: Data(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    /// Signs a request now, with a fresh nonce: the four headers to send.
    public static func sign(method: String, path: String, body: Data, client: String, secret: String,
                            now: Int64 = Int64(Date().timeIntervalSince1970), nonce: String = UUID().uuidString.lowercased()) -> [String: String] {
        let signature = mac(canonical(method: method, path: path, client: client, timestamp: now, nonce: nonce, body: body), secret: secret)
        return [clientHeader: client, timestampHeader: String(now), nonceHeader: nonce, signatureHeader: signature]
    }

    /// Why a request is refused; `nil` when its signature, client and time are right (the
    /// nonce's novelty is checked apart, against what was seen: `NonceBook`).
    public static func problem(method: String, path: String, body: Data, headers: [String: String], expectedClient: String,
                               secret: String, windowSeconds: Int64, now: Int64 = Int64(Date().timeIntervalSince1970)) -> String? {
        guard let client = headers[clientHeader], let stamp = headers[timestampHeader], let nonce = headers[nonceHeader],
              let signature = headers[signatureHeader] else {
            return "missing \([clientHeader, timestampHeader, nonceHeader, signatureHeader].filter { headers[$0] == nil }.joined(separator: ", "))"
        }
        guard client == expectedClient else { return "unknown client '\(client.prefix(64))'" }
        guard let timestamp = Int64(stamp) else { return "\(timestampHeader) is not Unix seconds" }
        guard nonce.utf8.count >= 16, nonce.utf8.count <= 64,
              nonce.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x41 && $0 <= 0x5a) || $0 == 0x2d })
        else { return "\(nonceHeader) must be 16 to 64 letters, digits or '-'" }
        let expected = mac(canonical(method: method, path: path, client: client, timestamp: timestamp, nonce: nonce, body: body), secret: secret)
        guard constantTimeEqual(expected, signature.lowercased()) else { return "bad signature" }
        // Checked after the signature, so an unsigned caller learns nothing about our clock.
        guard abs(now - timestamp) <= windowSeconds else { return "expired: timestamp \(timestamp) is outside ±\(windowSeconds) s of \(now)" }
        return nil
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
