@testable import CatalogService
import DVCProto
import Foundation
import Testing

/// Appointments under the standard office hours (07:00–11:30, 13:30–17:00 = 480 minutes)
/// and the official overrides. Expected times are worked out by hand in the comments.
@Suite struct WorkingCalendarTests {
    let calendar = WorkingCalendar(overrides: OfficialCalendarOverrides.all)

    func due(_ received: String, _ limit: TimeLimit, paused: Int = 0,
             in calendar: WorkingCalendar? = nil) throws -> Appointment {
        try (calendar ?? self.calendar).appointment(receivedAtUnixMs: hanoiUnixMs(received), limit: limit,
                                                   pausedWorkingMinutes: paused)
    }

    @Test func standardOfficeDayIs480Minutes() {
        #expect(OfficeHours.standard.minutesPerDay == 480)
        #expect(OfficeHours.standard.description == "07:00–11:30, 13:30–17:00")
    }

    /// 16:59 Tuesday: 1 minute left that day, 479 the next → Wednesday 16:59.
    @Test func receivedOneMinuteBeforeClosing() throws {
        let a = try due("2024-03-12 16:59", .workingDays(1))
        #expect(a.countedFromUnixMs == hanoiUnixMs("2024-03-12 16:59"))
        #expect(a.appointmentAtUnixMs == hanoiUnixMs("2024-03-13 16:59"))
        #expect(a.appointmentLocal == "2024-03-13 16:59")
    }

    /// 17:01 Tuesday: counts from Wednesday 07:00; a whole office day ends exactly at
    /// Wednesday's closing, which is the appointment (not Thursday 07:00).
    @Test func receivedAfterClosing() throws {
        let a = try due("2024-03-12 17:01", .workingDays(1))
        #expect(a.countedFromLocal == "2024-03-13 07:00")
        #expect(a.appointmentLocal == "2024-03-13 17:00")
        // Exactly 17:00 is already after hours ([start, end) spans).
        #expect(try due("2024-03-12 17:00", .workingDays(1)).countedFromLocal == "2024-03-13 07:00")
    }

    /// 11:45 is the lunch break: counting starts at 13:30. 4 hours: 210 minutes to 17:00,
    /// 30 the next morning → 07:30. One day: 210 + 270 → 11:30 the next day.
    @Test func receivedDuringLunch() throws {
        let hours = try due("2024-03-12 11:45", .workingHours(4))
        #expect(hours.countedFromLocal == "2024-03-12 13:30")
        #expect(hours.appointmentLocal == "2024-03-13 07:30")
        #expect(try due("2024-03-12 11:45", .workingDays(1)).appointmentLocal == "2024-03-13 11:30")
        // 11:30 sharp is lunch too; 13:30 sharp counts at once.
        #expect(try due("2024-03-12 11:30", .workingHours(1)).countedFromLocal == "2024-03-12 13:30")
        #expect(try due("2024-03-12 13:30", .workingHours(1)).appointmentLocal == "2024-03-12 14:30")
    }

    @Test func receivedBeforeOpening() throws {
        let a = try due("2024-03-12 06:15", .workingHours(2))
        #expect(a.countedFromLocal == "2024-03-12 07:00")
        #expect(a.appointmentLocal == "2024-03-12 09:00")
        // Just after midnight, and just before it.
        #expect(try due("2024-03-12 00:00", .workingHours(1)).countedFromLocal == "2024-03-12 07:00")
        #expect(try due("2024-03-11 23:59", .workingHours(1)).countedFromLocal == "2024-03-12 07:00")
    }

    /// Saturday: counts from Monday 07:00; 2 days end Tuesday 17:00.
    @Test func receivedOnSaturday() throws {
        let a = try due("2024-03-16 10:00", .workingDays(2))
        #expect(a.countedFromLocal == "2024-03-18 07:00")
        #expect(a.appointmentLocal == "2024-03-19 17:00")
    }

    /// Friday 10:00 + 1 day: 90 + 210 = 300 minutes on Friday, 180 on Monday → 10:00.
    @Test func acrossAWeekend() throws {
        let a = try due("2024-03-15 10:00", .workingDays(1))
        #expect(a.countedFromLocal == "2024-03-15 10:00")
        #expect(a.appointmentLocal == "2024-03-18 10:00")
    }

    /// The same with 120 paused minutes added back: 300 Friday, 270 Monday morning,
    /// 30 after lunch → Monday 14:00.
    @Test func pausedMinutesAreAddedBack() throws {
        let a = try due("2024-03-15 10:00", .workingDays(1), paused: 120)
        #expect(a.appointmentLocal == "2024-03-18 14:00")
        // A pause of a whole office day moves the appointment by one working day.
        #expect(try due("2024-03-15 10:00", .workingDays(1), paused: 480).appointmentLocal == "2024-03-19 10:00")
    }

