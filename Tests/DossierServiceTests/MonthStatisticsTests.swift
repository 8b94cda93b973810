import DVCProto
import Foundation
import Storage
import StorageTestKit
import Testing

@testable import DossierService

/// The monthly counters on known dossiers: each figure where the Decision 766 indicators and
/// the public statistics read it, in the month it belongs to (Hà Nội time), with approvals,
/// refusals and withdrawals apart.
@Suite struct MonthStatisticsTests {
    static let agency = "000.00.20.H26"

    /// 00:00 of the day in Hà Nội (UTC+7) as Unix milliseconds.
    static func hanoi(_ year: Int, _ month: Int, _ day: Int, hour: Int = 0) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        return Int64(calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour))!.timeIntervalSince1970 * 1000)
    }

    static func dossier(_ id: String, channel: DossierV1.Channel, submitted: Int64, received: Int64? = nil,
                        state: DossierV1.DossierState, appointment: Int64? = nil, decided: Int64? = nil,
                        feeSettled: Bool = false, overdue: Bool = false) -> DossierRow {
        var row = DossierRow(id: id, agencyCode: agency, procedureCode: "P", applicantID: "001099012345", channel: channel,
                             pinSalt: Data([1]), pinHash: Data([2]), submittedAtMs: submitted, idempotencyKey: id, details: .init())
        row.state = state
        row.receivedAtMs = received
        row.appointmentAtMs = appointment
        row.decidedAtMs = decided
        row.feeSettled = feeSettled
        row.overdue = overdue
        return row
    }

    @Test("approved on time and late, refused, withdrawn, not received, online, fees: each in its month", arguments: TestDatabases.backends)
    func knownMonth(backend: SQLBackend) throws {
        let database = try DossierTestDatabases.make(backend)
        let jan = Self.hanoi(2026, 1, 10), feb = Self.hanoi(2026, 2, 3)
        // 31 January 23:30 in Hà Nội is 16:30 UTC: January, not February.
        let lateJanuary = Self.hanoi(2026, 1, 31, hour: 23) + 30 * 60_000
        let day: Int64 = 86_400_000
        let rows = [
            Self.dossier("on-time", channel: .online, submitted: jan, received: jan, state: .resultReturned,
                         appointment: jan + 5 * day, decided: jan + 5 * day, feeSettled: true),
            Self.dossier("late", channel: .inPerson, submitted: jan, received: jan, state: .processed,
                         appointment: jan + day, decided: jan + 2 * day),
            // Refused by its appointment: not "on time", counted as refused.
            Self.dossier("refused", channel: .online, submitted: jan, received: jan, state: .stopped,
                         appointment: jan + 5 * day, decided: jan + day),
            Self.dossier("withdrawn", channel: .online, submitted: jan, received: jan, state: .withdrawn, appointment: jan + 5 * day),
            // Withdrawn before reception: submitted, nothing received.
            Self.dossier("withdrawn-early", channel: .postal, submitted: jan, state: .withdrawn),
            Self.dossier("not-received", channel: .online, submitted: lateJanuary, state: .notReceived),
            Self.dossier("owes-fee", channel: .online, submitted: jan, received: lateJanuary, state: .awaitingPayment,
                         appointment: feb + day, overdue: true),
            // Submitted in January, received in February.
            Self.dossier("february", channel: .inPerson, submitted: lateJanuary, received: feb, state: .processing,
                         appointment: feb + day),
        ]
        try database.write { db in for row in rows { try row.insert(db) } }
        let (january, february, year, months) = try database.read { db in
            (try DossierMonthStatistics.figures(agency: Self.agency, months: 202601...202601, db),
             try DossierMonthStatistics.figures(agency: Self.agency, months: 202602...202602, db),
             try DossierQueries.statistics(agency: Self.agency, year: 2026, db),
             try DossierMonthStatistics.monthly(agency: Self.agency, months: 202601...202612, db))
        }
        #expect(january.submitted == 8 && january.submittedOnline == 5 && january.notReceived == 1)
        #expect(january.received == 5)
        #expect(january.resolvedOnTime == 1 && january.resolvedLate == 1 && january.refused == 1 && january.withdrawn == 1)
        #expect(january.inProgress == 1 && january.inProgressOverdue == 1)
        #expect(january.feeRequired == 2 && january.feePaidOnline == 1)
        #expect(february.submitted == 0 && february.received == 1 && february.inProgress == 1 && february.resolvedOnTime == 0)
        #expect(year.received == 6 && year.submitted == 8 && year.refused == 1)
        #expect(months.keys.sorted() == [202601, 202602] && months[202601] == january && months[202602] == february)
        // A later approval moves the dossier from "in progress" to "on time" in its month of receipt.
        try database.write { db in
            try db.execute(sql: "UPDATE dossier SET state = 9, decided_at_ms = appointment_at_ms - 1 WHERE id = 'february'")
        }
        let after = try database.read { db in try DossierMonthStatistics.figures(agency: Self.agency, months: 202602...202602, db) }
        #expect(after.inProgress == 0 && after.resolvedOnTime == 1 && after.received == 1)
    }
}
