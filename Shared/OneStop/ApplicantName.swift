import Foundation

/// The applicant's name as a dossier's form data carries it, and the form of it that searches
/// compare. The name is not a column of its own in the national forms: each procedure's form
/// names its field, and these are the ones the catalog's forms use (the same the one-stop
/// documents print).
public enum ApplicantName {
    /// The form fields that hold the applicant's full name, in order of preference.
    public static let formFields = ["ho_ten", "nguoi_yeu_cau_ho_ten", "ho_ten_nguoi_yeu_cau", "ho_ten_nguoi_nop", "chu_dau_tu_ho_ten"]

    /// The name the form carries, "" if none.
    public static func of(_ formData: [String: String]) -> String {
        for field in formFields {
            if let name = formData[field]?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty { return name }
        }
        return ""
    }

    /// "Nguyễn Văn Ánh" → "nguyen van anh": lower case, without diacritics (đ as d), letters and
    /// digits only, words separated by one space. Officers type names either way, with or
    /// without the marks, so both sides are compared in this form.
    public static func searchKey(_ text: String) -> String {
        let folded = text.lowercased()
            .replacingOccurrences(of: "đ", with: "d")
            .folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "vi_VN"))
        var words: [String] = []
        var word = ""
        for scalar in folded.unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                word.unicodeScalars.append(scalar)
            } else if !word.isEmpty {
                words.append(word)
                word = ""
            }
        }
        if !word.isEmpty { words.append(word) }
        return words.joined(separator: " ")
    }
}
