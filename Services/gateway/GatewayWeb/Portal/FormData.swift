import Foundation

/// `application/x-www-form-urlencoded`, as browsers send forms (in a GET's query or a POST's
/// body): "+" is a space, then %XX escapes; the first value of a repeated name counts.
enum FormData {
    static func parse(_ text: String?) -> [String: String] {
        var values: [String: String] = [:]
        for part in (text ?? "").split(separator: "&") {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            let name = decode(pair[0])
            if values[name] == nil { values[name] = pair.count > 1 ? decode(pair[1]) : "" }
        }
        return values
    }
}
