import Crypto
import Foundation

/// The provider's side of the signatures: HMAC-SHA512 in hex over the `vnp_` parameters
/// sorted by name and form-encoded (redirects, IPN, return), or over fields joined with '|'
/// (the merchant API).
enum SandboxSigning {
    static func hmac(_ text: String, secret: String) -> String {
        HMAC<SHA512>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.*")
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == " " {
                out += "+"
            } else if scalar.isASCII, allowed.contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                for byte in String(scalar).utf8 { out += String(format: "%%%02X", byte) }
            }
        }
        return out
    }

    static func hashData(_ parameters: [String: String]) -> String {
        parameters.filter { $0.key.hasPrefix("vnp_") && $0.key != "vnp_SecureHash" && $0.key != "vnp_SecureHashType" && !$0.value.isEmpty }
            .sorted { $0.key < $1.key }
            .map { "\(encode($0.key))=\(encode($0.value))" }
            .joined(separator: "&")
    }

    static func signedQuery(_ parameters: [String: String], secret: String) -> String {
        let data = hashData(parameters)
        return data + "&vnp_SecureHash=" + hmac(data, secret: secret)
    }

    static func verify(_ parameters: [String: String], secret: String) -> Bool {
        guard let hash = parameters["vnp_SecureHash"] else { return false }
        return hmac(hashData(parameters), secret: secret) == hash.lowercased()
    }

    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "yyyyMMddHHmmss"
        return formatter.string(from: date)
    }

    /// "a=1&b=x+y" → a dictionary (the last of a repeated name wins).
    static func parse(_ query: String) -> [String: String] {
        var values: [String: String] = [:]
        for part in query.split(separator: "&") {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            values[decode(pieces[0])] = pieces.count > 1 ? decode(pieces[1]) : ""
        }
        return values
    }
}
