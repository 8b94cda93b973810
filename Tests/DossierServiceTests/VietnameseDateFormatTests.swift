import DossierService
import Foundation
import Testing

/// Times on the documents: UTC+7 whatever the machine's zone, in the administrative wording.
@Suite struct VietnameseDateFormatTests {
    func fields(_ c: VietnameseDateFormat.Components) -> [Int] {
        [c.year, c.month, c.day, c.hour, c.minute, c.second]
    }

    @Test func aMorningInHanoi() {
        #expect(VietnameseDateFormat.dateTime(DocumentFixtures.receivedAt) == "08 giờ 05 phút, ngày 03 tháng 02 năm 2026")
        #expect(VietnameseDateFormat.date(DocumentFixtures.receivedAt) == "ngày 03 tháng 02 năm 2026")
    }

    /// 17:30 UTC on New Year's Eve is already 00:30 on 1 January in Vietnam: the local year.
    @Test func theDayAndYearAreLocal() {
        let instant = Date(timeIntervalSince1970: 1_767_202_200)
        #expect(VietnameseDateFormat.dateTime(instant) == "00 giờ 30 phút, ngày 01 tháng 01 năm 2026")
        #expect(VietnameseDateFormat.year(of: instant) == 2026)
        #expect(VietnameseDateFormat.year(of: instant.addingTimeInterval(-3600)) == 2025)
    }

    @Test func twoDigitFieldsAndLateHours() {
        // 2024-02-29 16:59:59 UTC = 23:59 on the leap day in Vietnam.
        let leap = Date(timeIntervalSince1970: 1_709_225_999)
        #expect(VietnameseDateFormat.dateTime(leap) == "23 giờ 59 phút, ngày 29 tháng 02 năm 2024")
        #expect(VietnameseDateFormat.dateTime(leap.addingTimeInterval(1)) == "00 giờ 00 phút, ngày 01 tháng 03 năm 2024")
        #expect(fields(VietnameseDateFormat.components(leap)) == [2024, 2, 29, 23, 59, 59])
    }

    @Test func beforeTheEpoch() {
        #expect(VietnameseDateFormat.dateTime(Date(timeIntervalSince1970: -1)) == "06 giờ 59 phút, ngày 01 tháng 01 năm 1970")
        #expect(VietnameseDateFormat.dateTime(Date(timeIntervalSince1970: -25_201)) == "23 giờ 59 phút, ngày 31 tháng 12 năm 1969")
    }

    /// Against Foundation's calendar in a fixed UTC+7 zone, every 7 hours 13 minutes over 60 years.
    @Test func agreesWithFoundationsCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        var instant = Date(timeIntervalSince1970: 0)
        let end = Date(timeIntervalSince1970: 60 * 365.25 * 86_400)
        while instant < end {
            let expected = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
            let wanted: [Int] = [expected.year!, expected.month!, expected.day!, expected.hour!, expected.minute!, expected.second!]
            #expect(fields(VietnameseDateFormat.components(instant)) == wanted, "\(instant)")
            instant.addTimeInterval(7 * 3600 + 13 * 60 + 7)
        }
    }

    @Test func fromUnixMilliseconds() {
        #expect(VietnameseDateFormat.instant(unixMilliseconds: 1_770_080_700_000) == DocumentFixtures.receivedAt)
    }
}
