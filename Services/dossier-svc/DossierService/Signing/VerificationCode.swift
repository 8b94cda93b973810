import Foundation

/// The short code a signed document is verified by: 12 characters of Crockford's base32
/// (60 random bits; no I, L, O, U), printed on the document and in its QR link
/// `<public_url>/xac-minh/<code>`. Random, not a sequence: holding one code tells nothing of others.
enum VerificationCode {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    static let length = 12

    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt8(alphabet.count)))] })
    }

    /// A code as typed: upper-cased, with Crockford's readings (O→0, I and L→1) and hyphens or
    /// spaces dropped; nil when it cannot be a code.
    static func normalized(_ text: String) -> String? {
        var code = ""
        for character in text.uppercased() {
            switch character {
            case "-", " ": continue
            case "O": code.append("0")
            case "I", "L": code.append("1")
            default:
                guard alphabet.contains(character) else { return nil }
                code.append(character)
            }
        }
        return code.count == length ? code : nil
    }
}
