import DVCProto
import Foundation
import GatewayDoor
import Hummingbird
import RPCCore

/// `/can-bo/thong-ke?nam=`: the officer's agency's figures for a year in Hà Nội time (the
/// current one by default; `nam=0` for all time): submitted (online), not received, received,
/// approved on time and late, refused, withdrawn, in progress and in progress past the
/// appointment, and the on-time share of those approved.
/// Links to the year's tracking book (document 06).
struct ConsoleStatistics: Sendable {
    let gateway: GatewayClient

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/can-bo/thong-ke") { request, context -> Response in
            guard let officer = ConsoleOfficer.of(context) else {
                return PortalForm.signIn(returningTo: "/can-bo/thong-ke", officer: true)
            }
            let current = Self.currentYear()
            let asked = FormData.parse(request.uri.query)["nam"].flatMap(UInt32.init)
            let year = asked.flatMap { $0 == 0 || (2000...2100).contains($0) ? $0 : nil } ?? current
            var ask = DossierV1.AgencyStatisticsRequest()
            ask.agencyCode = officer.agency
            ask.year = year
            let figures: DossierV1.AgencyStatistics
            do {
                figures = try await gateway.call(GatewayV1.DossierService.getAgencyStatistics, ask, as: officer.caller)
            } catch {
                return ConsolePage.unavailable(officer, title: "Thống kê")
            }
            return ConsolePage.response(officer, title: "Thống kê", body: Self.render(figures, year: year, current: current))
        }
    }

    static func render(_ figures: DossierV1.AgencyStatistics, year: UInt32, current: UInt32) -> String {
        let e = PortalPage.escape
        let options = ([UInt32(0)] + (UInt32(0)..<5).map { current - $0 }).map { value in
            "<option value=\"\(value)\"\(value == year ? " selected" : "")>\(value == 0 ? "Tất cả các năm" : "Năm \(value)")</option>"
        }.joined()
        let resolved = figures.resolvedOnTime + figures.resolvedLate
        let rows = [
            ("Đã nộp", figures.submitted),
            ("Nộp trực tuyến", figures.submittedOnline),
            ("Không tiếp nhận", figures.notReceived),
            ("Đã tiếp nhận", figures.received),
            ("Có kết quả đúng hạn", figures.resolvedOnTime),
            ("Có kết quả quá hạn", figures.resolvedLate),
            ("Từ chối giải quyết", figures.refused),
            ("Công dân rút hồ sơ", figures.withdrawn),
            ("Đang giải quyết", figures.inProgress),
            ("Đang giải quyết, đã quá hạn", figures.inProgressOverdue),
        ].map { "<tr><th>\(e($0.0))</th><td>\($0.1)</td></tr>" }.joined(separator: "\n")
        let book = year == 0 ? current : year
        return """
            <h1>Thống kê \(e(year == 0 ? "tất cả các năm" : "năm \(year)"))</h1>
            <form method="get" action="/can-bo/thong-ke"><p><label for="nam">Năm</label>
            <select id="nam" name="nam">\(options)</select> <button type="submit">Xem</button></p></form>
            <div class="table-wrap"><table>
            \(rows)
            <tr><th>Tỉ lệ giải quyết đúng hạn (trên số hồ sơ có kết quả)</th><td>\(e(percent(figures.resolvedOnTime, of: resolved)))</td></tr>
            </table></div>
            <p><a href="/chi-so-phuc-vu?nam=\(book)&amp;co_quan=\(e(figures.agencyCode))">Chỉ số phục vụ theo Quyết định 766/QĐ-TTg</a></p>
            <p><a href="\(ConsoleSatisfaction.path)?nam=\(book)">Mức độ hài lòng của người dân</a></p>
            <p><a href="/can-bo/so-theo-doi?nam=\(book)">Sổ theo dõi hồ sơ năm \(book) (mẫu số 06)</a></p>
            """
    }

    /// "66,7%": one decimal, with the Vietnamese decimal comma; "—" when nothing was resolved.
    static func percent(_ part: UInt64, of whole: UInt64) -> String {
        guard whole > 0 else { return "—" }
        let tenths = (part * 1000 + whole / 2) / whole
        return "\(tenths / 10),\(tenths % 10)%"
    }

    static func currentYear() -> UInt32 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        return UInt32(calendar.component(.year, from: Date()))
    }
}
