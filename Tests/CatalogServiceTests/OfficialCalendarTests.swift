@testable import CatalogService
import DVCProto
import Testing

/// The calendars of 2024 and 2025 for civil servants, day by day, against the announced
/// arrangements (written here from the notices' text as ranges, independently of how the
/// overrides encode them).
@Suite struct OfficialCalendarTests {
    let calendar = WorkingCalendar(overrides: OfficialCalendarOverrides.all)

    /// Thông báo 5015/TB-LĐTBXH (Tết 8–14/2, Quốc khánh 31/8–3/9) and 1570/TB-BLĐTBXH
    /// (27/4–1/5, Saturday 4/5 worked); 1/1 and Hùng Kings 18/4 by the law alone.
    static let off2024 = ["2024-01-01"] + dateRange("2024-02-08", "2024-02-14") + ["2024-04-18"]
        + dateRange("2024-04-27", "2024-05-01") + dateRange("2024-08-31", "2024-09-03")
    static let makeUp2024 = ["2024-05-04"]

    /// Thông báo 6150/TB-LĐTBXH: Tết 25/1–2/2, 30/4–4/5 with Saturday 26/4 worked,
    /// Quốc khánh 30/8–2/9; 1/1 and Hùng Kings 7/4 by the law alone.
    static let off2025 = ["2025-01-01"] + dateRange("2025-01-25", "2025-02-02") + ["2025-04-07"]
        + dateRange("2025-04-30", "2025-05-04") + dateRange("2025-08-30", "2025-09-02")
    static let makeUp2025 = ["2025-04-26"]

    /// Công văn 12729/VPCP-KGVX (1–4/1, Saturday 10/1 worked) and Thông báo 9441/TB-BNV (Tết
    /// 14–22/2; Quốc khánh 29/8–2/9 with Saturday 22/8 worked); Hùng Kings on Sunday 26/4 given
    /// back on Monday 27/4, 30/4 and 1/5 by the law alone.
    static let off2026 = dateRange("2026-01-01", "2026-01-04") + dateRange("2026-02-14", "2026-02-22")
        + ["2026-04-27"] + dateRange("2026-04-30", "2026-05-01") + dateRange("2026-08-29", "2026-09-02")
    static let makeUp2026 = ["2026-01-10", "2026-08-22"]

    func check(year: Int, off: [String], makeUp: [String]) {
        let offSet = Set(off)
        let makeUpSet = Set(makeUp)
        var workingDays = 0
        for text in dateRange("\(year)-01-01", "\(year)-12-31") {
            let date = LocalDate(text)!
            let expected = !offSet.contains(text) && (!date.isWeekend || makeUpSet.contains(text))
            #expect(calendar.isWorkingDay(date) == expected, "\(text) (weekday \(date.isoWeekday))")
            if expected { workingDays += 1 }
        }
        // Eleven statutory days, each off exactly once: the year keeps its weekdays minus 11.
        let weekdays = dateRange("\(year)-01-01", "\(year)-12-31").filter { !LocalDate($0)!.isWeekend }.count
        #expect(workingDays == weekdays - 11)
    }

    @Test func calendar2024() { check(year: 2024, off: Self.off2024, makeUp: Self.makeUp2024) }
    @Test func calendar2025() { check(year: 2025, off: Self.off2025, makeUp: Self.makeUp2025) }
    @Test func calendar2026() { check(year: 2026, off: Self.off2026, makeUp: Self.makeUp2026) }

    /// The 2026 announcements move appointments: three working days from Wednesday 31/12/2025
    /// 09:00 skip 1/1 and the swapped Friday 2/1; five from Friday 21/8/2026 count Saturday
    /// 22/8 and skip 31/8–2/9.
    @Test func the2026AnnouncementsMoveAppointments() throws {
        let rulesOnly = WorkingCalendar(overrides: [])
        let received = hanoiUnixMs("2025-12-31 09:00")
        let withRules = try rulesOnly.appointment(receivedAtUnixMs: received, limit: .workingDays(3), pausedWorkingMinutes: 0)
        let announced = try calendar.appointment(receivedAtUnixMs: received, limit: .workingDays(3), pausedWorkingMinutes: 0)
        // Default office hours 07:00–11:30, 13:30–17:00: 31/12 gives 6 h, then 8 h a day.
        #expect(withRules.appointmentAtUnixMs == hanoiUnixMs("2026-01-06 09:00"))
        #expect(announced.appointmentAtUnixMs == hanoiUnixMs("2026-01-07 09:00"))
        let august = hanoiUnixMs("2026-08-21 07:00")
        let before = try rulesOnly.appointment(receivedAtUnixMs: august, limit: .workingDays(5), pausedWorkingMinutes: 0)
        let after = try calendar.appointment(receivedAtUnixMs: august, limit: .workingDays(5), pausedWorkingMinutes: 0)
        // Rules: 21, 24, 25, 26, 27/8 → 17:00 on 27/8. Announced: 21, 22, 24, 25, 26/8.
        #expect(before.appointmentAtUnixMs == hanoiUnixMs("2026-08-27 17:00"))
        #expect(after.appointmentAtUnixMs == hanoiUnixMs("2026-08-26 17:00"))
    }

