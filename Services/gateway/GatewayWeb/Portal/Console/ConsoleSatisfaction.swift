import DVCProto
import Foundation
import GatewayDoor
import Hummingbird
import RPCCore

/// `/can-bo/hai-long?nam=&thang=`: the officer's agency's satisfaction ratings of a period
/// (docs/satisfaction.md): the same aggregates as the public page, and the period's comments
/// when it holds at least five ratings — sorted, with nothing saying whose dossier, which
/// procedure or when. Who rated what is not known to the platform's answers, so not shown here.
struct ConsoleSatisfaction: Sendable {
    static let path = "/can-bo/hai-long"
    let gateway: GatewayClient

    func add(to router: Router<GatewayRequestContext>) {
        router.get(RouterPath(Self.path)) { request, context -> Response in
            guard let officer = ConsoleOfficer.of(context) else {
                return PortalForm.signIn(returningTo: Self.path, officer: true)
            }
            let current = ConsoleStatistics.currentYear()
            let (year, month) = RatingSummaryView.period(FormData.parse(request.uri.query), current: current)
            var ask = DossierV1.RatingSummaryRequest()
            ask.agencyCode = officer.agency
            ask.year = year
            ask.month = month
            let summary: DossierV1.RatingSummary
            do {
                summary = try await gateway.call(GatewayV1.RatingService.getRatingSummary, ask, as: officer.caller)
            } catch {
                return ConsolePage.unavailable(officer, title: "Mức độ hài lòng")
            }
            return ConsolePage.response(officer, title: "Mức độ hài lòng", body: Self.render(summary, current: current))
        }
    }

    static func render(_ summary: DossierV1.RatingSummary, current: UInt32) -> String {
        let e = PortalPage.escape
        let comments: String
        if summary.commentsWithheld {
            comments = "<p>Ý kiến góp ý chỉ hiển thị khi kỳ có từ \(summary.minimumRatings) lượt đánh giá trở lên, để không ai đoán được ý kiến là của người nào.</p>"
        } else if summary.comments.isEmpty {
            comments = "<p>Không có ý kiến góp ý trong kỳ.</p>"
        } else {
            comments = "<ul class=\"comments\">\(summary.comments.map { "<li>\(e($0))</li>" }.joined())</ul>"
        }
        return """
            <h1>Mức độ hài lòng, \(e(RatingSummaryView.period(year: summary.year, month: summary.month)))</h1>
            \(RatingSummaryView.filter(action: path, year: summary.year, month: summary.month, current: current))
            \(RatingSummaryView.note)
            \(RatingSummaryView.table(summary))
            <h2>Ý kiến góp ý</h2>
            \(comments)
            """
    }
}
