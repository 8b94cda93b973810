import Foundation

/// Dates and times as Vietnamese administrative documents write them, always in Vietnam's
/// time (UTC+7, a fixed offset: no daylight saving, and never the machine's zone).
public enum VietnameseDateFormat {
    /// UTC+7.
    public static let offsetSeconds = 7 * 3600

    /// A wall-clock reading in UTC+7.
    public struct Components: Sendable, Hashable {
        public var year: Int
        public var month: Int
        public var day: Int
        public var hour: Int
        public var minute: Int
        public var second: Int
    }

    public static func components(_ date: Date) -> Components {
        let seconds = Int((date.timeIntervalSince1970).rounded(.down)) + offsetSeconds
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Howard Hinnant's days-to-civil conversion (proleptic Gregorian calendar).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return Components(year: year, month: month, day: day, hour: secondOfDay / 3600,
                          minute: secondOfDay % 3600 / 60, second: secondOfDay % 60)
    }

    /// "HH giờ mm phút, ngày dd tháng MM năm yyyy", e.g. "08 giờ 05 phút, ngày 03 tháng 02 năm 2026".
    public static func dateTime(_ date: Date) -> String {
        let c = components(date)
        return "\(two(c.hour)) giờ \(two(c.minute)) phút, " + Self.date(c)
    }

    /// "ngày dd tháng MM năm yyyy", e.g. "ngày 03 tháng 02 năm 2026".
    public static func date(_ date: Date) -> String {
        Self.date(components(date))
    }

    /// The local year (UTC+7): the year of a document number.
    public static func year(of date: Date) -> Int {
        components(date).year
    }

    /// The instant `unixMilliseconds` after the epoch.
    public static func instant(unixMilliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(unixMilliseconds) / 1000)
    }

    private static func date(_ c: Components) -> String {
        "ngày \(two(c.day)) tháng \(two(c.month)) năm \(c.year)"
    }

    private static func two(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
