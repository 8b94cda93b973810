import DVCProto
import Foundation
import RPCCore
import Testing

@testable import DossierService

@Suite struct ReceiptCodeTests {
    static let agency = "000.00.20.H26"

    /// Unix milliseconds of a Hà Nội wall-clock time, through Foundation's calendar at a fixed
    /// +07:00: an oracle independent of the arithmetic under test.
    static func hanoiUnixMs(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0,
                            _ second: Int = 0, ms: Int = 0) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        let date = calendar.date(from: DateComponents(year: year, month: month, day: day,
                                                      hour: hour, minute: minute, second: second))!
        return Int64((date.timeIntervalSince1970 * 1000).rounded()) + Int64(ms)
    }

    static func day(_ year: Int, _ month: Int, _ day: Int) -> ReceiptCode.Day {
        ReceiptCode.Day(year: year, month: month, day: day)!
    }

    @Test func theExampleOfTheDesign() throws {
        let code = try ReceiptCode(agencyCode: Self.agency, day: Self.day(2026, 11, 29), sequence: 1)
        #expect(code.description == "000.00.20.H26-261129-0001")
        #expect(try ReceiptCode(parsing: "000.00.20.H26-261129-0001") == code)
    }

    @Test func theSequenceIsZeroPaddedToFourDigits() throws {
        for (sequence, text) in [(1, "0001"), (42, "0042"), (999, "0999"), (1000, "1000"), (9999, "9999")] {
            let code = try ReceiptCode(agencyCode: Self.agency, day: Self.day(2026, 1, 5), sequence: sequence)
            #expect(code.description == "000.00.20.H26-260105-\(text)")
        }
    }

    @Test func theTenThousandthReceiptOfADayIsRefused() throws {
        #expect(throws: ReceiptCodeError.sequenceExhausted(agencyCode: Self.agency, day: "261129", sequence: 10000)) {
            try ReceiptCode(agencyCode: Self.agency, day: Self.day(2026, 11, 29), sequence: 10000)
        }
        do {
            _ = try ReceiptCode(agencyCode: Self.agency, day: Self.day(2026, 11, 29), sequence: 12345)
            Issue.record("accepted 12345")
        } catch {
            let rpc = RPCError(from: error)
            #expect(rpc.code == .resourceExhausted)
            #expect(rpc.message.contains("9999"))
            #expect(rpc.message.contains(Self.agency))
        }
    }

    @Test func sequencesStartAtOne() {
        for sequence in [0, -1, Int.min] {
            #expect(throws: ReceiptCodeError.sequenceBelowOne(sequence)) {
                try ReceiptCode(agencyCode: Self.agency, day: Self.day(2026, 11, 29), sequence: sequence)
            }
        }
    }

    @Test func agencyCodesThatCouldNotBeReadBack() {
        for agency in ["", "000.00.20 H26", "000/00", "Sở Tư pháp", String(repeating: "A", count: 65)] {
            #expect(throws: ReceiptCodeError.invalidAgencyCode(agency)) {
                try ReceiptCode(agencyCode: agency, day: Self.day(2026, 11, 29), sequence: 1)
            }
        }
        #expect(throws: Never.self) {
            try ReceiptCode(agencyCode: String(repeating: "A", count: 64), day: Self.day(2026, 11, 29), sequence: 1)
        }
    }

    /// The date is Vietnam's: a dossier received at 23:59 in Hà Nội (16:59 UTC) is of that
    /// day, one received a minute after midnight (17:01 UTC the day before) of the next.
    @Test func theDateIsTheDayInVietnam() throws {
        let lastMoment = Self.hanoiUnixMs(2026, 11, 28, 23, 59, 59, ms: 999)
        let midnight = Self.hanoiUnixMs(2026, 11, 29)
        #expect(midnight == 1_795_885_200_000)  // 2026-11-28T17:00:00Z
        #expect(try ReceiptCode(agencyCode: Self.agency, receivedAtUnixMs: lastMoment, sequence: 7).description
                == "000.00.20.H26-261128-0007")
        #expect(try ReceiptCode(agencyCode: Self.agency, receivedAtUnixMs: midnight, sequence: 7).description
                == "000.00.20.H26-261129-0007")
    }

    /// The arithmetic against Foundation's calendar at +07:00, every ~9 hours from 2000 to 2099
    /// (so every hour of the day is hit), plus each local midnight's neighbours.
    @Test func theDayAgreesWithFoundationsCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        let start = Self.hanoiUnixMs(2000, 1, 1)
        let end = Self.hanoiUnixMs(2099, 12, 31, 23, 59)
        var instant = start
        var checked = 0
        while instant <= end {
            for probe in [instant, instant - 1] where probe >= start {
                let date = Date(timeIntervalSince1970: Double(probe) / 1000)
                let parts = calendar.dateComponents([.year, .month, .day], from: date)
                let day = ReceiptCode.Day(unixMs: probe)
                #expect(day == Self.day(parts.year!, parts.month!, parts.day!), "\(probe)")
                checked += 1
            }
            instant += 9 * 3_600_000 + 1_234
        }
        #expect(checked > 190_000)
    }

    @Test func instantsOutsideTheCenturyAreRefused() throws {
        let lastOf1999 = Self.hanoiUnixMs(1999, 12, 31, 23, 59, 59, ms: 999)
        #expect(ReceiptCode.Day(unixMs: lastOf1999) == nil)
        #expect(ReceiptCode.Day(unixMs: lastOf1999 + 1) == Self.day(2000, 1, 1))
        #expect(throws: ReceiptCodeError.dateOutOfRange(unixMs: lastOf1999)) {
            try ReceiptCode(agencyCode: Self.agency, receivedAtUnixMs: lastOf1999, sequence: 1)
        }
        let firstOf2100 = Self.hanoiUnixMs(2100, 1, 1)
        #expect(ReceiptCode.Day(unixMs: firstOf2100) == nil)
        #expect(ReceiptCode.Day(unixMs: firstOf2100 - 1) == Self.day(2099, 12, 31))
        #expect(ReceiptCode.Day(unixMs: -86_400_000) == nil)
        #expect(ReceiptCode.Day(unixMs: .min) == nil)
        #expect(ReceiptCode.Day(unixMs: .max / 2) == nil)
    }

    @Test func days() {
        #expect(ReceiptCode.Day(year: 2024, month: 2, day: 29) != nil)
        #expect(ReceiptCode.Day(year: 2026, month: 2, day: 29) == nil)
        #expect(ReceiptCode.Day(year: 2000, month: 2, day: 29) != nil)  // divisible by 400
        #expect(ReceiptCode.Day(year: 2026, month: 4, day: 31) == nil)
        #expect(ReceiptCode.Day(year: 2026, month: 13, day: 1) == nil)
        #expect(ReceiptCode.Day(year: 2026, month: 0, day: 1) == nil)
        #expect(ReceiptCode.Day(year: 1999, month: 12, day: 31) == nil)
        #expect(ReceiptCode.Day(year: 2100, month: 1, day: 1) == nil)
        #expect(Self.day(2026, 1, 5).stamp == "260105")
        #expect(Self.day(2000, 1, 5).stamp == "000105")
        #expect(Self.day(2026, 1, 5).description == "2026-01-05")
        #expect(Self.day(2025, 12, 31) < Self.day(2026, 1, 1))
    }

    @Test(arguments: ["000.00.20.H26", "000.00.00.H26", "H26.37", "A", "so-tu-phap", "X_1-2.3", "-", "A--"])
    func roundTrips(agency: String) throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let day = Self.day(Int.random(in: 2000...2099, using: &generator), Int.random(in: 1...12, using: &generator),
                               Int.random(in: 1...28, using: &generator))
            let code = try ReceiptCode(agencyCode: agency, day: day,
                                       sequence: Int.random(in: 1...ReceiptCode.maximumSequence, using: &generator))
            let parsed = try ReceiptCode(parsing: code.description)
            #expect(parsed == code)
            #expect(parsed.agencyCode == agency)
            #expect(parsed.description == code.description)
        }
    }

    @Test func parsingForgivesSurroundingSpaces() throws {
        let code = try ReceiptCode(parsing: "  000.00.20.H26-261129-0001\n")
        #expect(code.description == "000.00.20.H26-261129-0001")
        #expect(code.agencyCode == Self.agency)
        #expect(code.day == Self.day(2026, 11, 29))
        #expect(code.sequence == 1)
    }

    @Test(arguments: [
        "", "   ", "000.00.20.H26", "000.00.20.H26-261129", "261129-0001", "-261129-0001",
        "000.00.20.H26-261329-0001",   // month 13
        "000.00.20.H26-260229-0001",   // 2026 is not a leap year
        "000.00.20.H26-261131-0001",   // 31 November
        "000.00.20.H26-261100-0001",   // day 0
        "000.00.20.H26-2611290-0001", "000.00.20.H26-26112-0001",
        "000.00.20.H26-261129-001", "000.00.20.H26-261129-00001", "000.00.20.H26-261129-0000",
        "000.00.20.H26-261129-000a", "000.00.20.H26-261129-+001", "000.00.20.H26-2611-9-0001",
        "000.00.20.H26-26112９-0001",  // a full-width digit
        "000.00.20.H26-261129-０００１",
        "000.00.20 H26-261129-0001", "Sở-261129-0001", "000.00.20.H26_261129_0001",
        "000.00.20.H26-261129-0001-", "000.00.20.H26--261129-0001x",
    ])
    func malformedCodesAreRefused(text: String) {
        do {
            let code = try ReceiptCode(parsing: text)
            Issue.record("parsed \(text) as \(code)")
        } catch {
            guard case .malformed = error else {
                Issue.record("\(error)")
                return
            }
            let rpc = RPCError(from: error)
            #expect(rpc.code == .invalidArgument)
            #expect(rpc.violations.map(\.field) == ["receipt_code"])
        }
    }

    @Test func aLeapDayParses() throws {
        #expect(try ReceiptCode(parsing: "000.00.20.H26-240229-0001").day == Self.day(2024, 2, 29))
        #expect(try ReceiptCode(parsing: "000.00.20.H26-000229-9999").day == Self.day(2000, 2, 29))
    }

    @Test func anAgencyCodeWithHyphensIsTakenFromTheLeft() throws {
        let code = try ReceiptCode(parsing: "UBND-Q1-261129-0012")
        #expect(code.agencyCode == "UBND-Q1")
        #expect(code.sequence == 12)
    }
}
