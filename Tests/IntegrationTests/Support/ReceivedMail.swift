import Foundation

/// A message as the SMTP server saved it: headers unfolded, RFC 2047 words and the base64
/// body decoded, for checks on what a citizen would read.
struct ReceivedMail {
    var headers: [String: String]
    var body: String
    var recipients: [String]

    init(eml: URL, envelope: URL) throws {
        let raw = String(decoding: try Data(contentsOf: eml), as: UTF8.self)
        let split = raw.range(of: "\r\n\r\n") ?? raw.range(of: "\n\n")!
        let headerText = raw[..<split.lowerBound].replacingOccurrences(of: "\r\n ", with: " ")
            .replacingOccurrences(of: "\n ", with: " ")
        var headers: [String: String] = [:]
        for line in headerText.components(separatedBy: .newlines) where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.headers = headers
        let encoded = raw[split.upperBound...].components(separatedBy: .whitespacesAndNewlines).joined()
        body = String(decoding: Data(base64Encoded: encoded) ?? Data(), as: UTF8.self)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: envelope)) as? [String: Any]
        recipients = json?["rcpt_tos"] as? [String] ?? []
    }

    /// A header with its encoded-words decoded.
    func decoded(_ name: String) -> String {
        guard let value = headers[name.lowercased()] else { return "" }
        var result = Data()
        var plain = ""
        for word in value.components(separatedBy: " ") {
            if word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?=") {
                result.append(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) ?? Data())
            } else {
                plain += (plain.isEmpty ? "" : " ") + word
            }
        }
        let words = String(decoding: result, as: UTF8.self)
        return plain.isEmpty ? words : (words.isEmpty ? plain : words + " " + plain)
    }
}
