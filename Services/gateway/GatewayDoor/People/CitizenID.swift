import Foundation

/// A citizen identity number (số định danh cá nhân, on the chip-based CCCD): 12 digits —
/// the province code where the birth was registered (3), century and sex (1), the last two
/// digits of the birth year (2), then 6 digits (Decree 137/2015/ND-CP, Circular 07/2016/TT-BCA).
public struct CitizenID: Sendable, Hashable, CustomStringConvertible {
    public let digits: String

    /// The province codes of Circular 07/2016/TT-BCA (Annex I), 001 Hà Nội to 096 Cà Mau.
    static let provinceCodes: Set<String> = [
        "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022", "024", "025",
        "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045", "046", "048",
        "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068", "070", "072", "074", "075",
        "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096",
    ]

    public enum Invalid: Error, Equatable, CustomStringConvertible {
        case notTwelveDigits
        case unknownProvince(String)
        case birthYearInTheFuture(Int)

        /// What a citizen reads, in Vietnamese.
        public var description: String {
            switch self {
            case .notTwelveDigits: "Số định danh cá nhân phải gồm đúng 12 chữ số."
            case .unknownProvince(let code): "Mã tỉnh \(code) ở đầu số định danh không tồn tại."
            case .birthYearInTheFuture(let year): "Năm sinh \(year) suy ra từ số định danh chưa tới."
            }
        }
    }

    /// Reads and checks a number; spaces around it are ignored.
    public init(_ text: String, now: Date = Date()) throws(Invalid) {
        let digits = text.trimmingCharacters(in: .whitespaces)
        guard digits.utf8.count == 12, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { throw .notTwelveDigits }
        let province = String(digits.prefix(3))
        guard Self.provinceCodes.contains(province) else { throw .unknownProvince(province) }
        let century = Int(String(digits[digits.index(digits.startIndex, offsetBy: 3)]))! / 2  // 0 → 1900s, 1 → 2000s, ...
        let year = 1900 + century * 100 + Int(digits.dropFirst(4).prefix(2))!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        guard year <= calendar.component(.year, from: now) else { throw .birthYearInTheFuture(year) }
        self.digits = digits
    }

    /// The birth year the number encodes.
    public var birthYear: Int {
        let century = Int(String(digits[digits.index(digits.startIndex, offsetBy: 3)]))! / 2
        return 1900 + century * 100 + Int(digits.dropFirst(4).prefix(2))!
    }

    public var description: String { digits }
}
