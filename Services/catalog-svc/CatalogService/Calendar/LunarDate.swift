/// A date of the Vietnamese lunisolar calendar (âm lịch).
///
/// `year` is the Gregorian year in which the lunar year *begins* (its Tết), so lunar
/// 1/1/2025 is 2025-01-29 and lunar 30/12/2024 is 2025-01-28. A leap month repeats the
/// number of the month before it; `isLeapMonth` tells the two apart (2023 had a leap
/// 2nd month: "tháng 2 nhuận").
public struct LunarDate: Sendable, Hashable, CustomStringConvertible {
    public var day: Int
    public var month: Int
    public var year: Int
    public var isLeapMonth: Bool

    public init(day: Int, month: Int, year: Int, isLeapMonth: Bool = false) {
        self.day = day
        self.month = month
        self.year = year
        self.isLeapMonth = isLeapMonth
    }

    /// "10/3/2025", or "15/6n/2025" in a leap month.
    public var description: String {
        "\(day)/\(month)\(isLeapMonth ? "n" : "")/\(year)"
    }
}
