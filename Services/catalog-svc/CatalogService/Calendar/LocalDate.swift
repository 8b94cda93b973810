/// A calendar date in the proleptic Gregorian calendar, with no time and no time zone.
///
/// Holidays, overrides and office days are facts about *local* days in Hà Nội, so they are
/// keyed by this value rather than by `Foundation.Date` (an instant): that keeps the
/// calendar independent of the machine's time zone and of `Foundation.Calendar`.
/// Arithmetic goes through the Julian day number, which is also what the lunar
/// calendar's astronomy works in.
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A valid date, or nil (e.g. 2025-02-29, month 13).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= LocalDate.daysIn(month: month, year: year) else {
            return nil
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date of a Julian day number (the day that starts at noon UT of that number).
    public init(julianDay jd: Int) {
        // Fliegel & Van Flandern's inverse, Gregorian throughout.
        let a = jd + 32044
        let b = (4 * a + 3) / 146_097
        let c = a - (146_097 * b) / 4
        let d = (4 * c + 3) / 1461
        let e = c - (1461 * d) / 4
        let m = (5 * e + 2) / 153
        day = e - (153 * m + 2) / 5 + 1
        month = m + 3 - 12 * (m / 10)
        year = 100 * b + d - 4800 + m / 10
    }

    /// Parses "yyyy-MM-dd", the form overrides are stored and exchanged in.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The Julian day number: consecutive integers for consecutive days.
    public var julianDay: Int {
        let a = (14 - month) / 12
        let y = year + 4800 - a
        let m = month + 12 * a - 3
        return day + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
    }

    /// ISO weekday: 1 Monday … 7 Sunday.
    public var isoWeekday: Int { julianDay % 7 + 1 }

    /// Saturday or Sunday: the weekly rest days of offices with a five-day week.
    public var isWeekend: Bool { isoWeekday >= 6 }

    public func adding(days: Int) -> LocalDate { LocalDate(julianDay: julianDay + days) }

    /// Days from `self` to `other` (positive when `other` is later).
    public func days(to other: LocalDate) -> Int { other.julianDay - julianDay }

    /// "yyyy-MM-dd".
    public var description: String {
        "\(LocalDate.zeroPad(year, 4))-\(LocalDate.zeroPad(month, 2))-\(LocalDate.zeroPad(day, 2))"
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool { lhs.julianDay < rhs.julianDay }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Zero-padded decimal, without Foundation's locale-dependent formatters.
    static func zeroPad(_ value: Int, _ width: Int) -> String {
        let digits = String(abs(value))
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return value < 0 ? "-" + padded : padded
    }
}
