@testable import CatalogService
import Testing

@Suite struct LunarCalendarTests {
    /// Tết (lunar 1/1) 2020–2030 in Vietnam. 2030 is 2 February: the new moon falls at
    /// about 16:07 UT on 2 February, 23:07 in Hà Nội but 00:07 on the 3rd in Beijing, so
    /// Vietnam's Tết is a day before the Chinese New Year (3 February) that many lists show.
    static let tet: [(Int, String)] = [
        (2020, "2020-01-25"), (2021, "2021-02-12"), (2022, "2022-02-01"), (2023, "2023-01-22"),
        (2024, "2024-02-10"), (2025, "2025-01-29"), (2026, "2026-02-17"), (2027, "2027-02-06"),
        (2028, "2028-01-26"), (2029, "2029-02-13"), (2030, "2030-02-02"),
    ]

    @Test(arguments: tet)
    func tetOfEveryYear(year: Int, expected: String) throws {
        let date = try #require(LocalDate(expected))
        #expect(LunarCalendar.tet(year) == date)
        #expect(LunarCalendar.solarDate(of: LunarDate(day: 1, month: 1, year: year)) == date)
        #expect(LunarCalendar.lunarDate(of: date) == LunarDate(day: 1, month: 1, year: year))
    }

    @Test func tet2030IsADayEarlierThanInChina() {
        #expect(LunarCalendar.tet(2030, timeZone: 7) == LocalDate("2030-02-02"))
        #expect(LunarCalendar.tet(2030, timeZone: 8) == LocalDate("2030-02-03"))
    }

    @Test func hungKingsDay() {
        #expect(LunarCalendar.solarDate(of: LunarDate(day: 10, month: 3, year: 2024)) == LocalDate("2024-04-18"))
        #expect(LunarCalendar.solarDate(of: LunarDate(day: 10, month: 3, year: 2025)) == LocalDate("2025-04-07"))
        #expect(LunarCalendar.lunarDate(of: LocalDate("2024-04-18")!) == LunarDate(day: 10, month: 3, year: 2024))
    }

    /// The official notices name the lunar days of the Tết breaks; the calendar must agree.
    @Test func lunarDaysNamedInTheNotices() {
        // 5015/TB-LĐTBXH: 08/02/2024 is 29 tháng Chạp Quý Mão, 14/02/2024 mùng 5 Giáp Thìn.
        #expect(LunarCalendar.lunarDate(of: LocalDate("2024-02-08")!) == LunarDate(day: 29, month: 12, year: 2023))
        #expect(LunarCalendar.lunarDate(of: LocalDate("2024-02-09")!) == LunarDate(day: 30, month: 12, year: 2023))
        #expect(LunarCalendar.lunarDate(of: LocalDate("2024-02-14")!) == LunarDate(day: 5, month: 1, year: 2024))
        // 6150/TB-LĐTBXH: 27/01/2025 is 28 tháng Chạp Giáp Thìn; 02/02/2025 mùng 5 Ất Tỵ.
        #expect(LunarCalendar.lunarDate(of: LocalDate("2025-01-27")!) == LunarDate(day: 28, month: 12, year: 2024))
        #expect(LunarCalendar.lunarDate(of: LocalDate("2025-02-02")!) == LunarDate(day: 5, month: 1, year: 2025))
        // Tháng Chạp Giáp Thìn had 29 days, so the eve of Tết 2025 is the 29th.
        #expect(LunarCalendar.lunarNewYearsEve(beforeTetOf: 2025) == LocalDate("2025-01-28"))
        #expect(LunarCalendar.daysInMonth(12, year: 2024) == 29)
        #expect(LunarCalendar.daysInMonth(12, year: 2023) == 30)
    }

    /// 2023 repeated the 2nd month (tháng 2 nhuận, 22/3–19/4/2023).
    @Test func leapSecondMonthOf2023() {
        #expect(LunarCalendar.leapMonth(ofLunarYear: 2023) == 2)
        #expect(LunarCalendar.solarDate(of: LunarDate(day: 1, month: 2, year: 2023)) == LocalDate("2023-02-20"))
        #expect(LunarCalendar.solarDate(of: LunarDate(day: 1, month: 2, year: 2023, isLeapMonth: true)) == LocalDate("2023-03-22"))
        #expect(LunarCalendar.solarDate(of: LunarDate(day: 1, month: 3, year: 2023)) == LocalDate("2023-04-20"))
        #expect(LunarCalendar.lunarDate(of: LocalDate("2023-03-21")!) == LunarDate(day: 30, month: 2, year: 2023))
        #expect(LunarCalendar.lunarDate(of: LocalDate("2023-03-22")!) == LunarDate(day: 1, month: 2, year: 2023, isLeapMonth: true))
        #expect(LunarCalendar.lunarDate(of: LocalDate("2023-04-19")!) == LunarDate(day: 29, month: 2, year: 2023, isLeapMonth: true))
        // Hùng Kings' day 2023 comes a month later than usual because of it.
        #expect(LunarCalendar.solarDate(of: LunarDate(day: 10, month: 3, year: 2023)) == LocalDate("2023-04-29"))
    }

