import Crypto
import Foundation

/// The PIN that, with the receipt code, lets anyone holding the receipt slip follow a dossier
/// (docs/domain.md, "Tracking PIN"), and the form in which it is stored.
///
/// Length: 8 digits by default, not 6. Receipt codes are predictable (agency, date, a
/// sequence counting from 0001), so a per-code attempt limit does not bound the total number of
/// guesses: an attacker spreads a few guesses over every code of the day. With k guesses per code
/// over N codes the expected number of dossiers opened is k·N/10^digits; at 10 guesses over the
/// 100,000 dossiers of a few months that is one dossier with 6 digits and 0.01 with 8. Two more
/// digits on a printed slip (shown as "1234 5678") is a small price for a factor of 100.
///
/// Storage (threat model): the PIN is shown once and stored only as HMAC-SHA256 keyed with a
/// random per-dossier salt, so that database dumps, backups, logs and admin screens do not hand
/// out working PINs, and two dossiers with the same PIN do not look alike. It is not meant to
/// resist an attacker who has the database: 10^8 candidates are tried in seconds on one machine
/// whatever the hash (a hash slow enough to matter would cost every tracking request more than it
/// costs them), and such an attacker already has the dossiers themselves. Guessing over the
/// network is the real threat. What slows it is not this type: `TrackingLockout` counts failed
/// PINs per receipt code and per client address, and the gateway's per-client rate limits
/// count every tracking attempt against the caller's address (or an agency system's key). The
/// `v1$` prefix of the stored form leaves room for a server-side key ("pepper").
///
/// Comparison is constant-time (swift-crypto's HMAC validation), so response timing does not
/// reveal how many leading bytes of a guess's digest were right.
public struct TrackingPIN: Sendable, Hashable, CustomStringConvertible {
    public static let defaultLength = 8
    /// Six is the floor (what banks use for one-time codes, with far stricter limits); twelve
    /// is the most anyone should be asked to type.
    public static let allowedLengths = 6...12

    /// The digits, for the one time they are shown to the citizen.
    public let digits: String

    /// A fresh PIN from the system's CSPRNG (getrandom on Linux). `Int.random(in:using:)` is
    /// unbiased, so every digit is uniform.
    public static func generate(length: Int = defaultLength) -> TrackingPIN {
        precondition(allowedLengths.contains(length), "a tracking PIN has 6 to 12 digits")
        var generator = SystemRandomNumberGenerator()
        let digits = String((0..<length).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
        return TrackingPIN(unchecked: digits)
    }

    /// A PIN as typed: spaces and hyphens between digits are forgiven (the slip groups them);
    /// anything else, or a length outside 6...12, is not a PIN.
    public init?(_ text: String) {
        let compact = text.utf8.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "-") }
        guard TrackingPIN.allowedLengths.contains(compact.count),
              compact.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        self.digits = String(decoding: compact, as: UTF8.self)
    }

    private init(unchecked digits: String) { self.digits = digits }

    /// Groups of four for printing, "1234 5678".
    public var grouped: String {
        var groups: [Substring] = []
        var rest = Substring(digits)
        while !rest.isEmpty {
            groups.append(rest.prefix(4))
            rest = rest.dropFirst(4)
        }
        return groups.joined(separator: " ")
    }

    /// Redacted, so that interpolating a PIN into a log line does not leak it.
    public var description: String { "TrackingPIN(\(digits.count) digits)" }

    /// The stored form with a fresh random salt.
    public func stored() -> Stored {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<Stored.saltLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Stored(salt: salt, hashing: self)
    }

    /// What the database keeps instead of the PIN.
    public struct Stored: Sendable, Hashable, CustomStringConvertible {
        /// 128 bits: enough that no two dossiers share a salt.
        public static let saltLength = 16

        public let salt: [UInt8]
        /// HMAC-SHA256(key: salt, message: the PIN's ASCII digits).
        public let digest: [UInt8]

        init(salt: [UInt8], hashing pin: TrackingPIN) {
            self.salt = salt
            self.digest = Array(HMAC<SHA256>.authenticationCode(for: Array(pin.digits.utf8), using: SymmetricKey(data: salt)))
        }

        /// From two stored columns (salt and digest); nil when their lengths are not this
        /// scheme's, so a truncated row never verifies anything.
        public init?(salt: some Collection<UInt8>, digest: some Collection<UInt8>) {
            guard salt.count == Stored.saltLength, digest.count == SHA256.byteCount else { return nil }
            self.salt = Array(salt)
            self.digest = Array(digest)
        }

        /// From the text form; nil when it is not one.
        public init?(encoded: String) {
            let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "v1",
                  let salt = Stored.bytes(hex: parts[1]), salt.count == Stored.saltLength,
                  let digest = Stored.bytes(hex: parts[2]), digest.count == SHA256.byteCount
            else { return nil }
            self.salt = salt
            self.digest = digest
        }

        /// "v1$<salt hex>$<digest hex>": one text column, versioned so the scheme can change.
        public var encoded: String { "v1$\(Stored.hex(salt))$\(Stored.hex(digest))" }

        /// Whether `candidate` (as typed) is the PIN, compared in constant time.
        public func verify(_ candidate: String) -> Bool {
            // The shape of a PIN is no secret, so refusing a malformed one early leaks nothing.
            guard let pin = TrackingPIN(candidate) else { return false }
            return HMAC<SHA256>.isValidAuthenticationCode(
                digest, authenticating: Array(pin.digits.utf8), using: SymmetricKey(data: salt))
        }

        public var description: String { "TrackingPIN.Stored(v1)" }

        static func hex(_ bytes: [UInt8]) -> String {
            let table = Array("0123456789abcdef".utf8)
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count * 2)
            for byte in bytes {
                out.append(table[Int(byte >> 4)])
                out.append(table[Int(byte & 0x0f)])
            }
            return String(decoding: out, as: UTF8.self)
        }

        static func bytes(hex: Substring) -> [UInt8]? {
            let utf8 = Array(hex.utf8)
            guard utf8.count % 2 == 0 else { return nil }
            func nibble(_ c: UInt8) -> UInt8? {
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
                default: return nil
                }
            }
            var out: [UInt8] = []
            out.reserveCapacity(utf8.count / 2)
            var index = 0
            while index < utf8.count {
                guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
                out.append(high << 4 | low)
                index += 2
            }
            return out
        }
    }
}
