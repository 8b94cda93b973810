import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import RPCCore

/// `/thong-ke/hai-long?nam=&thang=`: citizens' satisfaction per agency for a period, for anyone
/// (docs/satisfaction.md): the number of ratings, the average of each criterion, the ratings
/// "không hài lòng" and the satisfaction indicator of Decision 766/QĐ-TTg. Aggregates only;
/// comments are the agency's (its console), never public.
struct SatisfactionPage: GatewayRoutes {
    static let path = "/thong-ke/hai-long"
    let gateway: GatewayClient
    let directory: AgencyDirectory

    func add(to router: Router<GatewayRequestContext>) {
        router.get(RouterPath(Self.path)) { request, _ -> Response in
            let current = ConsoleStatistics.currentYear()
            let (year, month) = RatingSummaryView.period(FormData.parse(request.uri.query), current: current)
            let agencies: [AgencyDirectory.Entry]
            do {
                agencies = try await directory.agencies()
            } catch let error as RPCError {
                return PortalPage.response(title: "Mức độ hài lòng", body: "<h1>Mức độ hài lòng</h1><p class=\"error\">\(PortalPage.escape(PortalMessages.refusal(error)))</p>",
                                           status: .serviceUnavailable)
            }
            let summaries = try await withThrowingTaskGroup(of: (Int, DossierV1.RatingSummary?).self) { group in
                for (index, agency) in agencies.enumerated() {
                    group.addTask {
                        var ask = DossierV1.RatingSummaryRequest()
                        ask.agencyCode = agency.agency.code
                        ask.year = year
                        ask.month = month
                        return (index, try? await gateway.call(GatewayV1.RatingService.getRatingSummary, ask, as: .anonymous))
                    }
                }
                var all = [DossierV1.RatingSummary?](repeating: nil, count: agencies.count)
                for try await (index, summary) in group { all[index] = summary }
                return all
            }
            return PortalPage.response(title: "Mức độ hài lòng", body: Self.html(year: year, month: month, current: current,
                                                                                 agencies: agencies, summaries: summaries))
        }
    }

    static func html(year: UInt32, month: UInt32, current: UInt32, agencies: [AgencyDirectory.Entry],
                     summaries: [DossierV1.RatingSummary?]) -> String {
        let e = PortalPage.escape
        let rows = zip(agencies, summaries).map { entry, summary in
            let name = "<th scope=\"row\" class=\"depth\(entry.depth)\">\(e(entry.agency.name))</th>"
            guard let summary else { return "<tr>\(name)<td colspan=\"\(RatingForm.criteria.count + 3)\">Chưa có số liệu</td></tr>" }
            return "<tr data-agency=\"\(e(entry.agency.code))\">\(name)\(RatingSummaryView.cells(summary))</tr>"
        }.joined(separator: "\n")
        return """
            <h1>Mức độ hài lòng của người dân, \(e(RatingSummaryView.period(year: year, month: month)))</h1>
            \(RatingSummaryView.filter(action: path, year: year, month: month, current: current))
            \(RatingSummaryView.note)
            <div class="scroll"><table class="statistics">
            <caption>Điểm trung bình từng tiêu chí theo thang 1–3</caption>
            <tr><th scope="col">Cơ quan</th>\(RatingSummaryView.headerCells)</tr>
            \(rows)
            </table></div>
            <p class="hint">Dữ liệu máy đọc được: <code>POST /api/v1/dvc.gateway.v1.RatingService/GetRatingSummary</code> \
            với <code>{"agencyCode": "…", "year": \(year), "month": \(month)}</code>.</p>
            <p><a href="/thong-ke?nam=\(year == 0 ? current : year)">← Thống kê tình hình giải quyết hồ sơ</a></p>
            """
    }
}
