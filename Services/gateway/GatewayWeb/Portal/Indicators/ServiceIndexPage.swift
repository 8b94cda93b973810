import DVCProto
import Foundation
import GatewayDoor
import Hummingbird
import RPCCore

/// `/chi-so-phuc-vu`: the index of Decision 766/QĐ-TTg for anyone, per agency and period
/// (`nam`, `thang` 1–12 or the whole year, `co_quan` an agency or the whole city): every
/// indicator of the Decision with its formula and citation, its value where the platform's
/// data allow it and the reason where they do not; the trend over the year's months and the
/// agencies side by side as server-drawn SVG charts, each followed by the table of its
/// numbers. The same figures and indicators are the API's GetAgencyStatistics (JSON at
/// `POST /api/v1/dvc.gateway.v1.DossierService/GetAgencyStatistics`).
///
/// One call per agency (with the year's months), a few at a time; dossier-svc answers each
/// from its monthly counters, so the page costs the same at a thousand dossiers or a million.
struct ServiceIndexPage: GatewayRoutes {
    let gateway: GatewayClient
    let directory: AgencyDirectory

    /// The indicators the charts show: those computable today.
    static let charted = ["tien-do.truoc-han-dung-han", "truc-tuyen.ho-so-truc-tuyen", "truc-tuyen.thanh-toan-truc-tuyen"]
    static let chartedNames = ["Đúng hạn", "Hồ sơ trực tuyến", "Thanh toán trực tuyến"]

    struct Period {
        var year: UInt32
        var month: UInt32
        var agency: String

        init(_ query: [String: String], currentYear: UInt32) {
            let asked = UInt32(query["nam"] ?? "") ?? 0
            year = (2000...2099).contains(asked) ? asked : currentYear
            let month = UInt32(query["thang"] ?? "") ?? 0
            self.month = month <= 12 ? month : 0
            agency = String((query["co_quan"] ?? "").prefix(64))
        }

