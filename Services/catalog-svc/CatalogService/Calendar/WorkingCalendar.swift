import Foundation

/// Working time at one agency: which days are working days, and when a time limit that
/// starts at a receipt time runs out (docs/domain.md, "Appointment date and working time").
///
/// A day is a working day when an override says so; otherwise when it is Monday–Friday and
/// not a holiday or compensatory day of `rules`. Overrides win both ways, because the
/// government's yearly arrangement can move a holiday onto a weekday or make a Saturday a
/// working day.
///
/// Times are Unix milliseconds in UTC; local time is UTC+7 by fixed-offset arithmetic
/// (Vietnam has had no daylight saving since 1975), so nothing depends on the machine's time
/// zone or tz database.
public struct WorkingCalendar: Sendable, CustomStringConvertible {
    public enum Error: Swift.Error, Hashable, CustomStringConvertible {
        case negativeLimit
        case negativePause
        /// More than `maximumLimitMinutes` in all: refused so one request cannot make the
        /// service walk the calendar for centuries.
        case limitTooLarge
        /// No working day within ten years of the start: the overrides close every day.
        case noWorkingDay
        /// A receipt time outside `supportedYears` (garbage, or microseconds for
        /// milliseconds): refused rather than overflowing or computed with astronomy that
        /// was never checked there.
        case receivedAtOutOfRange

        public var description: String {
            switch self {
            case .negativeLimit: return "the time limit is negative"
            case .negativePause: return "the paused working minutes are negative"
            case .limitTooLarge: return "the time limit plus pause exceeds \(WorkingCalendar.maximumLimitMinutes) working minutes"
            case .noWorkingDay: return "no working day within ten years: check the calendar overrides"
            case .receivedAtOutOfRange:
                return "the receipt time is outside the years \(WorkingCalendar.supportedYears.lowerBound)–\(WorkingCalendar.supportedYears.upperBound)"
            }
        }
    }

    /// Hà Nội's offset from UTC.
    public static let utcOffsetMilliseconds: Int64 = 7 * 3_600_000
    /// Receipt times accepted by `appointment` (local years).
    public static let supportedYears = 1900...2199
    /// Ten years of standard office days; far beyond any procedure's time limit.
    public static let maximumLimitMinutes = 10 * 260 * 480

    public let officeHours: OfficeHours
    public let rules: HolidayRules
    /// At most one override per date (the last one given wins).
    public let overrides: [LocalDate: CalendarOverride]

    /// `overrides` are the government's arrangements as stored by the catalog (e.g.
    /// `OfficialCalendarOverrides.all`); without them Tết and the swapped days follow the
    /// rules' defaults only.
    public init(officeHours: OfficeHours = .standard, rules: HolidayRules = HolidayRules(),
                overrides: [CalendarOverride] = []) {
        self.officeHours = officeHours
        self.rules = rules
        var byDate: [LocalDate: CalendarOverride] = [:]
        for entry in overrides { byDate[entry.date] = entry }
        self.overrides = byDate
    }

    /// Short, for logs and test failures: the hours and how many overrides.
    public var description: String {
        "WorkingCalendar(\(officeHours); \(overrides.count) overrides)"
    }

    // MARK: days

    public func isWorkingDay(_ date: LocalDate) -> Bool {
        var lookup = DayLookup(calendar: self)
        return lookup.isWorkingDay(date)
    }

    /// The first working day strictly after `date`, or nil if none within ten years.
    public func nextWorkingDay(after date: LocalDate) -> LocalDate? {
        var lookup = DayLookup(calendar: self)
        return lookup.nextWorkingDay(from: date.adding(days: 1))
    }

    /// The days off of `year` besides ordinary weekends, as `ListHolidays` shows them: the
    /// rules' holidays and compensatory days (weekend ones included, as they are still
    /// holidays) unless an override makes them working, and the overrides' days off.
    public func holidays(year: Int) -> [Holiday] {
        var byDate: [LocalDate: Holiday] = [:]
        for holiday in rules.holidays(year: year) where overrides[holiday.date] == nil {
            byDate[holiday.date] = holiday
        }
        for entry in overrides.values where entry.date.year == year && !entry.working {
            byDate[entry.date] = Holiday(date: entry.date, name: entry.reason, source: .override)
        }
        return byDate.values.sorted()
    }

