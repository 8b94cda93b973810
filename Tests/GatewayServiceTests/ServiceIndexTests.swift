import DVCProto
import Foundation
import GatewayDoor
import Testing

@testable import GatewayWeb

/// The indicators of Decision 766/QĐ-TTg on known figures (each formula, rounding, the empty
/// case, those the platform cannot compute with their reason), the charts' SVG (text
/// alternative, no colour-only meaning, gaps), and dates as Vietnamese write them.
@Suite struct ServiceIndexTests {
    static func figures() -> DossierV1.AgencyStatistics {
        var f = DossierV1.AgencyStatistics()
        f.agencyCode = "000.00.20.H26"
        f.submitted = 40
        f.submittedOnline = 30
        f.received = 36
        f.resolvedOnTime = 20
        f.resolvedLate = 5
        f.refused = 3
        f.withdrawn = 2
        f.inProgress = 6
        f.feeRequired = 8
        f.feePaidOnline = 6
        return f
    }

    static func indicator(_ code: String, _ f: DossierV1.AgencyStatistics = figures()) throws -> DossierV1.ServiceIndicator {
        try #require(ServiceIndex766.indicators(f).first { $0.code == code }, "no \(code)")
    }

    @Test("on time = approved by the appointment / approved: refusals and withdrawals are neither on time nor in the denominator")
    func onTime() throws {
        let onTime = try Self.indicator("tien-do.truoc-han-dung-han")
        #expect(onTime.computable && onTime.numerator == 20 && onTime.denominator == 25 && onTime.perMille == 800)
        #expect(ServiceIndex766.percent(onTime) == "80,0%")
        #expect(onTime.citation.contains("766/QĐ-TTg") && onTime.formula.contains("trước hạn, đúng hạn"))
        // More refusals change nothing in the rate.
        var more = Self.figures()
        more.refused = 100
        more.withdrawn = 50
        #expect(try Self.indicator("tien-do.truoc-han-dung-han", more).perMille == 800)
    }

    @Test("online share = submitted online / submitted; online payment = paid online / owing a fee; rounding half up")
    func onlineAndPayment() throws {
        let online = try Self.indicator("truc-tuyen.ho-so-truc-tuyen")
        #expect(online.numerator == 30 && online.denominator == 40 && online.perMille == 750)
        let payment = try Self.indicator("truc-tuyen.thanh-toan-truc-tuyen")
        #expect(payment.numerator == 6 && payment.denominator == 8 && ServiceIndex766.percent(payment) == "75,0%")
        #expect(ServiceIndex766.perMille(2, of: 3) == 667 && ServiceIndex766.perMille(1, of: 3) == 333)
        #expect(ServiceIndex766.perMille(1, of: 2000) == 1 && ServiceIndex766.perMille(0, of: 0) == 0)
    }

    @Test("with nothing to divide, a computable indicator shows — and says why")
    func empty() throws {
        let onTime = try Self.indicator("tien-do.truoc-han-dung-han", DossierV1.AgencyStatistics())
        #expect(onTime.computable && onTime.denominator == 0 && ServiceIndex766.percent(onTime) == "—" && !onTime.reason.isEmpty)
    }

