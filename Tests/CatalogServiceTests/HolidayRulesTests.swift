@testable import CatalogService
import Testing

@Suite struct HolidayRulesTests {
    let rules = HolidayRules()

    func dates(_ holidays: [Holiday], _ source: Holiday.Source? = nil) -> [String] {
        holidays.filter { source == nil || $0.source == source }.map(\.date.description)
    }

    @Test func elevenStatutoryDaysEveryYear() {
        for year in 2020...2040 {
            let days = rules.statutoryHolidays(year: year)
            #expect(days.count == 11, "\(year)")
            #expect(Set(days.map(\.date)).count == 11, "\(year)")
            #expect(days.allSatisfy { $0.date.year == year }, "\(year)")
        }
    }

    /// 2026 needs no override for Tết: the announced break (14–22/2/2026, five days from the
    /// eve of Tết) is exactly the default rule plus the weekends.
    @Test func statutoryDaysOf2026() {
        #expect(dates(rules.statutoryHolidays(year: 2026)) == [
            "2026-01-01",
            "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",
            "2026-04-26",
            "2026-04-30", "2026-05-01",
            "2026-09-01", "2026-09-02",
        ])
    }

    /// Art. 111(3): a holiday on Saturday or Sunday gives the next working day off, skipping
    /// other holidays. Checked against years whose arrangement was just that rule.
    @Test func weekendHolidaysAreCompensated() {
        // 2021: 1/5 on Saturday → Monday 3/5.
        #expect(dates(rules.holidays(year: 2021), .compensatory).filter { $0 >= "2021-04" } == ["2021-05-03"])
        // 2022: Hùng Kings Sunday 10/4 → 11/4; 30/4 Sat and 1/5 Sun → 2/5 and 3/5.
        #expect(dates(rules.holidays(year: 2022), .compensatory).filter { $0 >= "2022-04" && $0 < "2022-06" }
                == ["2022-04-11", "2022-05-02", "2022-05-03"])
        // 2023: Hùng Kings Sat 29/4, 30/4 Sun, 1/5 Mon → 2/5 and 3/5 (break 29/4–3/5).
        #expect(dates(rules.holidays(year: 2023), .compensatory).filter { $0 >= "2023-04" && $0 < "2023-06" }
                == ["2023-05-02", "2023-05-03"])
        // 2023: 2/9 on Saturday with Friday 1/9 → Monday 4/9 (break 1–4/9).
        #expect(rules.extraNationalDay(year: 2023) == LocalDate("2023-09-01"))
        #expect(dates(rules.holidays(year: 2023), .compensatory).contains("2023-09-04"))
        // 2026: Hùng Kings on Sunday 26/4 → Monday 27/4.
        #expect(dates(rules.holidays(year: 2026), .compensatory) == ["2026-04-27"])
    }

    /// The default Tết of 2024 (eve + mùng 1–4 = 9–13/2, with Saturday and Sunday given
    /// back on 14 and 15/2), before the official arrangement moves it.
    @Test func defaultTet2024() {
        let feb = dates(rules.holidays(year: 2024)).filter { $0.hasPrefix("2024-02") }
        #expect(feb == ["2024-02-09", "2024-02-10", "2024-02-11", "2024-02-12", "2024-02-13", "2024-02-14", "2024-02-15"])
        #expect(dates(rules.holidays(year: 2024), .compensatory).filter { $0.hasPrefix("2024-02") } == ["2024-02-14", "2024-02-15"])
    }

    @Test func nationalDayUsualChoiceByWeekday() {
        let expected: [Int: String] = [
            2021: "2021-09-03",  // Thursday 2/9 → Friday
            2022: "2022-09-01",  // Friday → Thursday
            2023: "2023-09-01",  // Saturday → Friday
            2024: "2024-09-03",  // Monday → Tuesday
            2025: "2025-09-01",  // Tuesday → Monday
            2026: "2026-09-01",  // Wednesday → Tuesday
            2029: "2029-09-03",  // Sunday → Monday (and Tuesday 4/9 compensates the Sunday)
        ]
        for (year, date) in expected {
            #expect(rules.extraNationalDay(year: year).description == date, "\(year)")
        }
        #expect(dates(HolidayRules().holidays(year: 2029), .compensatory).contains("2029-09-04"))
    }

    @Test func nationalDayChoiceCanBeSet() {
        let rules = HolidayRules(nationalDayExtraDay: [2025: .dayAfter, 2024: .dayBefore])
        #expect(rules.extraNationalDay(year: 2025) == LocalDate("2025-09-03"))
        #expect(rules.extraNationalDay(year: 2024) == LocalDate("2024-09-01"))
        // 1/9/2024 is a Sunday: then a compensatory day follows the holidays.
        #expect(dates(rules.holidays(year: 2024), .compensatory).contains("2024-09-03"))
    }

    @Test func compensationCanBeTurnedOff() {
        let rules = HolidayRules(compensatesWeekendHolidays: false)
        #expect(rules.holidays(year: 2024).allSatisfy { $0.source != .compensatory })
        #expect(rules.holidays(year: 2024).count == 11)
    }

    @Test func sourcesMatchTheProtoVocabulary() {
        #expect(Holiday.Source.fixed.rawValue == "fixed")
        #expect(Holiday.Source.lunar.rawValue == "lunar")
        #expect(Holiday.Source.override.rawValue == "override")
        let byDate = Dictionary(uniqueKeysWithValues: rules.holidays(year: 2025).map { ($0.date.description, $0.source) })
        #expect(byDate["2025-01-01"] == .fixed)
        #expect(byDate["2025-01-29"] == .lunar)
        #expect(byDate["2025-04-07"] == .lunar)
        #expect(byDate["2025-02-03"] == .compensatory)
    }
}
