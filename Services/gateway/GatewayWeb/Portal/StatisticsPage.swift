import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import NIOCore
import RPCCore

/// Public statistics (`/thong-ke`), as the national portal shows them: per agency, the dossiers
/// received, approved on time and late, refused after review, withdrawn, and in progress, with
/// the on-time rate (of those approved: a refusal or a withdrawal is never "on time"); for the current
/// year or a chosen one (`nam`). Anyone may read them; they say nothing about any one person.
struct StatisticsPage: GatewayRoutes {
    let gateway: GatewayClient
    let directory: AgencyDirectory

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/thong-ke") { request, _ -> Response in
            let asked = UInt32(FormData.parse(request.uri.query)["nam"] ?? "") ?? 0
            let year = (2000...2099).contains(asked) ? asked : UInt32(Calendar(identifier: .gregorian).component(.year, from: Date()))
            let agencies: [AgencyDirectory.Entry]
            do {
                agencies = try await directory.agencies()
            } catch let error as RPCError {
                return PortalPage.response(title: "Thống kê", body: "<h1>Thống kê</h1><p class=\"error\">\(PortalPage.escape(PortalMessages.refusal(error)))</p>",
                                           status: .serviceUnavailable)
            }
            // One question per agency, a few at a time.
            let figures = try await withThrowingTaskGroup(of: (Int, DossierV1.AgencyStatistics?).self) { group in
                for (index, agency) in agencies.enumerated() {
                    group.addTask {
                        var ask = DossierV1.AgencyStatisticsRequest()
                        ask.agencyCode = agency.agency.code
                        ask.year = year
                        return (index, try? await gateway.call(GatewayV1.DossierService.getAgencyStatistics, ask, as: .anonymous))
                    }
                }
                var all = [DossierV1.AgencyStatistics?](repeating: nil, count: agencies.count)
                for try await (index, statistics) in group { all[index] = statistics }
                return all
            }
            return PortalPage.response(title: "Thống kê", body: Self.html(year: year, agencies: agencies, figures: figures))
        }
    }

    static func html(year: UInt32, agencies: [AgencyDirectory.Entry], figures: [DossierV1.AgencyStatistics?]) -> String {
        let e = PortalPage.escape
        var rows = ""
        for (entry, statistics) in zip(agencies, figures) {
            let agency = entry.agency
            let name = "<td class=\"depth\(entry.depth)\">\(e(agency.name))</td>"
            guard let s = statistics else {
                rows += "<tr>\(name)<td colspan=\"7\">Chưa có số liệu</td></tr>"
                continue
            }
            let resolved = s.resolvedOnTime + s.resolvedLate
            let rate = resolved == 0 ? "—" : "\(s.resolvedOnTime * 1000 / resolved / 10),\(s.resolvedOnTime * 1000 / resolved % 10) %"
            rows += """
                <tr data-agency="\(e(agency.code))">\(name)<td class="n">\(s.received)</td><td class="n">\(s.resolvedOnTime)</td>\
                <td class="n">\(s.resolvedLate)</td><td class="n">\(s.refused)</td><td class="n">\(s.withdrawn)</td>\
                <td class="n">\(s.inProgress)</td><td class="n">\(rate)</td></tr>
                """
        }
        let years = (2024...max(2026, Int(year) + 1)).reversed().map { "<option\($0 == Int(year) ? " selected" : "")>\($0)</option>" }.joined()
        return """
            <h1>Thống kê tình hình giải quyết hồ sơ năm \(year)</h1>
            <form class="inline-filter" method="get" action="/thong-ke"><label for="nam">Năm</label> <select id="nam" name="nam">\(years)</select> <button type="submit">Xem</button></form>
            <div class="scroll"><table class="statistics">
            <tr><th>Cơ quan</th><th>Tiếp nhận</th><th>Đúng hạn</th><th>Trễ hạn</th><th>Từ chối giải quyết</th><th>Công dân rút</th><th>Đang xử lý</th><th>Tỉ lệ đúng hạn</th></tr>
            \(rows)
            </table></div>
            <p><a href="/chi-so-phuc-vu?nam=\(year)">Chỉ số phục vụ người dân, doanh nghiệp theo Quyết định 766/QĐ-TTg</a></p>
            <p><a href="\(SatisfactionPage.path)?nam=\(year)">Mức độ hài lòng của người dân theo từng cơ quan</a></p>
            """
    }
}
