import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import OneStop
import RPCCore

/// Tracking by receipt code and PIN, for anyone holding both, without signing in
/// (`/tra-cuu-ho-so`). The PIN is posted, never put in a query string: a URL lands in the
/// browser's history, the proxy's access log and, followed from the page, in other sites'
/// Referer. The post follows the portal's rules for forms: from this site only
/// (`PortalForm.sameOrigin`, which stops cross-site guessing with a visitor's address), and
/// inside a session with the session's CSRF token as well.
///
/// The answer is the status only (`TrackedDossier`): who submitted the dossier and what they
/// wrote are for the applicant signed in, not for whoever holds the slip.
struct TrackingPage: GatewayRoutes {
    static let path = "/tra-cuu-ho-so"
    static let title = "Tra cứu hồ sơ"

    let gateway: GatewayClient
    let directory: AgencyDirectory

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/tra-cuu-ho-so") { request, context -> Response in
            // A receipt code may come in a link (it is printed on the slip); a PIN never is read
            // from the query.
            let code = FormData.parse(request.uri.query)["ma"] ?? ""
            return Self.page(code: code, visitor: context.visitor, result: "")
        }
        router.post("/tra-cuu-ho-so") { request, context -> Response in
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            let form = try await PortalForm.fields(request)
            if let visitor = context.visitor, !visitor.accepts(form) { return PortalForm.forged() }
            let code = (form["ma"] ?? "").trimmingCharacters(in: .whitespaces)
            var track = DossierV1.TrackDossierRequest()
            track.receiptCode = code
            track.pin = form["pin"] ?? ""
            do {
                let tracked = try await gateway.call(GatewayV1.DossierService.trackDossier, track, as: .anonymous,
                                                     clientAddress: context.client)
                let names = Dictionary((try? await directory.agencies())?.map { ($0.agency.code, $0.agency.name) } ?? [],
                                       uniquingKeysWith: { first, _ in first })
                return Self.page(code: code, visitor: context.visitor, result: Self.html(tracked, agencyName: names[tracked.agencyCode]))
            } catch let error as RPCError {
                let text = switch error.code {
                case .notFound: "Không có hồ sơ với mã và mã tra cứu này."
                case .resourceExhausted: AdmissionMiddleware.forPeople(error.message)
                case .invalidArgument: "Vui lòng nhập mã hồ sơ và mã tra cứu."
                default: PortalMessages.refusal(error)
                }
                let status: HTTPResponse.Status = switch error.code {
                case .notFound: .notFound
                case .resourceExhausted: .tooManyRequests
                case .invalidArgument: .badRequest
                default: .unprocessableContent
                }
                var response = Self.page(code: code, visitor: context.visitor,
                                         result: "<p class=\"error\" role=\"alert\">\(PortalPage.escape(text))</p>", status: status)
                if let retry = ProblemDocument.retryAfter(error) { response.headers[.retryAfter] = retry }
                return response
            }
        }
    }

    static func page(code: String, visitor: PortalVisitor?, result: String, status: HTTPResponse.Status = .ok) -> Response {
        PortalPage.response(title: title, body: """
            <h1>\(title)</h1>
            <form method="post" action="\(path)">
            \(visitor?.csrfInput ?? "")
            \(PortalForm.field("ma", "Mã hồ sơ (trên giấy tiếp nhận)", value: code, error: nil, attributes: "required"))
            \(PortalForm.field("pin", "Mã tra cứu (8 chữ số)", type: "password", error: nil, attributes: "inputmode=\"numeric\" autocomplete=\"off\" required"))
            <button type="submit">Tra cứu</button>
            </form>
            \(result)
            """, status: status)
    }

    /// The status, the procedure and the agency, the appointment, and what is awaited from
    /// the applicant: nothing more is in the answer.
    static func html(_ tracked: DossierV1.TrackedDossier, agencyName: String?) -> String {
        let e = PortalPage.escape
        let appointment = tracked.appointmentAtUnixMs == 0 ? "—" : PortalFormat.dateTime(tracked.appointmentAtUnixMs)
        let procedure = tracked.procedureName.isEmpty ? tracked.procedureCode : tracked.procedureName
        var awaited = ""
        if tracked.state == .supplementRequested {
            let items = tracked.missingDocuments.map { "<li>\(e($0))</li>" }.joined()
            awaited = "<h2>Cơ quan đang chờ bạn bổ sung</h2><ul>\(items)</ul>"
        } else if tracked.state == .awaitingPayment {
            awaited = "<p class=\"notice\">Cơ quan đang chờ bạn nộp phí, lệ phí.</p>"
        }
        return """
            <table class="facts" id="tracked"><tr><th>Mã hồ sơ</th><td>\(e(tracked.receiptCode))</td></tr>
            <tr><th>Thủ tục</th><td>\(e(procedure))</td></tr>
            <tr><th>Cơ quan</th><td>\(e(agencyName ?? tracked.agencyCode))</td></tr>
            <tr><th>Trạng thái</th><td>\(e(OneStopNames.state(tracked.state)))\(tracked.overdue ? " (quá hạn)" : "")</td></tr>
            <tr><th>Hẹn trả kết quả</th><td>\(e(appointment))</td></tr></table>
            \(awaited)
            """
    }
}