    /// Friday 24/1/2025 16:00, 3 working days, right before the Tết break 25/1–2/2:
    /// 60 minutes on Friday, then 3/2 and 4/2 whole (960), then 420 of Wednesday 5/2:
    /// 270 in the morning and 150 after 13:30 → Wednesday 5 February 2025, 16:00.
    @Test func rightBeforeTet2025() throws {
        let a = try due("2025-01-24 16:00", .workingDays(3))
        #expect(a.countedFromLocal == "2025-01-24 16:00")
        #expect(a.appointmentLocal == "2025-02-05 16:00")
        #expect(a.appointmentAtUnixMs == hanoiUnixMs("2025-02-05 16:00"))
        // Received during the break: counts from Monday 3/2, 07:00.
        #expect(try due("2025-01-29 09:00", .workingDays(1)).countedFromLocal == "2025-02-03 07:00")
    }

    /// Tết 2024 (8–14/2): Wednesday 7/2 15:00 + 1 day → 120 that day, 360 on Thursday 15/2
    /// → 15/2 15:00.
    @Test func acrossTet2024() throws {
        #expect(try due("2024-02-07 15:00", .workingDays(1)).appointmentLocal == "2024-02-15 15:00")
    }

    /// Tuesday 29/4/2025 16:00 + 1 day: 60 that day; 30/4–4/5 off; Monday 5/5 270 + 150
    /// → 16:00.
    @Test func acrossReunificationDay2025() throws {
        #expect(try due("2025-04-29 16:00", .workingDays(1)).appointmentLocal == "2025-05-05 16:00")
    }

    @Test func receivedOnAHoliday() throws {
        #expect(try due("2025-09-02 10:00", .workingDays(1)).countedFromLocal == "2025-09-03 07:00")
        #expect(try due("2025-04-07 08:00", .workingHours(8)).appointmentLocal == "2025-04-08 17:00")
    }

    /// Working-hour limits count the same office minutes: Tuesday 09:00 + 4 h → 150 in the
    /// morning, 90 after lunch → 15:00; + 8 h is one office day → Wednesday 09:00.
    @Test func workingHourLimits() throws {
        #expect(try due("2024-03-12 09:00", .workingHours(4)).appointmentLocal == "2024-03-12 15:00")
        #expect(try due("2024-03-12 09:00", .workingHours(8)).appointmentLocal == "2024-03-13 09:00")
        #expect(try due("2024-03-12 09:00", .workingHours(24)).appointmentLocal == "2024-03-15 09:00")
    }

    /// Saturday 26/4/2025 is worked to make up Friday 2/5. Friday 25/4 09:00 + 1 day:
    /// 360 on Friday, then 120 on Saturday → Saturday 26/4 09:00. Received on that Saturday
    /// it counts at once.
    @Test func makeUpSaturdayCountsAsAWorkingDay() throws {
        #expect(try due("2025-04-25 09:00", .workingDays(1)).appointmentLocal == "2025-04-26 09:00")
        let onSaturday = try due("2025-04-26 10:00", .workingHours(1))
        #expect(onSaturday.countedFromLocal == "2025-04-26 10:00")
        #expect(onSaturday.appointmentLocal == "2025-04-26 11:00")
        // 2024's make-up Saturday 4/5: Friday 3/5 16:00 + 1 day → 60, then 420 on Saturday
        // → Saturday 4/5 16:00 (not Monday).
        #expect(try due("2024-05-03 16:00", .workingDays(1)).appointmentLocal == "2024-05-04 16:00")
    }

    /// An agency open 07:30–12:00 and 13:00–16:30 (480 minutes), and one open mornings
    /// only, 08:00–12:00 (a working day is then 240 minutes).
    @Test func customOfficeHours() throws {
        let split = WorkingCalendar(officeHours: try OfficeHours([(450, 720), (780, 990)]),
                                    overrides: OfficialCalendarOverrides.all)
        #expect(split.officeHours.minutesPerDay == 480)
        // 16:00 Tuesday: 30 minutes, then 450 Wednesday: 270 morning + 180 → 16:00.
        #expect(try due("2024-03-12 16:00", .workingDays(1), in: split).appointmentLocal == "2024-03-13 16:00")
        // 16:40 is after this agency's closing: next morning 07:30, ends 16:30.
        let late = try due("2024-03-12 16:40", .workingDays(1), in: split)
        #expect(late.countedFromLocal == "2024-03-13 07:30")
        #expect(late.appointmentLocal == "2024-03-13 16:30")
        // 12:30 is its lunch break.
        #expect(try due("2024-03-12 12:30", .workingHours(1), in: split).appointmentLocal == "2024-03-12 14:00")

        let mornings = WorkingCalendar(officeHours: try OfficeHours([(480, 720)]))
        #expect(mornings.officeHours.minutesPerDay == 240)
        #expect(try due("2024-03-11 08:00", .workingDays(2), in: mornings).appointmentLocal == "2024-03-12 12:00")
        #expect(try due("2024-03-11 14:00", .workingDays(1), in: mornings).countedFromLocal == "2024-03-12 08:00")
    }

