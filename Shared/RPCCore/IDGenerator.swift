/// A fast generator of random ids (request ids, trace and span ids).
///
/// Ids need to be unique, not secret, and one is made per call: asking the kernel for
/// randomness each time (SystemRandomNumberGenerator is a syscall) was the largest cost of a
/// call on the server. This is SplitMix64, seeded once from the system generator; each
/// connection or caller keeps its own, so no locking is needed.
public struct IDGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` 64-bit words as lower-case hex, never all zeros (W3C forbids all-zero ids).
    public mutating func hex(words count: Int) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: count * 16) { buffer in
            digits.withUTF8Buffer { table in
                var allZero = true
                for word in 0..<count {
                    var value = next()
                    if word == count - 1, allZero, value == 0 { value = 1 }
                    if value != 0 { allZero = false }
                    for nibble in 0..<16 {
                        buffer[word * 16 + nibble] = table[Int((value >> UInt64(60 - nibble * 4)) & 0xF)]
                    }
                }
            }
            return count * 16
        }
    }
}
