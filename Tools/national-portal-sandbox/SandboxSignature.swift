import Crypto
import Foundation

/// The portal's side of the signatures of docs/national-portal.md ("Signed requests"), written
/// apart from the platform's so each checks the other: HMAC-SHA256 (hex) over
/// `DVCQG-HMAC-SHA256 \n METHOD \n PATH?QUERY \n CLIENT \n TIMESTAMP \n NONCE \n hex(SHA-256(body))`.
enum SandboxSignature {
    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func signature(method: String, path: String, client: String, timestamp: String, nonce: String, body: Data, secret: String) -> String {
        let text = "DVCQG-HMAC-SHA256\n\(method)\n\(path)\n\(client)\n\(timestamp)\n\(nonce)\n\(hex(SHA256.hash(data: body)))"
        return hex(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(secret.utf8))))
    }

    static func headers(method: String, path: String, body: Data, client: String, secret: String) -> [String: String] {
        let timestamp = String(Int64(Date().timeIntervalSince1970))
        let nonce = UUID().uuidString
        return ["X-DVCQG-Client": client, "X-DVCQG-Timestamp": timestamp, "X-DVCQG-Nonce": nonce,
                "X-DVCQG-Signature": signature(method: method, path: path, client: client, timestamp: timestamp, nonce: nonce,
                                               body: body, secret: secret)]
    }

    /// Why a request is refused, or nil. `seen` answers whether a nonce was used before (and
    /// remembers it).
    static func problem(method: String, path: String, body: Data, headers: [String: String], client: String, secret: String,
                        window: Int64, seen: (String) -> Bool) -> String? {
        guard let caller = headers["X-DVCQG-Client"], let timestamp = headers["X-DVCQG-Timestamp"],
              let nonce = headers["X-DVCQG-Nonce"], let given = headers["X-DVCQG-Signature"] else { return "unsigned" }
        guard caller == client else { return "unknown client" }
        let expected = signature(method: method, path: path, client: caller, timestamp: timestamp, nonce: nonce, body: body, secret: secret)
        var difference: UInt8 = expected.utf8.count == given.utf8.count ? 0 : 1
        for (a, b) in zip(expected.utf8, given.lowercased().utf8) { difference |= a ^ b }
        guard difference == 0 else { return "bad signature" }
        guard let stamp = Int64(timestamp), abs(Int64(Date().timeIntervalSince1970) - stamp) <= window else { return "expired" }
        guard nonce.count >= 16, !seen(nonce) else { return "replayed" }
        return nil
    }
}
