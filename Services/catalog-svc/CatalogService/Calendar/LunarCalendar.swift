import Foundation

/// The Vietnamese lunar calendar, computed astronomically.
///
/// Vietnam's calendar is defined by astronomy at the meridian of UTC+7 (since 1968), not by
/// a table: a month starts on the local day of a new moon, and a year that holds 13 new
/// moons between two winter-solstice months repeats the first month without a major solar
/// term. That is why Vietnamese Tết sometimes differs from Chinese New Year (computed for
/// UTC+8), so a table from a Chinese source would be wrong here.
///
/// This is Hồ Ngọc Đức's well-known algorithm: new moons and the sun's longitude from the
/// abridged formulas of Jean Meeus' "Astronomical Algorithms". They are off by minutes at
/// most over the years this platform cares about, which only matters for a new moon within
/// minutes of local midnight; the tests pin Tết 2020–2030 and the leap months of 2020–2034
/// so that any change of the formulas is caught.
///
/// Pure functions of their arguments; no I/O, no clock, no `TimeZone`.
public enum LunarCalendar {
    /// Hà Nội's offset from UTC, in hours. The calendar is legally computed for it.
    public static let vietnamTimeZone: Double = 7

    // MARK: conversions

    /// The solar date of a lunar date, or nil when it does not exist (a leap flag on a month
    /// that is not leap that year, or day 30 of a 29-day month).
    public static func solarDate(of lunar: LunarDate, timeZone: Double = vietnamTimeZone) -> LocalDate? {
        guard (1...12).contains(lunar.month), (1...30).contains(lunar.day) else { return nil }
        let a11: Int
        let b11: Int
        if lunar.month < 11 {
            a11 = lunarMonth11(year: lunar.year - 1, timeZone: timeZone)
            b11 = lunarMonth11(year: lunar.year, timeZone: timeZone)
        } else {
            a11 = lunarMonth11(year: lunar.year, timeZone: timeZone)
            b11 = lunarMonth11(year: lunar.year + 1, timeZone: timeZone)
        }
        let k = Int(floor(0.5 + (Double(a11) - 2_415_021.076998695) / synodicMonth))
        var offset = lunar.month - 11
        if offset < 0 { offset += 12 }
        if b11 - a11 > 365 {
            let leapOffset = leapMonthOffset(a11: a11, timeZone: timeZone)
            var leapMonth = leapOffset - 2
            if leapMonth < 0 { leapMonth += 12 }
            if lunar.isLeapMonth && lunar.month != leapMonth {
                return nil
            } else if lunar.isLeapMonth || offset >= leapOffset {
                offset += 1
            }
        } else if lunar.isLeapMonth {
            return nil
        }
        let monthStart = newMoonDay(k: k + offset, timeZone: timeZone)
        let nextMonthStart = newMoonDay(k: k + offset + 1, timeZone: timeZone)
        guard lunar.day <= nextMonthStart - monthStart else { return nil }
        return LocalDate(julianDay: monthStart + lunar.day - 1)
    }

    /// The lunar date of a solar (Gregorian) date.
    public static func lunarDate(of solar: LocalDate, timeZone: Double = vietnamTimeZone) -> LunarDate {
        let dayNumber = solar.julianDay
        let k = Int(floor((Double(dayNumber) - 2_415_021.076998695) / synodicMonth))
        var monthStart = newMoonDay(k: k + 1, timeZone: timeZone)
        if monthStart > dayNumber {
            monthStart = newMoonDay(k: k, timeZone: timeZone)
        }
        var a11 = lunarMonth11(year: solar.year, timeZone: timeZone)
        var b11 = a11
        var lunarYear: Int
        if a11 >= monthStart {
            lunarYear = solar.year
            a11 = lunarMonth11(year: solar.year - 1, timeZone: timeZone)
        } else {
            lunarYear = solar.year + 1
            b11 = lunarMonth11(year: solar.year + 1, timeZone: timeZone)
        }
        let lunarDay = dayNumber - monthStart + 1
        let diff = (monthStart - a11) / 29
        var isLeap = false
        var lunarMonth = diff + 11
        if b11 - a11 > 365 {
            let leapDiff = leapMonthOffset(a11: a11, timeZone: timeZone)
            if diff >= leapDiff {
                lunarMonth = diff + 10
                if diff == leapDiff { isLeap = true }
            }
        }
        if lunarMonth > 12 { lunarMonth -= 12 }
        if lunarMonth >= 11 && diff < 4 { lunarYear -= 1 }
        return LunarDate(day: lunarDay, month: lunarMonth, year: lunarYear, isLeapMonth: isLeap)
    }

    // MARK: derived facts the holiday rules need

    /// Tết Nguyên đán: the solar date of lunar 1/1 of `year`.
    public static func tet(_ year: Int, timeZone: Double = vietnamTimeZone) -> LocalDate {
        // Lunar 1/1 always exists.
        solarDate(of: LunarDate(day: 1, month: 1, year: year), timeZone: timeZone)!
    }

    /// The last day of the lunar year that ends just before Tết of `year` (29 or 30 tháng
    /// Chạp): the eve of Tết, the day the Labour Code's default Tết break starts on.
    public static func lunarNewYearsEve(beforeTetOf year: Int, timeZone: Double = vietnamTimeZone) -> LocalDate {
        tet(year, timeZone: timeZone).adding(days: -1)
    }