    @Test func tetBreaks() {
        #expect(dateRange("2024-02-08", "2024-02-14").allSatisfy { !calendar.isWorkingDay(LocalDate($0)!) })
        #expect(calendar.isWorkingDay(LocalDate("2024-02-07")!))
        #expect(calendar.isWorkingDay(LocalDate("2024-02-15")!))
        #expect(dateRange("2025-01-25", "2025-02-02").allSatisfy { !calendar.isWorkingDay(LocalDate($0)!) })
        #expect(calendar.isWorkingDay(LocalDate("2025-01-24")!))
        #expect(calendar.isWorkingDay(LocalDate("2025-02-03")!))
        #expect(calendar.nextWorkingDay(after: LocalDate("2025-01-24")!) == LocalDate("2025-02-03"))
    }

    @Test func hungKingsDays() {
        #expect(!calendar.isWorkingDay(LocalDate("2024-04-18")!))
        #expect(!calendar.isWorkingDay(LocalDate("2025-04-07")!))
        #expect(calendar.isWorkingDay(LocalDate("2024-04-19")!))
        #expect(calendar.isWorkingDay(LocalDate("2025-04-08")!))
    }

    @Test func makeUpSaturdaysAreWorkingDays() {
        #expect(calendar.isWorkingDay(LocalDate("2024-05-04")!))
        #expect(calendar.isWorkingDay(LocalDate("2025-04-26")!))
        #expect(!calendar.isWorkingDay(LocalDate("2024-05-05")!))
        #expect(!calendar.isWorkingDay(LocalDate("2025-04-27")!))
        #expect(calendar.workingOverrides(year: 2024).map(\.date.description).contains("2024-05-04"))
        #expect(calendar.workingOverrides(year: 2025).filter { $0.date.isWeekend }.map(\.date.description) == ["2025-04-26"])
    }

    /// Without the overrides the rules alone get 2025's Tết wrong, which is why they exist.
    @Test func rulesAloneDifferFromTheArrangement() {
        let bare = WorkingCalendar()
        #expect(bare.isWorkingDay(LocalDate("2025-01-27")!))
        #expect(!bare.isWorkingDay(LocalDate("2025-02-03")!))
        #expect(bare.isWorkingDay(LocalDate("2025-05-02")!))
        #expect(!bare.isWorkingDay(LocalDate("2025-04-26")!))
    }

    @Test func everyOverrideNamesItsAnnouncement() {
        let notices = ["5015/TB-LĐTBXH", "1570/TB-BLĐTBXH", "6150/TB-LĐTBXH", "12729/VPCP-KGVX", "9441/TB-BNV"]
        for entry in OfficialCalendarOverrides.all {
            #expect(notices.contains { entry.reason.contains($0) }, "\(entry)")
        }
        #expect(Set(OfficialCalendarOverrides.all.map(\.date)).count == OfficialCalendarOverrides.all.count)
        #expect(OfficialCalendarOverrides.forYear(2024) == OfficialCalendarOverrides.year2024.sorted())
        #expect(OfficialCalendarOverrides.forYear(2023).isEmpty)
    }

    @Test func holidayListing() {
        let listed = calendar.holidays(year: 2025)
        let weekdaysOff = listed.filter { !$0.date.isWeekend }.map(\.date.description)
        #expect(weekdaysOff == Self.off2025.filter { !LocalDate($0)!.isWeekend })
        // A rule's compensatory day that the arrangement cancels is not listed.
        #expect(!listed.contains { $0.date == LocalDate("2025-02-03") })
        #expect(listed.first { $0.date == LocalDate("2025-05-02") }?.source == .override)
        #expect(listed.first { $0.date == LocalDate("2025-04-07") }?.source == .lunar)
        let hungKings = listed.first { $0.date == LocalDate("2025-04-07") }!.proto
        #expect(hungKings.date == "2025-04-07" && hungKings.source == "lunar" && hungKings.name.contains("Hùng Vương"))
    }

    @Test func overridesConvertToAndFromTheWireForm() throws {
        for entry in OfficialCalendarOverrides.all {
            let message = entry.proto
            #expect(message.date == entry.date.description)
            #expect(try #require(CalendarOverride(message)) == entry)
        }
        var bad = CatalogV1.CalendarOverride()
        bad.date = "2025-02-30"
        #expect(CalendarOverride(bad) == nil)
    }
}
