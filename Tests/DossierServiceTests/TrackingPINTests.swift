import Testing

@testable import DossierService

@Suite struct TrackingPINTests {
    static func isDigits(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    @Test func eightDigitsByDefault() {
        for _ in 0..<1000 {
            let pin = TrackingPIN.generate()
            #expect(pin.digits.utf8.count == 8)
            #expect(Self.isDigits(pin.digits))
        }
    }

    @Test(arguments: [6, 7, 10, 12])
    func otherLengths(length: Int) {
        for _ in 0..<200 {
            let pin = TrackingPIN.generate(length: length)
            #expect(pin.digits.utf8.count == length)
            #expect(Self.isDigits(pin.digits))
        }
    }

    /// 1000 draws of 10^8: the birthday bound expects 0.005 collisions, so more than two
    /// would mean a broken generator (probability of ≥ 3 by chance ≈ 2·10⁻⁸).
    @Test func drawsDoNotRepeat() {
        let eight = (0..<1000).map { _ in TrackingPIN.generate().digits }
        #expect(Set(eight).count >= 998)
        // At 10^12 even 20,000 draws should all differ (expected 0.0002 collisions).
        let twelve = (0..<20_000).map { _ in TrackingPIN.generate(length: 12).digits }
        #expect(Set(twelve).count == twelve.count)
    }

    /// Every digit at every position is about equally likely: 20,000 PINs give 2,000 of each
    /// digit per position (σ ≈ 42); ±400 is nearly ten σ.
    @Test func digitsAreUniform() {
        var counts = Array(repeating: Array(repeating: 0, count: 10), count: 8)
        for _ in 0..<20_000 {
            for (position, byte) in TrackingPIN.generate().digits.utf8.enumerated() {
                counts[position][Int(byte - UInt8(ascii: "0"))] += 1
            }
        }
        for position in 0..<8 {
            for digit in 0..<10 {
                #expect((1600...2400).contains(counts[position][digit]), "position \(position), digit \(digit)")
            }
        }
    }

    @Test func typedPINs() {
        #expect(TrackingPIN("12345678")?.digits == "12345678")
        #expect(TrackingPIN("1234 5678")?.digits == "12345678")
        #expect(TrackingPIN("1234-5678")?.digits == "12345678")
        #expect(TrackingPIN("123456")?.digits == "123456")
        #expect(TrackingPIN("123456789012")?.digits == "123456789012")
        for text in ["", "12345", "1234567890123", "1234567a", "１２３４５６７８", "1234\t5678", "+12345678", "١٢٣٤٥٦٧٨"] {
            #expect(TrackingPIN(text) == nil, "\(text)")
        }
    }

    @Test func printingAndLogging() {
        let pin = TrackingPIN("12345678")!
        #expect(pin.grouped == "1234 5678")
        #expect(TrackingPIN("123456")!.grouped == "1234 56")
        #expect(TrackingPIN("123456789012")!.grouped == "1234 5678 9012")
        // Interpolating a PIN into a log line does not leak it.
        #expect("\(pin)" == "TrackingPIN(8 digits)")
        #expect(!"\(pin.stored())".contains("1234"))
    }

    @Test func theStoredFormVerifiesTheRightPINOnly() {
        let pin = TrackingPIN.generate()
        let stored = pin.stored()
        #expect(stored.verify(pin.digits))
        #expect(stored.verify(pin.grouped))
        #expect(stored.verify(" \(pin.digits) "))
        var wrong = Array(pin.digits.utf8)
        wrong[7] = wrong[7] == UInt8(ascii: "9") ? UInt8(ascii: "0") : wrong[7] + 1
        #expect(!stored.verify(String(decoding: wrong, as: UTF8.self)))
        #expect(!stored.verify(String(pin.digits.dropLast())))
        #expect(!stored.verify(pin.digits + "0"))
        #expect(!stored.verify(""))
        #expect(!stored.verify("not a pin"))
    }

    @Test func everyStorageHasItsOwnSalt() {
        let pin = TrackingPIN("12345678")!
        let first = pin.stored(), second = pin.stored()
        #expect(first.salt.count == 16)
        #expect(first.digest.count == 32)
        #expect(first.salt != second.salt)
        #expect(first.digest != second.digest)
        #expect(first.verify("12345678") && second.verify("12345678"))
        #expect(!first.encoded.contains("12345678"))
    }

    /// HMAC-SHA256(key: 00 01 … 0f, "12345678"), computed with Python's hmac module.
    @Test func theDigestIsHMACSHA256KeyedWithTheSalt() {
        let stored = TrackingPIN.Stored(salt: Array(0..<16), hashing: TrackingPIN("12345678")!)
        #expect(TrackingPIN.Stored.hex(stored.digest) == "e5110038a7ea8b22b0d25113e3eb02878304c34a175521b75fe35ac9461692e8")
        #expect(stored.encoded
                == "v1$000102030405060708090a0b0c0d0e0f$e5110038a7ea8b22b0d25113e3eb02878304c34a175521b75fe35ac9461692e8")
    }

    @Test func theEncodedFormRoundTrips() throws {
        let pin = TrackingPIN.generate()
        let stored = pin.stored()
        let decoded = try #require(TrackingPIN.Stored(encoded: stored.encoded))
        #expect(decoded == stored)
        #expect(decoded.verify(pin.digits))
        let columns = try #require(TrackingPIN.Stored(salt: stored.salt, digest: stored.digest))
        #expect(columns == stored)
    }

    @Test func malformedStoredFormsAreRefused() {
        let good = TrackingPIN("12345678")!.stored().encoded
        let parts = good.split(separator: "$").map(String.init)
        for text in [
            "", "v1", "v2$\(parts[1])$\(parts[2])", "v1$\(parts[1])", "v1$\(parts[1])$\(parts[2])$",
            "v1$\(parts[1].dropLast(2))$\(parts[2])", "v1$\(parts[1])$\(parts[2].dropLast(2))",
            "v1$\(parts[1])$\(parts[2].dropLast())", "v1$\(parts[1].uppercased())$\(parts[2])",
            "v1$\(parts[1])$\(parts[2].dropLast(2))zz",
        ] {
            #expect(TrackingPIN.Stored(encoded: text) == nil, "\(text)")
        }
        #expect(TrackingPIN.Stored(salt: [UInt8](repeating: 0, count: 15), digest: [UInt8](repeating: 0, count: 32)) == nil)
        #expect(TrackingPIN.Stored(salt: [UInt8](repeating: 0, count: 16), digest: [UInt8](repeating: 0, count: 31)) == nil)
    }

    /// A digest altered in its last byte, where an early-exit comparison would spend the most
    /// time before failing, is refused like any other; the comparison itself is swift-crypto's
    /// constant-time HMAC validation, whose timing a unit test cannot meaningfully measure.
    @Test func aTamperedDigestNeverVerifies() {
        let pin = TrackingPIN("12345678")!
        let stored = pin.stored()
        for index in [0, 15, 31] {
            var digest = stored.digest
            digest[index] ^= 0x01
            let tampered = TrackingPIN.Stored(salt: stored.salt, digest: digest)!
            #expect(!tampered.verify("12345678"))
        }
        var salt = stored.salt
        salt[0] ^= 0x80
        #expect(!TrackingPIN.Stored(salt: salt, digest: stored.digest)!.verify("12345678"))
    }
}
