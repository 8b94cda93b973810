import DVCProto
import Foundation
import GatewayDoor
import Hummingbird
import RPCCore

/// The signed documents of a dossier on its console page (docs/signatures.md): each
/// verification code with its type, time and status, a link to its public page and, for an
/// approver or the administrator of the issuing agency, a form to annul it with a reason
/// (`POST /can-bo/ho-so/{id}/thu-hoi-van-ban`, through the gateway's AnnulDocument as the
/// officer, so the API's checks apply; dossier-svc keeps who annulled it, when and why).
struct ConsoleSignatures: Sendable {
    let gateway: GatewayClient

    static func mayAnnul(_ officer: ConsoleOfficer) -> Bool {
        officer.roleNames.contains("approver") || officer.roleNames.contains("admin")
    }

    static func section(_ signatures: [DossierV1.Verification], dossierID: String, officer: ConsoleOfficer) -> String {
        guard !signatures.isEmpty else { return "" }
        let e = PortalPage.escape
        let action = "/can-bo/ho-so/\(e(ConsolePage.pathSegment(dossierID)))/thu-hoi-van-ban"
        var rows = ""
        for signature in signatures {
            var annul = ""
            if mayAnnul(officer), signature.issuerAgencyCode == officer.agency,
               signature.status == .valid || signature.status == .replaced {
                let field = "ly-do-\(e(signature.code))"
                annul = """
                    <form class="annul" method="post" action="\(action)">\(officer.visitor.csrfInput)\
                    <input type="hidden" name="code" value="\(e(signature.code))">\
                    <label for="\(field)">Lý do thu hồi</label> <input id="\(field)" name="reason" required maxlength="1000">\
                    <button type="submit">Thu hồi văn bản</button></form>
                    """
            }
            rows += """
                <tr><td><a href="/xac-minh/\(e(signature.code))">\(e(signature.code))</a></td><td>\(e(signature.documentType))</td>\
                <td>\(e(PortalFormat.dateTime(signature.signedAtUnixMs)))</td><td>\(e(VerificationPage.statusText(signature)))</td><td>\(annul)</td></tr>

                """
        }
        return """
            <h2>Văn bản đã ký số</h2>
            <table class="signatures"><thead><tr><th scope="col">Mã xác minh</th><th scope="col">Văn bản</th><th scope="col">Thời điểm ký</th>\
            <th scope="col">Trạng thái</th><th scope="col">Thu hồi</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>
            """
    }

    func add(to router: Router<GatewayRequestContext>) {
        router.post("/can-bo/ho-so/:id/thu-hoi-van-ban") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard let officer = ConsoleOfficer.of(context) else { return PortalForm.forged() }
            let fields = try await PortalForm.fields(request)
            guard officer.visitor.accepts(fields) else { return PortalForm.forged() }
            var annul = DossierV1.AnnulDocumentRequest()
            annul.code = (fields["code"] ?? "").trimmingCharacters(in: .whitespaces)
            annul.reason = (fields["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let back = "/can-bo/ho-so/\(ConsolePage.pathSegment(id))"
            do {
                _ = try await gateway.call(GatewayV1.VerificationService.annulDocument, annul, as: officer.caller)
            } catch {
                let rpc = RPCError(from: error)
                let message: String
                switch rpc.code {
                case .permissionDenied: message = "Chỉ lãnh đạo hoặc quản trị viên của cơ quan ban hành mới thu hồi được văn bản."
                case .invalidArgument where rpc.violations.first?.field == "reason": message = "Vui lòng nêu lý do thu hồi."
                case .notFound: message = "Không có văn bản với mã xác minh này."
                case .failedPrecondition: message = "Văn bản đã bị thu hồi trước đó."
                default: message = rpc.message
                }
                return ConsolePage.response(officer, title: "Không thu hồi được", body: """
                    <h1>Không thu hồi được văn bản</h1>
                    <p class="alert" role="alert">\(PortalPage.escape(message))</p>
                    <p><a href="\(PortalPage.escape(back))">Về hồ sơ</a></p>
                    """, status: ProblemDocument.status(for: rpc.code))
            }
            return PortalForm.redirect(back + "?da_thu_hoi=1")
        }
    }
}
