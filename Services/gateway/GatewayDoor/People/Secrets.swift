import Foundation

/// The two operations every secret of the gateway needs — API-key secrets, session and CSRF
/// tokens, password hashes: making one from the system's CSRPNG, and comparing one without the
/// time taken telling how much of it matched.
public enum Secrets {
    /// `byteCount` random bytes as unpadded base64url (safe in cookies, headers and URLs).
    public static func randomBase64URL(byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Equal bytes, in time that depends only on the lengths.
    public static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