    /// 2025 repeated the 6th month (tháng 6 nhuận, 25/7–22/8/2025).
    @Test func leapSixthMonthOf2025() {
        #expect(LunarCalendar.leapMonth(ofLunarYear: 2025) == 6)
        #expect(LunarCalendar.solarDate(of: LunarDate(day: 1, month: 6, year: 2025)) == LocalDate("2025-06-25"))
        #expect(LunarCalendar.solarDate(of: LunarDate(day: 1, month: 6, year: 2025, isLeapMonth: true)) == LocalDate("2025-07-25"))
        #expect(LunarCalendar.solarDate(of: LunarDate(day: 1, month: 7, year: 2025)) == LocalDate("2025-08-23"))
        #expect(LunarCalendar.lunarDate(of: LocalDate("2025-08-01")!) == LunarDate(day: 8, month: 6, year: 2025, isLeapMonth: true))
    }

    @Test func leapMonthsOfOtherYears() {
        let leaps = (2020...2034).compactMap { year in LunarCalendar.leapMonth(ofLunarYear: year).map { (year, $0) } }
        #expect(leaps.map(\.0) == [2020, 2023, 2025, 2028, 2031, 2033])
        #expect(leaps.map(\.1) == [4, 2, 6, 5, 3, 11])
    }

    @Test func datesThatDoNotExist() {
        // No leap 3rd month in 2023 (its leap month is the 2nd), none at all in 2024.
        #expect(LunarCalendar.solarDate(of: LunarDate(day: 1, month: 3, year: 2023, isLeapMonth: true)) == nil)
        #expect(LunarCalendar.solarDate(of: LunarDate(day: 1, month: 2, year: 2024, isLeapMonth: true)) == nil)
        // Tháng Chạp Giáp Thìn has no 30th; month 13, day 0 and day 31 never exist.
        #expect(LunarCalendar.solarDate(of: LunarDate(day: 30, month: 12, year: 2024)) == nil)
        #expect(LunarCalendar.solarDate(of: LunarDate(day: 1, month: 13, year: 2024)) == nil)
        #expect(LunarCalendar.solarDate(of: LunarDate(day: 0, month: 1, year: 2024)) == nil)
        #expect(LunarCalendar.solarDate(of: LunarDate(day: 31, month: 1, year: 2024)) == nil)
    }

    /// Every day of 2019–2031 converts to a lunar date and back to itself, and lunar days
    /// run 1, 2, … with months of 29 or 30 days.
    @Test func roundTripEveryDay() {
        var day = LocalDate("2019-01-01")!
        var previous = LunarCalendar.lunarDate(of: day.adding(days: -1))
        while day < LocalDate("2032-01-01")! {
            let lunar = LunarCalendar.lunarDate(of: day)
            #expect(LunarCalendar.solarDate(of: lunar) == day, "\(day) → \(lunar)")
            if lunar.day == 1 {
                #expect(previous.day == 29 || previous.day == 30, "\(day): month before ended on \(previous.day)")
            } else {
                #expect(lunar.day == previous.day + 1 && lunar.month == previous.month
                        && lunar.isLeapMonth == previous.isLeapMonth, "\(day)")
            }
            previous = lunar
            day = day.adding(days: 1)
        }
    }
}

@Suite struct LocalDateTests {
    @Test func parsesAndPrints() {
        #expect(LocalDate("2025-01-29")?.description == "2025-01-29")
        #expect(LocalDate("2024-02-29") != nil)
        for bad in ["2025-02-29", "2025-13-01", "2025-1-01", "25-01-01", "2025-01-01x", "", "2025/01/01", "２０２５-01-01"] {
            #expect(LocalDate(bad) == nil, "\(bad)")
        }
    }

    @Test func weekdaysAndArithmetic() {
        #expect(LocalDate("2025-01-24")!.isoWeekday == 5)   // Friday
        #expect(LocalDate("2025-01-25")!.isWeekend)
        #expect(LocalDate("1970-01-01")!.julianDay == 2_440_588)
        #expect(LocalDate("2024-12-31")!.adding(days: 1) == LocalDate("2025-01-01"))
        #expect(LocalDate("2024-02-28")!.adding(days: 1) == LocalDate("2024-02-29"))
        #expect(LocalDate("2024-01-01")!.days(to: LocalDate("2025-01-01")!) == 366)
    }
}