    @Test func officeHoursFromTheWire() throws {
        #expect(try OfficeHours(proto: []) == .standard)
        var morning = CatalogV1.OfficeHours()
        morning.startMinute = 420
        morning.endMinute = 690
        var afternoon = CatalogV1.OfficeHours()
        afternoon.startMinute = 810
        afternoon.endMinute = 1020
        let hours = try OfficeHours(proto: [morning, afternoon])
        #expect(hours == .standard)
        #expect(hours.proto == [morning, afternoon])
    }

    @Test func badOfficeHoursAreRefused() {
        #expect(throws: OfficeHours.ValidationError.empty) { try OfficeHours([]) }
        #expect(throws: OfficeHours.ValidationError.emptySpan(index: 0)) { try OfficeHours([(600, 600)]) }
        #expect(throws: OfficeHours.ValidationError.outOfDay(index: 1)) { try OfficeHours([(420, 690), (810, 1441)]) }
        #expect(throws: OfficeHours.ValidationError.unorderedOrOverlapping(index: 1)) {
            try OfficeHours([(420, 700), (690, 1020)])
        }
        #expect(throws: OfficeHours.ValidationError.unorderedOrOverlapping(index: 1)) {
            try OfficeHours([(810, 1020), (420, 690)])
        }
        // Touching spans are fine.
        #expect((try? OfficeHours([(420, 690), (690, 1020)]))?.minutesPerDay == 600)
    }

    @Test func zeroLimitIsTheCountingStart() throws {
        #expect(try due("2024-03-12 10:15", .workingDays(0)).appointmentLocal == "2024-03-12 10:15")
        #expect(try due("2024-03-16 10:15", .workingDays(0)).appointmentLocal == "2024-03-18 07:00")
    }

    @Test func badLimitsAreRefused() {
        #expect(throws: WorkingCalendar.Error.negativeLimit) { try due("2024-03-12 10:00", .workingDays(-1)) }
        #expect(throws: WorkingCalendar.Error.negativePause) { try due("2024-03-12 10:00", .workingDays(1), paused: -5) }
        #expect(throws: WorkingCalendar.Error.limitTooLarge) { try due("2024-03-12 10:00", .workingDays(100_000)) }
        #expect(throws: WorkingCalendar.Error.limitTooLarge) { try due("2024-03-12 10:00", .workingDays(Int.max)) }
        #expect(throws: WorkingCalendar.Error.negativeLimit) { try due("2024-03-12 10:00", .workingHours(Int.min)) }
        #expect(throws: WorkingCalendar.Error.limitTooLarge) {
            try due("2024-03-12 10:00", .workingDays(1), paused: Int.max)
        }
    }

    @Test func receiptTimesOutsideTheSupportedYearsAreRefused() throws {
        for bad in [Int64.max, Int64.min, hanoiUnixMs("1899-12-31 23:59"), hanoiUnixMs("2200-01-01 00:00"),
                    hanoiUnixMs("2025-01-24 16:00") * 1000] {
            #expect(throws: WorkingCalendar.Error.receivedAtOutOfRange) {
                try calendar.appointment(receivedAtUnixMs: bad, limit: .workingDays(1))
            }
            #expect(!calendar.isOfficeTime(unixMs: bad))
        }
        // The edges are accepted (1/1/1900 is a Monday and New Year's Day).
        #expect(try calendar.appointment(receivedAtUnixMs: hanoiUnixMs("1900-01-01 00:00"), limit: .workingDays(1))
                .countedFromLocal == "1900-01-02 07:00")
        #expect(throws: Never.self) {
            try calendar.appointment(receivedAtUnixMs: hanoiUnixMs("2199-12-31 23:59"), limit: .workingDays(1))
        }
    }

    /// Seconds are kept: 16:59:30 leaves 30 seconds that day.
    @Test func secondsAreKept() throws {
        let received = hanoiUnixMs("2024-03-12 16:59") + 30_000
        let a = try calendar.appointment(receivedAtUnixMs: received, limit: .workingHours(1))
        #expect(a.countedFromUnixMs == received)
        #expect(a.appointmentAtUnixMs == hanoiUnixMs("2024-03-13 07:59") + 30_000)
    }

    @Test func foundationDateEntryPointAgrees() throws {
        let ms = hanoiUnixMs("2025-01-24 16:00")
        let viaDate = try calendar.appointment(receivedAt: Date(timeIntervalSince1970: Double(ms) / 1000),
                                               limit: .workingDays(3))
        #expect(viaDate == (try calendar.appointment(receivedAtUnixMs: ms, limit: .workingDays(3))))
        #expect(viaDate.appointmentAt == Date(timeIntervalSince1970: Double(hanoiUnixMs("2025-02-05 16:00")) / 1000))
        #expect(viaDate.countedFrom == Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    @Test func wireForm() throws {
        let a = try due("2025-01-24 16:00", .workingDays(3))
        let message = a.proto
        #expect(message.appointmentAtUnixMs == hanoiUnixMs("2025-02-05 16:00"))
        #expect(message.countedFromUnixMs == hanoiUnixMs("2025-01-24 16:00"))
        #expect(message.appointmentLocal == "2025-02-05 16:00")
    }

    /// Local time is UTC+7 by arithmetic: 17:00 in Hà Nội is 10:00 UTC; the local day
    /// changes at 17:00 UTC; instants before 1970 work too.
    @Test func fixedOffsetArithmetic() {
        #expect(hanoiUnixMs("2025-01-24 17:00") == 1_737_712_800_000)
        #expect(WorkingCalendar.localString(unixMs: 1_737_712_800_000) == "2025-01-24 17:00")
        #expect(WorkingCalendar.local(unixMs: hanoiUnixMs("2025-01-24 23:59")).date == LocalDate("2025-01-24"))
        #expect(WorkingCalendar.local(unixMs: hanoiUnixMs("2025-01-25 00:00")).date == LocalDate("2025-01-25"))
        #expect(WorkingCalendar.localString(unixMs: 0) == "1970-01-01 07:00")
        #expect(WorkingCalendar.localString(unixMs: -1) == "1970-01-01 06:59")
        #expect(WorkingCalendar.localString(unixMs: -25_200_001) == "1969-12-31 23:59")
        #expect(WorkingCalendar.unixMs(date: LocalDate("2025-01-24")!, hour: 17, minute: 0) == hanoiUnixMs("2025-01-24 17:00"))
    }

    @Test func officeTime() {
        #expect(calendar.isOfficeTime(unixMs: hanoiUnixMs("2024-03-12 07:00")))
        #expect(!calendar.isOfficeTime(unixMs: hanoiUnixMs("2024-03-12 11:30")))
        #expect(calendar.isOfficeTime(unixMs: hanoiUnixMs("2024-03-12 16:59")))
        #expect(!calendar.isOfficeTime(unixMs: hanoiUnixMs("2024-03-12 17:00")))
        #expect(!calendar.isOfficeTime(unixMs: hanoiUnixMs("2024-03-16 09:00")))
        #expect(calendar.isOfficeTime(unixMs: hanoiUnixMs("2025-04-26 09:00")))
        #expect(!calendar.isOfficeTime(unixMs: hanoiUnixMs("2025-01-27 09:00")))
    }

    /// The appointment always lands inside office hours (or at the end of a span) of a
    /// working day, and counting is monotonic in the limit.
    @Test func appointmentsLandInOfficeHours() throws {
        let start = hanoiUnixMs("2024-12-20 00:00")
        var received = start
        while received < start + 50 * 86_400_000 {          // through Tết 2025 and beyond
            var previous = Int64.min
            for hours in [0, 1, 4, 8, 9, 40] {
                let a = try calendar.appointment(receivedAtUnixMs: received, limit: .workingHours(hours))
                let (date, ms) = WorkingCalendar.local(unixMs: a.appointmentAtUnixMs)
                #expect(calendar.isWorkingDay(date))
                let minute = ms / 60_000
                #expect(OfficeHours.standard.spans.contains { $0.startMinute <= minute && minute <= $0.endMinute },
                        "\(a)")
                #expect(a.appointmentAtUnixMs >= previous)
                #expect(a.countedFromUnixMs >= received)
                previous = a.appointmentAtUnixMs
            }
            received += 97 * 60_000   // an odd step so every time of day comes up
        }
    }

    @Test func overridesWinAndTheLastOneForADateCounts() {
        let date = LocalDate("2024-03-12")!
        let closed = WorkingCalendar(overrides: [CalendarOverride(date: date, working: false, reason: "test")])
        #expect(!closed.isWorkingDay(date))
        let reopened = WorkingCalendar(overrides: [
            CalendarOverride(date: date, working: false, reason: "first"),
            CalendarOverride(date: date, working: true, reason: "second"),
        ])
        #expect(reopened.isWorkingDay(date))
        #expect(reopened.overrides[date]?.reason == "second")
        // A Sunday made a working day.
        let sunday = LocalDate("2024-03-17")!
        #expect(WorkingCalendar(overrides: [CalendarOverride(date: sunday, working: true, reason: "x")]).isWorkingDay(sunday))
    }
}
