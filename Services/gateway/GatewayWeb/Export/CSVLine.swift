import Foundation

/// One line of CSV (RFC 4180): fields joined by commas, a field quoted when it holds a comma,
/// a quote or a line break, its quotes doubled; lines end in CRLF.
///
/// A text field that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
/// apostrophe: a spreadsheet would otherwise run it as a formula (CSV injection), and what a
/// citizen typed into a form reaches these files.
enum CSVLine {
    static func text(_ value: String) -> String {
        guard let first = value.first else { return value }
        return "=+-@\t\r".contains(first) ? "'" + value : value
    }

    static func make(_ fields: [String]) -> String {
        fields.map { field in
            guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",") + "\r\n"
    }
}
