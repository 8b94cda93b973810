import DVCProto
import Foundation
import GatewayDoor
import OneStop
import Hummingbird
import RPCCore

/// Assigning a dossier from the queue (`POST /can-bo/ho-so/{id}/giao`): the agency's
/// administrator or an approver picks an officer of the agency (or "Chưa phân công") for a
/// dossier, through the gateway's AssignDossier as themselves, so the same checks as the API
/// apply (role, agency, the assignee an active officer there, the version seen). The browser
/// goes back to the queue page it came from with `da_giao=1`; a refusal is shown with its reason.
struct ConsoleAssign: Sendable {
    let gateway: GatewayClient

    /// What the queue's assignment forms offer.
    struct Choices {
        var officers: [OfficerAccounts.Officer]
        var csrf: String
        /// The queue page to come back to.
        var back: String
    }

    /// The small form in a queue row; none for a closed dossier.
    static func form(_ dossier: DossierV1.Dossier, choices: Choices) -> String {
        guard DossierStates.isOpen(dossier.state) else { return "" }
        let e = PortalPage.escape
        let label = "giao-\(dossier.id)"
        var options = "<option value=\"\"\(dossier.assignee.isEmpty ? " selected" : "")>Chưa phân công</option>"
        for officer in choices.officers {
            let roles = officer.roles.sorted().joined(separator: ", ")
            options += "<option value=\"\(e(officer.id))\"\(officer.id == dossier.assignee ? " selected" : "")>\(e(officer.fullName)) (\(e(officer.id)); \(e(roles)))</option>"
        }
        return """
            <form class="assign" method="post" action="/can-bo/ho-so/\(e(ConsolePage.pathSegment(dossier.id)))/giao">\(choices.csrf)\
            <input type="hidden" name="expected_version" value="\(dossier.version)">\
            <input type="hidden" name="next" value="\(e(choices.back))">\
            <label class="visually-hidden" for="\(e(label))">Giao hồ sơ cho</label>\
            <select id="\(e(label))" name="assignee">\(options)</select><button type="submit">Giao</button></form>
            """
    }

    func add(to router: Router<GatewayRequestContext>) {
        router.post("/can-bo/ho-so/:id/giao") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard let officer = ConsoleOfficer.of(context) else { return PortalForm.forged() }
            let fields = try await PortalForm.fields(request)
            guard officer.visitor.accepts(fields) else { return PortalForm.forged() }
            var assign = DossierV1.AssignDossierRequest()
            assign.dossierId = id
            assign.assignee = (fields["assignee"] ?? "").trimmingCharacters(in: .whitespaces)
            assign.expectedVersion = fields["expected_version"].flatMap(UInt64.init) ?? 0
            assign.note = (fields["note"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let back = PortalForm.localPath(fields["next"], otherwise: "/can-bo")
            do {
                _ = try await gateway.call(GatewayV1.DossierService.assignDossier, assign, as: officer.caller)
            } catch {
                let rpc = RPCError(from: error)
                if rpc.code == .notFound, rpc.violations.isEmpty { return ConsolePage.notFound(officer) }
                let message: String
                switch rpc.code {
                case .permissionDenied: message = "Chỉ quản trị viên hoặc lãnh đạo của cơ quan mới phân công hồ sơ."
                case .aborted: message = "Hồ sơ vừa được người khác thay đổi; hãy tải lại hàng đợi rồi phân công lại."
                case .failedPrecondition where rpc.violations.isEmpty: message = "Hồ sơ đã kết thúc, không còn phân công được."
                default: message = rpc.violations.first.map { "\($0.field): \(rpc.message)" } ?? rpc.message
                }
                return ConsolePage.response(officer, title: "Không phân công được", body: """
                    <h1>Không phân công được hồ sơ</h1>
                    <p class="alert" role="alert">\(PortalPage.escape(message))</p>
                    <p><a href="\(PortalPage.escape(back))">Về hàng đợi</a></p>
                    """, status: ProblemDocument.status(for: rpc.code))
            }
            let separator = back.contains("?") ? "&" : "?"
            return PortalForm.redirect(back + separator + "da_giao=1")
        }
    }
}
