import _CryptoExtras
import Crypto
import Foundation

/// Passwords kept as salted scrypt hashes (swift-crypto's `KDF.Scrypt`): slow on purpose, so a
/// stolen table costs an attacker about as much per guess as it costs us per sign-in. Stored as
/// `scrypt$<log2 N>$<r>$<p>$<salt base64>$<hash base64>`, so the cost can be raised later and
/// old hashes still verify (and are rehashed at the next sign-in).
public struct PasswordHasher: Sendable {
    /// log2 of scrypt's N; 2^15 with r 8 is ~32 MiB and ~60 ms on this machine's cores.
    public var logN: Int
    public var blockSize: Int
    public var parallelism: Int

    public static let standard = PasswordHasher(logN: 15, blockSize: 8, parallelism: 1)

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

    /// Whether a stored hash was made with weaker parameters than these.
    public func needsRehash(_ stored: String) -> Bool {
        let parts = stored.split(separator: "$")
        guard parts.count == 6, let logN = Int(parts[1]) else { return true }
        return logN < self.logN
    }

    private func derive(_ password: String, salt: Data, logN: Int, blockSize: Int, parallelism: Int) throws -> Data {
        let key = try KDF.Scrypt.deriveKey(from: Data(password.precomposedStringWithCanonicalMapping.utf8), salt: salt,
                                           outputByteCount: 32, rounds: 1 << logN, blockSize: blockSize,
                                           parallelism: parallelism, maxMemory: 128 * 1024 * 1024)
        return key.withUnsafeBytes { Data($0) }
    }
}