    /// The overrides of `year` that make a day a working day (make-up Saturdays, …).
    public func workingOverrides(year: Int) -> [CalendarOverride] {
        overrides.values.filter { $0.date.year == year && $0.working }.sorted()
    }

    // MARK: time

    /// Whether an instant falls inside office hours of a working day.
    public func isOfficeTime(unixMs: Int64) -> Bool {
        guard Self.isSupported(unixMs: unixMs) else { return false }
        let (date, msOfDay) = Self.local(unixMs: unixMs)
        guard isWorkingDay(date) else { return false }
        return officeHours.spans.contains { Int64($0.startMinute) * 60_000 <= msOfDay && msOfDay < Int64($0.endMinute) * 60_000 }
    }

    /// When the clock starts for a dossier received at `unixMs`: that instant if it is
    /// inside office hours, else the next opening (after the lunch break, the next working
    /// morning, after a weekend or holiday).
    public func countingStart(receivedAtUnixMs unixMs: Int64) throws -> Int64 {
        var lookup = DayLookup(calendar: self)
        let position = try startPosition(receivedAtUnixMs: unixMs, lookup: &lookup)
        return Self.unixMs(date: position.date, msOfDay: position.cursor)
    }

    /// The appointment for a dossier received at `receivedAtUnixMs` with time limit `limit`,
    /// after `pausedWorkingMinutes` of working time spent waiting for a supplement (added
    /// back, since that time does not count against the agency).
    ///
    /// The limit is counted in working minutes through office hours only. When the count
    /// ends exactly at the end of a span (e.g. 17:00 closing), that end is the appointment
    /// rather than the next opening.
    public func appointment(receivedAtUnixMs: Int64, limit: TimeLimit,
                            pausedWorkingMinutes: Int = 0) throws -> Appointment {
        let limitMinutes = limit.minutes(in: officeHours)
        guard limitMinutes >= 0 else { throw Error.negativeLimit }
        guard pausedWorkingMinutes >= 0 else { throw Error.negativePause }
        guard limitMinutes <= Self.maximumLimitMinutes,
              pausedWorkingMinutes <= Self.maximumLimitMinutes - limitMinutes
        else { throw Error.limitTooLarge }

        var lookup = DayLookup(calendar: self)
        var position = try startPosition(receivedAtUnixMs: receivedAtUnixMs, lookup: &lookup)
        let countedFrom = Self.unixMs(date: position.date, msOfDay: position.cursor)
        var remaining = Int64(limitMinutes + pausedWorkingMinutes) * 60_000
        let spans = officeHours.spans
        while true {
            let end = Int64(spans[position.span].endMinute) * 60_000
            let available = end - position.cursor
            if remaining <= available {
                let due = Self.unixMs(date: position.date, msOfDay: position.cursor + remaining)
                return Appointment(countedFromUnixMs: countedFrom, appointmentAtUnixMs: due)
            }
            remaining -= available
            if position.span + 1 < spans.count {
                position.span += 1
            } else {
                guard let next = lookup.nextWorkingDay(from: position.date.adding(days: 1)) else {
                    throw Error.noWorkingDay
                }
                position.date = next
                position.span = 0
            }
            position.cursor = Int64(spans[position.span].startMinute) * 60_000
        }
    }

    /// The same, for a `Foundation.Date` (truncated to the millisecond).
    public func appointment(receivedAt: Date, limit: TimeLimit,
                            pausedWorkingMinutes: Int = 0) throws -> Appointment {
        let ms = Int64((receivedAt.timeIntervalSince1970 * 1000).rounded(.down))
        return try appointment(receivedAtUnixMs: ms, limit: limit, pausedWorkingMinutes: pausedWorkingMinutes)
    }

    // MARK: local time, UTC+7

