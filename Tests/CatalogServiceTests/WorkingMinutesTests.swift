import Testing

@testable import CatalogService

/// Office minutes between two instants: what a supplement pause adds back to an appointment.
@Suite struct WorkingMinutesTests {
    let calendar = WorkingCalendar(overrides: OfficialCalendarOverrides.all)

    func at(_ text: String, _ hour: Int, _ minute: Int) -> Int64 {
        WorkingCalendar.unixMs(date: LocalDate(text)!, hour: hour, minute: minute)
    }

    @Test("within a morning, across lunch, across a weekend, across Tết 2025")
    func spans() {
        // Wednesday 2025-03-05.
        #expect(calendar.workingMinutes(fromUnixMs: at("2025-03-05", 8, 0), toUnixMs: at("2025-03-05", 9, 30)) == 90)
        // 11:00 to 14:00: 30 minutes before lunch, 30 after.
        #expect(calendar.workingMinutes(fromUnixMs: at("2025-03-05", 11, 0), toUnixMs: at("2025-03-05", 14, 0)) == 60)
        // A whole working day.
        #expect(calendar.workingMinutes(fromUnixMs: at("2025-03-05", 0, 0), toUnixMs: at("2025-03-06", 0, 0)) == 480)
        // Friday 16:00 to Monday 08:00: one hour Friday, one Monday.
        #expect(calendar.workingMinutes(fromUnixMs: at("2025-03-07", 16, 0), toUnixMs: at("2025-03-10", 8, 0)) == 120)
        // Friday 24 Jan 2025 16:00 to Tuesday 4 Feb 08:00: the Tết break counts nothing
        // (Monday 3 Feb was a working day: 480 minutes).
        #expect(calendar.workingMinutes(fromUnixMs: at("2025-01-24", 16, 0), toUnixMs: at("2025-02-04", 8, 0)) == 60 + 480 + 60)
        #expect(calendar.workingMinutes(fromUnixMs: at("2025-03-05", 9, 0), toUnixMs: at("2025-03-05", 8, 0)) == 0)
    }
}
