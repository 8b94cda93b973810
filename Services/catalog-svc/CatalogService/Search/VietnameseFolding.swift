import Foundation

/// Folds Vietnamese text for search: diacritics removed, đ/Đ as d, lower case, split into
/// words. "Giấy phép xây dựng", "GIẤY PHÉP XÂY DỰNG" and "giay phep xay dung" all fold to
/// `["giay", "phep", "xay", "dung"]`, whether the input arrived precomposed (NFC) or with
/// combining marks (NFD).
public enum VietnameseFolding {
    /// The folded text, words separated by single spaces.
    public static func fold(_ text: String) -> String {
        words(text).joined(separator: " ")
    }

    /// The folded words of `text`, in order.
    public static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func endWord() {
            if !current.isEmpty {
                words.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        // Canonical decomposition (NFD) splits "ế" into "e" + U+0302 + U+0301; the marks are
        // then dropped. đ and Đ have no decomposition and are mapped by hand.
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.value {
            case 0x0111, 0x0110:  // đ, Đ
                current.append("d")
            case _ where scalar.properties.generalCategory == .nonspacingMark:
                continue
            case _ where scalar.properties.isAlphabetic || scalar.properties.numericType != nil:
                current.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            default:
                endWord()
            }
        }
        endWord()
        return words
    }
}