    /// The local date and milliseconds since local midnight of an instant.
    public static func local(unixMs: Int64) -> (date: LocalDate, msOfDay: Int64) {
        let local = unixMs + utcOffsetMilliseconds
        let (days, msOfDay) = floorDivMod(local, 86_400_000)
        return (LocalDate(julianDay: Int(days) + unixEpochJulianDay), msOfDay)
    }

    /// The instant of a local date and time of day.
    public static func unixMs(date: LocalDate, msOfDay: Int64) -> Int64 {
        Int64(date.julianDay - unixEpochJulianDay) * 86_400_000 + msOfDay - utcOffsetMilliseconds
    }

    /// The instant of a local date at `hour:minute`.
    public static func unixMs(date: LocalDate, hour: Int, minute: Int) -> Int64 {
        unixMs(date: date, msOfDay: Int64(hour * 60 + minute) * 60_000)
    }

    /// "yyyy-MM-dd HH:mm" in UTC+7 (seconds dropped).
    public static func localString(unixMs: Int64) -> String {
        let (date, msOfDay) = local(unixMs: unixMs)
        return "\(date) \(OfficeHours.clock(Int(msOfDay / 60_000)))"
    }

    /// Whether an instant lies in `supportedYears` (checked before any arithmetic that
    /// could overflow).
    static func isSupported(unixMs: Int64) -> Bool {
        let lower = Self.unixMs(date: LocalDate(year: supportedYears.lowerBound, month: 1, day: 1)!, msOfDay: 0)
        let upper = Self.unixMs(date: LocalDate(year: supportedYears.upperBound + 1, month: 1, day: 1)!, msOfDay: 0)
        return lower <= unixMs && unixMs < upper
    }

    /// Julian day number of 1970-01-01.
    static let unixEpochJulianDay = 2_440_588

    // MARK: internals

    /// Where counting stands: a working day, one of its spans, and ms since local midnight.
    struct Position {
        var date: LocalDate
        var span: Int
        var cursor: Int64
    }

    private func startPosition(receivedAtUnixMs unixMs: Int64, lookup: inout DayLookup) throws -> Position {
        guard Self.isSupported(unixMs: unixMs) else { throw Error.receivedAtOutOfRange }
        let (receivedDate, receivedMs) = Self.local(unixMs: unixMs)
        if lookup.isWorkingDay(receivedDate) {
            for (index, span) in officeHours.spans.enumerated() where receivedMs < Int64(span.endMinute) * 60_000 {
                return Position(date: receivedDate, span: index,
                                cursor: max(receivedMs, Int64(span.startMinute) * 60_000))
            }
        }
        guard let next = lookup.nextWorkingDay(from: receivedDate.adding(days: 1)) else { throw Error.noWorkingDay }
        return Position(date: next, span: 0, cursor: Int64(officeHours.spans[0].startMinute) * 60_000)
    }

    /// Day classification with the rules' holidays computed once per year per call: the
    /// lunar astronomy is cheap but not free, and a long limit visits many days.
    struct DayLookup {
        let calendar: WorkingCalendar
        var ruleDaysOff: [Int: Set<LocalDate>] = [:]

        mutating func isWorkingDay(_ date: LocalDate) -> Bool {
            if let entry = calendar.overrides[date] { return entry.working }
            if date.isWeekend { return false }
            if ruleDaysOff[date.year] == nil {
                ruleDaysOff[date.year] = Set(calendar.rules.holidays(year: date.year).map(\.date))
            }
            return !ruleDaysOff[date.year]!.contains(date)
        }

        /// The first working day on or after `date`, looking at most ten years ahead.
        mutating func nextWorkingDay(from date: LocalDate) -> LocalDate? {
            var day = date
            for _ in 0..<3653 {
                if isWorkingDay(day) { return day }
                day = day.adding(days: 1)
            }
            return nil
        }
    }
}

/// Floor division and its non-negative remainder (instants before 1970 stay correct).
private func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
    let q = a / b
    let r = a % b
    return r < 0 ? (q - 1, r + b) : (q, r)
}