        var label: String { month == 0 ? "năm \(year)" : "tháng \(month)/\(year)" }
    }

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/chi-so-phuc-vu") { request, _ -> Response in
            let period = Period(FormData.parse(request.uri.query), currentYear: ConsoleStatistics.currentYear())
            let agencies: [AgencyDirectory.Entry]
            do {
                agencies = try await directory.agencies()
            } catch let error as RPCError {
                return PortalPage.response(title: "Chỉ số phục vụ", body: "<h1>Chỉ số phục vụ</h1><p class=\"error\">\(PortalPage.escape(PortalMessages.refusal(error)))</p>",
                                           status: .serviceUnavailable)
            }
            let figures = try await withThrowingTaskGroup(of: (Int, DossierV1.AgencyStatistics?).self) { group in
                for (index, entry) in agencies.enumerated() {
                    group.addTask {
                        var ask = DossierV1.AgencyStatisticsRequest()
                        ask.agencyCode = entry.agency.code
                        ask.year = period.year
                        ask.byMonth = true
                        return (index, try? await gateway.call(GatewayV1.DossierService.getAgencyStatistics, ask, as: .anonymous))
                    }
                }
                var all = [DossierV1.AgencyStatistics?](repeating: nil, count: agencies.count)
                for try await (index, statistics) in group { all[index] = statistics }
                return all
            }
            return PortalPage.response(title: "Chỉ số phục vụ người dân, doanh nghiệp",
                                       body: Self.html(period: period, agencies: agencies, yearly: figures))
        }
    }

    /// An agency's figures for the period: the year's, or the chosen month's.
    static func ofPeriod(_ yearly: DossierV1.AgencyStatistics, month: UInt32) -> DossierV1.AgencyStatistics {
        guard month > 0, yearly.months.count == 12 else { return yearly }
        return yearly.months[Int(month) - 1]
    }

    static func html(period: Period, agencies: [AgencyDirectory.Entry], yearly: [DossierV1.AgencyStatistics?]) -> String {
        let e = PortalPage.escape
        let known = zip(agencies, yearly).compactMap { entry, figures in figures.map { (entry, $0) } }
        let scoped = period.agency.isEmpty ? known : known.filter { $0.0.agency.code == period.agency }
        let scopeName = period.agency.isEmpty ? "Toàn thành phố" : (scoped.first?.0.agency.name ?? period.agency)
        // The scope's months: each month summed over the agencies in scope.
        let months: [DossierV1.AgencyStatistics] = (0..<12).map { m in
            ServiceIndex766.sum(scoped.compactMap { $0.1.months.count == 12 ? $0.1.months[m] : nil })
        }
        let total = ServiceIndex766.sum(scoped.map { ofPeriod($0.1, month: period.month) })
        let indicators = ServiceIndex766.indicators(total)

        let form = Self.form(period, agencies: agencies)
        let missing = yearly.contains { $0 == nil } ? "<p class=\"hint\">Một số cơ quan tạm thời chưa có số liệu.</p>" : ""

        // The indicators of the Decision, by group.
        var groups = ""
        for group in ServiceIndex766.groups {
            let rows = indicators.filter { $0.group == group.code }.map { indicator in
                let value = indicator.computable
                    ? "<strong>\(ServiceIndex766.percent(indicator))</strong><br><small>\(indicator.numerator) / \(indicator.denominator)</small>"
                    : "<span class=\"hint\">Chưa tính được</span>"
                let note = indicator.reason.isEmpty ? "" : "<br><small>\(e(indicator.reason))</small>"
                return """
                    <tr data-indicator="\(e(indicator.code))"><th scope="row">\(e(indicator.name))</th><td class="n">\(value)</td>\
                    <td>\(e(indicator.formula))\(note)<br><small>Căn cứ: \(e(indicator.citation))</small></td></tr>
                    """
            }.joined(separator: "\n")
            groups += """
                <h3>\(e(group.name))</h3>
                <div class="table-wrap"><table class="indicators"><tr><th scope="col">Chỉ số</th><th scope="col">Giá trị</th><th scope="col">Công thức, căn cứ</th></tr>
                \(rows)
                </table></div>
                """
        }

        // The trend over the months of the year.
        let labels = (1...12).map { "T\($0)" }
        let series: [SVGChart.Series] = zip(charted, chartedNames).map { code, name in
            SVGChart.Series(name: name, values: months.map { figures in
                let indicator = ServiceIndex766.indicators(figures).first { $0.code == code }!
                return indicator.denominator > 0 ? indicator.perMille : nil
            })
        }
        let trend = SVGChart.lines(
            id: "xu-huong", title: "Diễn biến theo tháng năm \(period.year) — \(scopeName)",
            description: "Tỉ lệ hồ sơ giải quyết đúng hạn, hồ sơ trực tuyến và thanh toán trực tuyến của \(scopeName) "
                + "theo từng tháng năm \(period.year); tháng không có hồ sơ để tính thì bỏ trống. Số liệu đầy đủ ở bảng ngay sau.",
            labels: labels, series: series)
        let trendRows = months.enumerated().map { index, figures in
            let values = ServiceIndex766.indicators(figures).filter { charted.contains($0.code) }
            let cells = charted.map { code in values.first { $0.code == code }.map(ServiceIndex766.percent) ?? "—" }
            return "<tr><th scope=\"row\">\(index + 1)/\(period.year)</th><td class=\"n\">\(figures.submitted)</td><td class=\"n\">\(figures.received)</td>"
                + "<td class=\"n\">\(figures.resolvedOnTime + figures.resolvedLate)</td><td class=\"n\">\(figures.refused)</td><td class=\"n\">\(figures.withdrawn)</td>"
                + cells.map { "<td class=\"n\">\($0)</td>" }.joined() + "</tr>"
        }.joined(separator: "\n")

        // The agencies side by side, for the period.
        var sideBySide = ""
        for (code, name) in zip(charted, chartedNames) {
            let rows: [(label: String, perMille: UInt32)] = known.compactMap { entry, figures in
                let indicator = ServiceIndex766.indicators(ofPeriod(figures, month: period.month)).first { $0.code == code }!
                return indicator.denominator > 0 ? (label: entry.agency.name, perMille: indicator.perMille) : nil
            }
            guard !rows.isEmpty else {
                sideBySide += "<p>\(e(name)): chưa có cơ quan nào có hồ sơ để tính trong \(e(period.label)).</p>"
                continue
            }
            sideBySide += SVGChart.bars(
                id: "so-sanh-\(code.replacingOccurrences(of: ".", with: "-"))", title: "\(name) theo cơ quan, \(period.label)",
                description: "Tỉ lệ \(name.lowercased()) của \(rows.count) cơ quan có hồ sơ trong \(period.label), mỗi cơ quan một thanh; "
                    + "số liệu ở bảng các cơ quan phía dưới.",
                rows: rows)
        }
        let agencyRows = known.map { entry, yearlyFigures in
            let figures = ofPeriod(yearlyFigures, month: period.month)
            let values = ServiceIndex766.indicators(figures)
            let cells = charted.map { code in values.first { $0.code == code }.map(ServiceIndex766.percent) ?? "—" }
            return "<tr data-agency=\"\(e(entry.agency.code))\"><th scope=\"row\" class=\"depth\(entry.depth)\">\(e(entry.agency.name))</th>"
                + "<td class=\"n\">\(figures.submitted)</td><td class=\"n\">\(figures.received)</td><td class=\"n\">\(figures.resolvedOnTime)</td>"
                + "<td class=\"n\">\(figures.resolvedLate)</td><td class=\"n\">\(figures.refused)</td><td class=\"n\">\(figures.withdrawn)</td>"
                + "<td class=\"n\">\(figures.inProgress)</td>" + cells.map { "<td class=\"n\">\($0)</td>" }.joined() + "</tr>"
        }.joined(separator: "\n")

        return """
            <style>code{overflow-wrap:anywhere}figure.chart{margin:1rem 0}figure.chart figcaption{font-size:.9rem;color:#333}table.indicators td{font-size:.95rem}</style>
            <h1>Chỉ số phục vụ người dân, doanh nghiệp</h1>
            <p>Theo Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp trong thực hiện thủ tục \
            hành chính, dịch vụ công theo thời gian thực trên môi trường điện tử (Quyết định số 766/QĐ-TTg ngày 23/6/2022 của \
            Thủ tướng Chính phủ). Số liệu tính từ hồ sơ trên nền tảng; chỉ số nào dữ liệu chưa cho phép tính thì ghi rõ lý do.</p>
            \(form)
            \(missing)
            <h2>\(e(scopeName)), \(e(period.label))</h2>
            <p>Nộp: \(total.submitted) (trực tuyến \(total.submittedOnline)); tiếp nhận: \(total.received); có kết quả: \
            \(total.resolvedOnTime + total.resolvedLate) (đúng hạn \(total.resolvedOnTime), quá hạn \(total.resolvedLate)); \
            từ chối giải quyết: \(total.refused); công dân rút: \(total.withdrawn); không tiếp nhận: \(total.notReceived); \
            đang giải quyết: \(total.inProgress) (quá hạn \(total.inProgressOverdue)).</p>
            \(groups)
            <h2>Diễn biến theo tháng</h2>
            \(trend)
            <div class="table-wrap"><table class="trend"><tr><th scope="col">Tháng</th><th scope="col">Nộp</th><th scope="col">Tiếp nhận</th>\
            <th scope="col">Có kết quả</th><th scope="col">Từ chối</th><th scope="col">Rút</th>\
            \(chartedNames.map { "<th scope=\"col\">\(e($0))</th>" }.joined())</tr>
            \(trendRows)
            </table></div>
            <h2>So sánh các cơ quan, \(e(period.label))</h2>
            \(sideBySide)
            <div class="table-wrap"><table class="agencies"><tr><th scope="col">Cơ quan</th><th scope="col">Nộp</th><th scope="col">Tiếp nhận</th>\
            <th scope="col">Đúng hạn</th><th scope="col">Quá hạn</th><th scope="col">Từ chối</th><th scope="col">Rút</th><th scope="col">Đang giải quyết</th>\
            \(chartedNames.map { "<th scope=\"col\">\(e($0))</th>" }.joined())</tr>
            \(agencyRows)
            </table></div>
            <p class="hint">Dữ liệu máy đọc được: <code>POST /api/v1/dvc.gateway.v1.DossierService/GetAgencyStatistics</code> \
            với <code>{"agencyCode": "…", "year": \(period.year), "byMonth": true}</code>. Cách tính: docs/statistics.md.</p>
            """
    }

    static func form(_ period: Period, agencies: [AgencyDirectory.Entry]) -> String {
        let e = PortalPage.escape
        let current = ConsoleStatistics.currentYear()
        let years = (2024...max(Int(current), Int(period.year))).reversed().map {
            "<option\($0 == Int(period.year) ? " selected" : "")>\($0)</option>"
        }.joined()
        let months = (["<option value=\"0\"\(period.month == 0 ? " selected" : "")>Cả năm</option>"]
            + (1...12).map { "<option value=\"\($0)\"\(UInt32($0) == period.month ? " selected" : "")>Tháng \($0)</option>" }).joined()
        let options = (["<option value=\"\"\(period.agency.isEmpty ? " selected" : "")>Toàn thành phố</option>"] + agencies.map { entry in
            "<option value=\"\(e(entry.agency.code))\"\(entry.agency.code == period.agency ? " selected" : "")>\(String(repeating: "— ", count: entry.depth))\(e(entry.agency.name))</option>"
        }).joined()
        return """
            <form class="inline-filter" method="get" action="/chi-so-phuc-vu">
            <label for="nam">Năm</label> <select id="nam" name="nam">\(years)</select>
            <label for="thang">Kỳ</label> <select id="thang" name="thang">\(months)</select>
            <label for="co_quan">Cơ quan</label> <select id="co_quan" name="co_quan">\(options)</select>
            <button type="submit">Xem</button></form>
            """
    }
}
