import Foundation

/// A receipt code (mã hồ sơ) in the form connected provincial systems use (docs/domain.md):
/// `{agency identifier code}-{yyMMdd}-{4-digit per-agency daily sequence}`, e.g.
/// "000.00.20.H26-261129-0001".
///
/// Pure formatting and parsing: allocating the sequence (per agency per local day, never
/// reused even after a crash) is the store's job, keyed by `agencyCode` and `Day`.
public struct ReceiptCode: Sendable, Hashable, CustomStringConvertible {
    /// Four digits print at most 9999 receipts per agency per day; a 10000th must be refused
    /// rather than widened, since other systems parse the fixed width.
    public static let maximumSequence = 9999
    /// Vietnam's time (UTC+7, no daylight saving): the day in the code is the agency's day.
    public static let utcOffsetSeconds = 7 * 3600

    public let agencyCode: String
    public let day: Day
    /// 1...9999.
    public let sequence: Int

    /// A local calendar day in 2000...2099, the years a two-digit `yy` can name.
    public struct Day: Sendable, Hashable, Comparable, CustomStringConvertible {
        public let year: Int
        public let month: Int
        public let day: Int

        /// A real date in 2000...2099, or nil.
        public init?(year: Int, month: Int, day: Int) {
            guard (2000...2099).contains(year), (1...12).contains(month),
                  (1...Day.daysIn(month: month, year: year)).contains(day)
            else { return nil }
            self.year = year
            self.month = month
            self.day = day
        }

        /// The day in Vietnam at a Unix instant, by arithmetic (no Foundation calendar, so
        /// neither the machine's time zone nor its locale can change a receipt code): the same
        /// UTC+7 conversion the one-stop documents print. Nil outside 2000...2099.
        public init?(unixMs: Int64) {
            // Far outside the century anyway; bounding first keeps the arithmetic from overflowing.
            guard unixMs > -(1 << 52), unixMs < 1 << 52 else { return nil }
            let local = VietnameseDateFormat.components(VietnameseDateFormat.instant(unixMilliseconds: unixMs))
            self.init(year: local.year, month: local.month, day: local.day)
        }

        /// "yyMMdd", as in the code.
        public var stamp: String {
            pad(year % 100, 2) + pad(month, 2) + pad(day, 2)
        }

        /// "yyyy-MM-dd".
        public var description: String { "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))" }

        public static func < (lhs: Day, rhs: Day) -> Bool {
            (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
        }

        static func daysIn(month: Int, year: Int) -> Int {
            switch month {
            case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
            case 4, 6, 9, 11: return 30
            default: return 31
            }
        }

    }

    /// A code from its parts; refuses an agency code that could not be read back, and a
    /// sequence outside 1...9999.
    public init(agencyCode: String, day: Day, sequence: Int) throws(ReceiptCodeError) {
        guard ReceiptCode.isAgencyCode(agencyCode) else { throw .invalidAgencyCode(agencyCode) }
        guard sequence >= 1 else { throw .sequenceBelowOne(sequence) }
        guard sequence <= ReceiptCode.maximumSequence else {
            throw .sequenceExhausted(agencyCode: agencyCode, day: day.stamp, sequence: sequence)
        }
        self.agencyCode = agencyCode
        self.day = day
        self.sequence = sequence
    }

    /// The code of a dossier received at `receivedAtUnixMs`, dated by Vietnam's calendar day.
    public init(agencyCode: String, receivedAtUnixMs: Int64, sequence: Int) throws(ReceiptCodeError) {
        guard let day = Day(unixMs: receivedAtUnixMs) else { throw .dateOutOfRange(unixMs: receivedAtUnixMs) }
        try self.init(agencyCode: agencyCode, day: day, sequence: sequence)
    }

    /// Parses a code as a citizen types it (surrounding spaces are forgiven). The agency code
    /// may itself contain '-', so the date and sequence are taken from the right.
    public init(parsing text: String) throws(ReceiptCodeError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        func malformed(_ why: String) -> ReceiptCodeError { .malformed(text: text, why: why) }
        let parts = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3 else {
            throw malformed("expected {agency code}-{yyMMdd}-{4-digit sequence}")
        }
        let sequenceText = parts[parts.count - 1]
        let dateText = parts[parts.count - 2]
        let agency = parts[0..<(parts.count - 2)].joined(separator: "-")
        guard ReceiptCode.isAgencyCode(agency) else {
            throw malformed("the agency code must be 1–64 letters, digits, '.', '-' or '_'")
        }
        guard dateText.utf8.count == 6, dateText.utf8.allSatisfy(ReceiptCode.isDigit),
              let yy = Int(dateText.prefix(2)), let mm = Int(dateText.dropFirst(2).prefix(2)),
              let dd = Int(dateText.suffix(2)),
              let day = Day(year: 2000 + yy, month: mm, day: dd)
        else { throw malformed("the date must be a real date written yyMMdd") }
        guard sequenceText.utf8.count == 4, sequenceText.utf8.allSatisfy(ReceiptCode.isDigit),
              let sequence = Int(sequenceText), sequence >= 1
        else { throw malformed("the sequence must be 4 digits from 0001 to 9999") }
        self.agencyCode = agency
        self.day = day
        self.sequence = sequence
    }

    /// "000.00.20.H26-261129-0001".
    public var description: String { "\(agencyCode)-\(day.stamp)-\(pad(sequence, 4))" }

    /// The charset of catalog agency codes (CatalogValidation.isCode), so every agency the
    /// catalog accepts can issue codes; QCVN 102:2016 codes such as "000.00.20.H26" fit in it.
    static func isAgencyCode(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { byte in
            isDigit(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

private func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}
