import Foundation
import OneStop
import Storage

/// What an officer typed in the queue's search box, recognised as one of three things:
/// a 12-digit identity number (the applicant's), a receipt code or its beginning
/// ("000.00.20.H26-260105", anything with a dot or a dash and a digit), or words of the
/// applicant's name, each matched at the start of a word of the name as `ApplicantName`
/// folds it ("nguyen a" finds "Nguyễn Văn Ánh").
enum QueueSearch: Equatable, Sendable {
    case identityNumber(String)
    case receiptCodePrefix(String)
    case nameWords([String])

    /// nil for a blank search or one with nothing searchable in it.
    init?(_ typed: String) {
        let text = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        if text.count == 12, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) {
            self = .identityNumber(text)
        } else if !text.contains(" "), text.contains(where: { $0 == "." || $0 == "-" }), text.contains(where: \.isNumber) {
            self = .receiptCodePrefix(text.uppercased())
        } else {
            let words = ApplicantName.searchKey(text).split(separator: " ").map(String.init)
            guard !words.isEmpty else { return nil }
            self = .nameWords(Array(words.prefix(8)))
        }
    }

    /// Whether an index of its own finds the few rows (identity number, receipt code).
    var usesItsOwnIndex: Bool {
        if case .nameWords = self { return false }
        return true
    }

    /// The condition and its values. Name words are letters and digits only (the folding
    /// keeps nothing else), so they need no escaping inside LIKE.
    var sql: (String, SQLArguments) {
        switch self {
        case .identityNumber(let id):
            return ("applicant_id = ?", [id])
        case .receiptCodePrefix(let prefix):
            // A range on the unique index of receipt codes: every code that begins with it.
            return ("receipt_code >= ? AND receipt_code < ?", [prefix, prefix + "\u{10FFFF}"])
        case .nameWords(let words):
            return (words.map { _ in "(' ' || applicant_name) LIKE ?" }.joined(separator: " AND "),
                    SQLArguments(words.map { SQLValue.text("% \($0)%") }))
        }
    }
}