    @Test("every group of the Decision is listed; what the data cannot give is marked with its reason, never a number")
    func coverage() throws {
        let all = ServiceIndex766.indicators(Self.figures())
        #expect(Set(all.map(\.group)) == Set(ServiceIndex766.groups.map(\.code)))
        #expect(Set(all.map(\.code)).count == all.count)
        for indicator in all {
            #expect(!indicator.name.isEmpty && !indicator.formula.isEmpty && indicator.citation.contains("766/QĐ-TTg"))
            if !indicator.computable {
                #expect(!indicator.reason.isEmpty && indicator.numerator == 0 && indicator.denominator == 0 && ServiceIndex766.percent(indicator) == "—")
            }
        }
        #expect(all.filter(\.computable).map(\.code) == ["tien-do.truoc-han-dung-han", "truc-tuyen.ho-so-truc-tuyen", "truc-tuyen.thanh-toan-truc-tuyen",
                                                         "hai-long.giai-quyet-tthc"])
        #expect(try Self.indicator("so-hoa.ho-so").computable == false)
    }

    @Test("satisfaction = (approved − ratings 'không hài lòng') / approved; no rating said beside the figure; never below zero")
    func satisfaction() throws {
        var f = Self.figures()
        // 25 approved, none rated: 100%, with the reason that nobody rated.
        var indicator = try Self.indicator("hai-long.giai-quyet-tthc", f)
        #expect(indicator.computable && indicator.numerator == 25 && indicator.denominator == 25 && indicator.reason.contains("Chưa có đánh giá"))
        f.ratings = 10
        f.dissatisfiedRatings = 4
        indicator = try Self.indicator("hai-long.giai-quyet-tthc", f)
        #expect(indicator.numerator == 21 && indicator.denominator == 25 && ServiceIndex766.percent(indicator) == "84,0%" && indicator.reason.isEmpty)
        #expect(indicator.formula.contains("không hài lòng") && indicator.citation.contains("nhóm 5"))
        // More dissatisfied ratings than approvals in the period (rated later than received): 0, not negative.
        f.dissatisfiedRatings = 40
        #expect(try Self.indicator("hai-long.giai-quyet-tthc", f).numerator == 0)
        #expect(ServiceIndex766.satisfaction(f) == (try Self.indicator("hai-long.giai-quyet-tthc", f)))
    }

    @Test("sum adds every count of several agencies")
    func sum() {
        var one = Self.figures()
        one.ratings = 3
        one.dissatisfiedRatings = 1
        let total = ServiceIndex766.sum([one, one], agencyCode: "city")
        #expect(total.agencyCode == "city" && total.submitted == 80 && total.refused == 6 && total.feePaidOnline == 12 && total.resolvedOnTime == 40)
        #expect(total.ratings == 6 && total.dissatisfiedRatings == 2)
    }

    @Test("a line chart: role img with its title and description, a gap where a month has no value, legend in text")
    func lineChart() {
        let svg = SVGChart.lines(id: "t", title: "Xu hướng <năm>", description: "Mô tả", labels: ["T1", "T2", "T3", "T4"],
                                 series: [.init(name: "Đúng hạn", values: [500, 1000, nil, 250]), .init(name: "Trực tuyến", values: [nil, nil, nil, nil])])
        #expect(svg.contains("role=\"img\" aria-labelledby=\"t-title t-desc\""))
        #expect(svg.contains("<title id=\"t-title\">Xu hướng &lt;năm&gt;</title>") && svg.contains("<desc id=\"t-desc\">Mô tả</desc>"))
        // One line for T1–T2 (the gap at T3 leaves T4 a lone marker), no line for an empty series.
        #expect(svg.components(separatedBy: "<path d=\"M").count - 1 == 1)
        #expect(svg.contains(">Đúng hạn</text>") && svg.contains(">Trực tuyến</text>"))
        // The second series is dashed: not told apart by colour alone.
        #expect(svg.contains("stroke-dasharray=\"6 3\""))
        #expect(!svg.contains("<script"))
    }

    @Test("a bar chart writes each value as text beside its bar")
    func barChart() {
        let svg = SVGChart.bars(id: "b", title: "So sánh", description: "Mỗi cơ quan một thanh",
                                rows: [("UBND Quận Ba Đình", 800), ("UBND Phường Phúc Xá", 1000)])
        #expect(svg.contains(">80,0%</text>") && svg.contains(">100,0%</text>") && svg.contains(">UBND Quận Ba Đình</text>"))
        #expect(svg.components(separatedBy: "<rect").count - 1 == 2)
    }

    @Test("form dates as dd/MM/yyyy, date-times as HH:mm, dd/MM/yyyy; anything else untouched")
    func formDates() {
        #expect(PortalFormat.formValue("2026-12-05") == "05/12/2026")
        #expect(PortalFormat.formValue("2026-12-05T09:30") == "09:30, 05/12/2026")
        #expect(PortalFormat.formValue("2026-13-05") == "2026-13-05")
        #expect(PortalFormat.formValue("001099012345") == "001099012345")
        #expect(PortalFormat.formValue("Số 12-2026-05") == "Số 12-2026-05")
        #expect(PortalFormat.formValue("2026-12-05 ghi chú") == "2026-12-05 ghi chú")
        #expect(PortalFormat.date(1_767_200_400_000) == "01/01/2026")
    }
}
