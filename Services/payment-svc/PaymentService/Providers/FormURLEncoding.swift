import Foundation

/// `application/x-www-form-urlencoded`, as payment gateways sign and send their parameters:
/// UTF-8, unreserved characters kept, space as "+", everything else %XX (upper case).
enum FormURLEncoding {
    private static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.*".utf8))

    static func encode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.unicodeScalars.append(UnicodeScalar(byte))
            } else if byte == 0x20 {
                out.append("+")
            } else {
                out.append(String(format: "%%%02X", byte))
            }
        }
        return out
    }

    /// "a=1&b=x+y" → pairs in order; nil when a %-escape is malformed or the bytes are not UTF-8.
    static func decode(_ query: String) -> [(String, String)]? {
        var pairs: [(String, String)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = unescape(pieces[0]), let value = unescape(pieces.count > 1 ? pieces[1] : "") else { return nil }
            pairs.append((key, value))
        }
        return pairs
    }

    private static func unescape(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(0x20)
            case UInt8(ascii: "%"):
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
