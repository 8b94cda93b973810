#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Base64 as the proto3 JSON mapping uses it: writes the standard alphabet with padding
/// (RFC 4648 §4); reads the standard or the URL-safe alphabet (§5), padded or not.
enum Base64 {
    struct Problem: Error {
        var reason: String
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ data: Data) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((data.count + 2) / 3 * 4)
        var iterator = data.makeIterator()
        while let a = iterator.next() {
            let b = iterator.next()
            let c = iterator.next()
            out.append(alphabet[Int(a >> 2)])
            out.append(alphabet[Int((a & 0x03) << 4 | (b ?? 0) >> 4)])
            out.append(b == nil ? UInt8(ascii: "=") : alphabet[Int(((b ?? 0) & 0x0F) << 2 | (c ?? 0) >> 6)])
            out.append(c == nil ? UInt8(ascii: "=") : alphabet[Int((c ?? 0) & 0x3F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> Result<[UInt8], Problem> {
        var symbols = Array(text.utf8)
        var padding = 0
        while symbols.last == UInt8(ascii: "=") {
            symbols.removeLast()
            padding += 1
        }
        if padding > 0 && (symbols.count + padding) % 4 != 0 || padding > 2 {
            return .failure(Problem(reason: "the '=' padding does not fit the length"))
        }
        if symbols.count % 4 == 1 {
            return .failure(Problem(reason: "the length is not that of any base64 text (\(text.utf8.count) characters)"))
        }
        var out: [UInt8] = []
        out.reserveCapacity(symbols.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for (offset, symbol) in symbols.enumerated() {
            guard let value = sextet(symbol) else {
                let shown = symbol < 0x80 ? "'\(Character(Unicode.Scalar(symbol)))'" : "a non-ASCII character"
                return .failure(Problem(reason: "\(shown) at offset \(offset) is not a base64 character"))
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return .success(out)
    }

    private static func sextet(_ symbol: UInt8) -> UInt8? {
        switch symbol {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return symbol - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return symbol - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return symbol - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): return 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): return 63
        default: return nil
        }
    }
}