    /// Which month of lunar `year` is leap (its number; the leap month follows the ordinary
    /// one of that number), or nil in a common year.
    public static func leapMonth(ofLunarYear year: Int, timeZone: Double = vietnamTimeZone) -> Int? {
        // Lunar year `year` runs from Tết of `year` to Tết of `year + 1`; count its months.
        let start = tet(year, timeZone: timeZone)
        let end = tet(year + 1, timeZone: timeZone)
        var day = start
        while day < end {
            let lunar = lunarDate(of: day, timeZone: timeZone)
            if lunar.isLeapMonth { return lunar.month }
            day = day.adding(days: 28)   // at most one step per month, never skips a month
        }
        return nil
    }

    /// Days in a lunar month (29 or 30), or nil if the month does not exist.
    public static func daysInMonth(_ month: Int, year: Int, isLeapMonth: Bool = false,
                                   timeZone: Double = vietnamTimeZone) -> Int? {
        guard solarDate(of: LunarDate(day: 1, month: month, year: year, isLeapMonth: isLeapMonth),
                        timeZone: timeZone) != nil else { return nil }
        let thirtieth = LunarDate(day: 30, month: month, year: year, isLeapMonth: isLeapMonth)
        return solarDate(of: thirtieth, timeZone: timeZone) == nil ? 29 : 30
    }

    // MARK: astronomy

    static let synodicMonth = 29.530588853

    /// Julian date (UT) of the k-th new moon after the one of 1900-01-01 (Meeus ch. 49, abridged).
    static func newMoon(k: Int) -> Double {
        let k = Double(k)
        let t = k / 1236.85
        let t2 = t * t
        let t3 = t2 * t
        let dr = Double.pi / 180
        var jd1 = 2_415_020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
        jd1 += 0.00033 * sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
        let m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3       // sun's mean anomaly
        let mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3    // moon's mean anomaly
        let f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3       // moon's argument of latitude
        // Term by term; the signs are those of each term (the source's `C1 = C1 - a + b`).
        var c1 = (0.1734 - 0.000393 * t) * sin(m * dr) + 0.0021 * sin(2 * dr * m)
        c1 += -0.4068 * sin(mpr * dr) + 0.0161 * sin(dr * 2 * mpr)
        c1 += -0.0004 * sin(dr * 3 * mpr)
        c1 += 0.0104 * sin(dr * 2 * f) - 0.0051 * sin(dr * (m + mpr))
        c1 += -0.0074 * sin(dr * (m - mpr)) + 0.0004 * sin(dr * (2 * f + m))
        c1 += -0.0004 * sin(dr * (2 * f - m)) - 0.0006 * sin(dr * (2 * f + mpr))
        c1 += 0.0010 * sin(dr * (2 * f - mpr)) + 0.0005 * sin(dr * (2 * mpr + m))
        // ΔT (TT − UT), in days.
        let deltaT: Double
        if t < -11 {
            deltaT = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
        } else {
            deltaT = -0.000278 + 0.000265 * t + 0.000262 * t2
        }
        return jd1 + c1 - deltaT
    }

    /// The sun's apparent longitude in radians, [0, 2π), at Julian date `jdn` (UT).
    static func sunLongitude(_ jdn: Double) -> Double {
        let t = (jdn - 2_451_545.0) / 36525
        let t2 = t * t
        let dr = Double.pi / 180
        let m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
        let l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
        var dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * sin(dr * m)
        dl += (0.019993 - 0.000101 * t) * sin(dr * 2 * m) + 0.000290 * sin(dr * 3 * m)
        var l = (l0 + dl) * dr
        l -= 2 * Double.pi * floor(l / (2 * Double.pi))
        return l
    }

    /// The local day (Julian day number) of the k-th new moon.
    static func newMoonDay(k: Int, timeZone: Double) -> Int {
        Int(floor(newMoon(k: k) + 0.5 + timeZone / 24))
    }

    /// The sun's longitude at the start of local day `dayNumber`, as a sector 0…11 of 30°
    /// (sector 9 starts at the winter solstice, 270°).
    static func sunLongitudeSector(dayNumber: Int, timeZone: Double) -> Int {
        Int(floor(sunLongitude(Double(dayNumber) - 0.5 - timeZone / 24) / Double.pi * 6))
    }

    /// The first day of lunar month 11 (the month holding the winter solstice) of `year`.
    static func lunarMonth11(year: Int, timeZone: Double) -> Int {
        let off = LocalDate(year: year, month: 12, day: 31)!.julianDay - 2_415_021
        let k = Int(floor(Double(off) / synodicMonth))
        var nm = newMoonDay(k: k, timeZone: timeZone)
        if sunLongitudeSector(dayNumber: nm, timeZone: timeZone) >= 9 {
            nm = newMoonDay(k: k - 1, timeZone: timeZone)
        }
        return nm
    }

    /// In a 13-month year starting at month 11 `a11`: the offset (in months after `a11`)
    /// of the leap month, the first one during which the sun enters no new sector.
    static func leapMonthOffset(a11: Int, timeZone: Double) -> Int {
        let k = Int(floor((Double(a11) - 2_415_021.076998695) / synodicMonth + 0.5))
        var last = 0
        var i = 1
        var arc = sunLongitudeSector(dayNumber: newMoonDay(k: k + i, timeZone: timeZone), timeZone: timeZone)
        repeat {
            last = arc
            i += 1
            arc = sunLongitudeSector(dayNumber: newMoonDay(k: k + i, timeZone: timeZone), timeZone: timeZone)
        } while arc != last && i < 14
        return i - 1
    }
}
