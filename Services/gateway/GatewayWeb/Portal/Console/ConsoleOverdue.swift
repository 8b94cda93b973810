import DVCProto
import GatewayDoor
import Hummingbird
import OneStop
import RPCCore

/// `/can-bo/qua-han`: the agency's dossiers marked overdue, each with the apology form
/// (phiếu xin lỗi và hẹn lại ngày trả kết quả) for an approver while the state allows one, and
/// a link to the apology letter (document 04) once one was issued.
struct ConsoleOverdue: Sendable {
    let gateway: GatewayClient

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/can-bo/qua-han") { request, context -> Response in
            guard let officer = ConsoleOfficer.of(context) else {
                return PortalForm.signIn(returningTo: "/can-bo/qua-han", officer: true)
            }
            let pageToken = String((FormData.parse(request.uri.query)["trang"] ?? "").prefix(512))
            var list = DossierV1.ListDossiersRequest()
            list.agencyCode = officer.agency
            list.overdueOnly = true
            list.pageSize = ConsoleQueue.pageSize
            list.pageToken = pageToken
            let found: DossierV1.ListDossiersResponse
            do {
                found = try await gateway.call(GatewayV1.DossierService.listDossiers, list, as: officer.caller)
            } catch let error as RPCError where error.code == .invalidArgument {
                return PortalForm.redirect("/can-bo/qua-han")
            } catch {
                return ConsolePage.unavailable(officer, title: "Hồ sơ quá hạn")
            }
            let e = PortalPage.escape
            let items = found.dossiers.map { dossier in
                let code = dossier.receiptCode.isEmpty ? "Chưa tiếp nhận" : dossier.receiptCode
                let base = "/can-bo/ho-so/\(ConsolePage.pathSegment(dossier.id))"
                let letter = dossier.documents.last { $0.oneStopForm == .apology }.map { apology in
                    "<p><a href=\"\(base)/giay-to/\(e(apology.form))\">\(e(apology.oneStopName))</a></p>"
                } ?? ""
                let form = officer.actions(in: dossier.state).contains(.apologize)
                    ? ConsoleActionForm.html(.apologize, dossier: dossier, csrfInput: officer.visitor.csrfInput, failure: nil) : ""
                return """
                    <li><p>\(ConsolePage.dossierLink(dossier.id, text: code)) — \(e(dossier.procedureCode)) —
                    \(e(OneStopNames.state(dossier.state))) — hẹn trả \(e(PortalFormat.dateTime(dossier.appointmentAtUnixMs)))
                    <span class="overdue">Quá hạn</span></p>
                    \(letter)\(form)</li>
                    """
            }.joined(separator: "\n")
            var more = ""
            if !found.nextPageToken.isEmpty {
                more = "<p><a href=\"/can-bo/qua-han?trang=\(e(PortalRoutes.formEncode(found.nextPageToken)))\">Trang sau</a></p>"
            }
            return ConsolePage.response(officer, title: "Hồ sơ quá hạn", body: """
                <h1>Hồ sơ quá hạn</h1>
                \(items.isEmpty ? "<p>Không có hồ sơ nào quá hạn.</p>" : "<ul class=\"overdue-list\">\(items)</ul>")
                \(more)
                """)
        }
    }
}
