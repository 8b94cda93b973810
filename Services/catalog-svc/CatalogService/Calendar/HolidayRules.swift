/// The public holidays that the law itself fixes, year by year, before the government's
/// yearly arrangement is applied.
///
/// Bộ luật Lao động 2019 (Labour Code, Law 45/2019/QH14), art. 112(1), gives 11 paid days:
/// a) Tết Dương lịch 1/1; b) Tết Âm lịch 5 days; c) Ngày Chiến thắng 30/4; d) Quốc tế lao
/// động 1/5; đ) Quốc khánh 2/9 plus one adjacent day before or after; e) Giỗ Tổ Hùng Vương
/// 10/3 lunar. Art. 112(3) lets the Prime Minister fix, each year, which days the Tết break
/// and the National Day's extra day are. Art. 111(3) gives a weekly rest day that coincides
/// with a holiday back on the next working day.
///
/// Checked in 2026: art. 112(1) has not been amended since 2019 (press of January and
/// February 2026 still lists these 11 days; Vietnam Culture Day 24/11, chosen by the
/// Politburo and tasked to the government by Nghị quyết 30/NQ-CP, is only *proposed* as a
/// 12th holiday for a future amendment). Since the ministries merged in March 2025 the yearly
/// arrangement is announced by Bộ Nội vụ instead of Bộ Lao động – Thương binh và Xã hội;
/// the rule itself did not change.
///
/// Where the law leaves a choice to the government, the rules here make the usual choice, so
/// that a year with no announcement yet still gets a sensible calendar; the announced
/// arrangement then comes in as `CalendarOverride`s, which win over anything computed here.
public struct HolidayRules: Sendable, Hashable {
    /// Which day accompanies 2/9 (art. 112(1)(đ)).
    public enum NationalDayExtraDay: Sendable, Hashable {
        /// Choose from the weekday of 2/9 the way recent governments did (see `extraNationalDay`).
        case usualChoice
        case dayBefore
        case dayAfter
    }

    /// Whether holidays falling on Saturday or Sunday give a compensatory day (art. 111(3)).
    /// True for offices with a Monday–Friday week, which is every public agency.
    public var compensatesWeekendHolidays: Bool
    /// The National Day's extra day, per year; years not listed use `.usualChoice`.
    public var nationalDayExtraDay: [Int: NationalDayExtraDay]
    /// Time zone of the lunar calendar, in hours (Vietnam: +7).
    public var lunarTimeZone: Double

    public init(compensatesWeekendHolidays: Bool = true,
                nationalDayExtraDay: [Int: NationalDayExtraDay] = [:],
                lunarTimeZone: Double = LunarCalendar.vietnamTimeZone) {
        self.compensatesWeekendHolidays = compensatesWeekendHolidays
        self.nationalDayExtraDay = nationalDayExtraDay
        self.lunarTimeZone = lunarTimeZone
    }

    /// The statutory holidays of `year` (art. 112(1)), without compensation, in date order.
    public func statutoryHolidays(year: Int) -> [Holiday] {
        var days: [Holiday] = []
        func fixed(_ month: Int, _ day: Int, _ name: String) {
            days.append(Holiday(date: LocalDate(year: year, month: month, day: day)!, name: name, source: .fixed))
        }
        fixed(1, 1, "Tết Dương lịch")

        // Tết: by default the lunar New Year's Eve and the first four days of the year
        // (the split most often chosen; e.g. 2026: 16–20/2). The government moves it in
        // many years (2024: 29–30 Chạp + mùng 1–3; 2025: 28 Chạp + … mùng 3); overrides
        // carry those decisions.
        let tet = LunarCalendar.tet(year, timeZone: lunarTimeZone)
        days.append(Holiday(date: tet.adding(days: -1), name: "Tết Âm lịch (ngày cuối năm)", source: .lunar))
        for i in 0..<4 {
            days.append(Holiday(date: tet.adding(days: i), name: "Tết Âm lịch (mùng \(i + 1))", source: .lunar))
        }

        // 10/3 always exists; the optional only guards years far outside any use.
        if let hungKings = LunarCalendar.solarDate(of: LunarDate(day: 10, month: 3, year: year), timeZone: lunarTimeZone) {
            days.append(Holiday(date: hungKings, name: "Giỗ Tổ Hùng Vương (10/3 âm lịch)", source: .lunar))
        }

        fixed(4, 30, "Ngày Chiến thắng")
        fixed(5, 1, "Ngày Quốc tế lao động")
        fixed(9, 2, "Quốc khánh")
        days.append(Holiday(date: extraNationalDay(year: year), name: "Quốc khánh (ngày liền kề)", source: .fixed))
        return days.sorted()
    }

    /// The day that accompanies 2/9.
    ///
    /// The usual choice keeps the break joined to the weekend and off the weekend itself:
    /// Monday 2/9 → Tuesday 3/9 (2024), Tuesday → Monday 1/9 (2025), Wednesday → Tuesday 1/9
    /// (2026, per the government's approval of 25/12/2025 as reported), Thursday → Friday
    /// 3/9 (2021), Friday → Thursday 1/9 (2022), Saturday → Friday 1/9 (2023), Sunday →
    /// Monday 3/9.
    public func extraNationalDay(year: Int) -> LocalDate {
        let second = LocalDate(year: year, month: 9, day: 2)!
        let choice = nationalDayExtraDay[year] ?? .usualChoice
        switch choice {
        case .dayBefore: return second.adding(days: -1)
        case .dayAfter: return second.adding(days: 1)
        case .usualChoice:
            switch second.isoWeekday {
            case 1, 4, 7: return second.adding(days: 1)
            default: return second.adding(days: -1)
            }
        }
    }

    /// Every day off the rules give in `year` besides ordinary weekends: the statutory
    /// holidays that fall on weekdays, the ones that fall on weekends (listed, since they are
    /// still holidays), and one compensatory weekday for each weekend holiday (art. 111(3)):
    /// the next day that is neither a weekend, nor a holiday, nor already given back.
    public func holidays(year: Int) -> [Holiday] {
        let statutory = statutoryHolidays(year: year)
        guard compensatesWeekendHolidays else { return statutory }
        var taken = Set(statutory.map(\.date))
        var result = statutory
        for holiday in statutory where holiday.date.isWeekend {
            var day = holiday.date.adding(days: 1)
            while day.isWeekend || taken.contains(day) {
                day = day.adding(days: 1)
            }
            taken.insert(day)
            result.append(Holiday(date: day, name: "Nghỉ bù \(holiday.name) (\(holiday.date))", source: .compensatory))
        }
        return result.sorted()
    }
}
