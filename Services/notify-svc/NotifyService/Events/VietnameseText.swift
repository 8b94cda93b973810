import Foundation

/// How notifications write dates and money: Vietnam's time (UTC+7, no daylight saving, never
/// the machine's zone) and integer đồng with '.' between thousands.
enum VietnameseText {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        return calendar
    }()

    /// "ngày 03 tháng 02 năm 2026".
    static func date(unixMs: Int64) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(unixMs) / 1000))
        return "ngày \(two(c.day!)) tháng \(two(c.month!)) năm \(c.year!)"
    }

    /// "08 giờ 05 phút, ngày 03 tháng 02 năm 2026".
    static func dateTime(unixMs: Int64) -> String {
        let c = calendar.dateComponents([.hour, .minute], from: Date(timeIntervalSince1970: Double(unixMs) / 1000))
        return "\(two(c.hour!)) giờ \(two(c.minute!)) phút, " + date(unixMs: unixMs)
    }

    /// "1.250.000 đồng".
    static func money(vnd: Int64) -> String {
        let digits = String(vnd.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped += "." }
            grouped.append(digit)
        }
        return (vnd < 0 ? "-" : "") + grouped + " đồng"
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
