import _CryptoExtras
import Crypto
import Foundation

/// Passwords kept as salted scrypt hashes (swift-crypto's `KDF.Scrypt`): slow on purpose, so a
/// stolen table costs an attacker about as much per guess as it costs us per sign-in. Stored as
/// `scrypt$<log2 N>$<r>$<p>$<salt base64>$<hash base64>`, so the cost can be raised later and
/// old hashes still verify (and are rehashed at the next sign-in).
public struct PasswordHasher: Sendable {
    /// log2 of scrypt's N; 2^16 with r 8 is 64 MiB a hash.
    public var logN: Int
    public var blockSize: Int
    public var parallelism: Int

    /// OWASP's Password Storage Cheat Sheet asks for scrypt with N ≥ 2^17, r 8, p 1 — or one
    /// of the settings it lists as equally strong, trading memory for passes: N 2^16, r 8, p 2
    /// is that cost (2^17·8 block operations) in half the memory (64 MiB instead of 128), which
    /// matters with several hashes running at once. About 0.25 s of one core on this machine.
    public static let standard = PasswordHasher(logN: 16, blockSize: 8, parallelism: 2)

    public init(logN: Int, blockSize: Int, parallelism: Int) {
        self.logN = logN
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    public func hash(_ password: String) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        let key = try derive(password, salt: salt, logN: logN, blockSize: blockSize, parallelism: parallelism)
        return "scrypt$\(logN)$\(blockSize)$\(parallelism)$\(salt.base64EncodedString())$\(key.base64EncodedString())"
    }

    /// Whether `password` matches `stored` (constant-time comparison); false for a stored value
    /// this type did not write.
    public func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let logN = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
              (10...20).contains(logN), (1...32).contains(r), (1...16).contains(p),
              let salt = Data(base64Encoded: parts[4]), let expected = Data(base64Encoded: parts[5]),
              let actual = try? derive(password, salt: salt, logN: logN, blockSize: r, parallelism: p),
              actual.count == expected.count else { return false }
        return Secrets.equal(actual, expected)
    }

    /// Whether a stored hash was made with weaker parameters than these: less work in all
    /// (N·r·p), or less memory (N·r).
    public func needsRehash(_ stored: String) -> Bool {
        let parts = stored.split(separator: "$")
        guard parts.count == 6, let logN = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
              (10...20).contains(logN) else { return true }
        let memory = (1 << logN) * r
        return memory * p < (1 << self.logN) * blockSize * parallelism || memory < (1 << self.logN) * blockSize
    }

    private func derive(_ password: String, salt: Data, logN: Int, blockSize: Int, parallelism: Int) throws -> Data {
        let key = try KDF.Scrypt.deriveKey(from: Data(password.precomposedStringWithCanonicalMapping.utf8), salt: salt,
                                           outputByteCount: 32, rounds: 1 << logN, blockSize: blockSize,
                                           parallelism: parallelism, maxMemory: 1 << 30)
        return key.withUnsafeBytes { Data($0) }
    }
}
