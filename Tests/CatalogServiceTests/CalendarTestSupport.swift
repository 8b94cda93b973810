import Foundation

/// Unix milliseconds of a Hà Nội wall-clock time "yyyy-MM-dd HH:mm", computed with
/// Foundation's calendar at a fixed +07:00: an oracle independent of the arithmetic under
/// test, and of the machine's own time zone.
func hanoiUnixMs(_ text: String) -> Int64 {
    let parts = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).map { Int($0)! }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
    let components = DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4])
    let date = calendar.date(from: components)!
    return Int64(date.timeIntervalSince1970 * 1000)
}

/// Inclusive ranges of "yyyy-MM-dd" dates, expanded.
func dateRange(_ from: String, _ through: String) -> [String] {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(secondsFromGMT: 0)!
    let formatter = DateFormatter()
    formatter.calendar = calendar
    formatter.timeZone = calendar.timeZone
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.dateFormat = "yyyy-MM-dd"
    var day = formatter.date(from: from)!
    let end = formatter.date(from: through)!
    var result: [String] = []
    while day <= end {
        result.append(formatter.string(from: day))
        day = calendar.date(byAdding: .day, value: 1, to: day)!
    }
    return result
}
