import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import RPCCore

/// The citizen's rating of their dossier (docs/satisfaction.md): `POST /ho-so/:id/danh-gia`
/// sends the form of the dossier's page through the gateway's RateDossier; done, back to the
/// dossier with "Cảm ơn bạn đã đánh giá"; refused, the form again with what was chosen and the
/// refused field named.
struct RatingPages: GatewayRoutes {
    let gateway: GatewayClient
    /// The states in which a dossier has its result (as dossier-svc's `DossierRatings`).
    static let rateableStates: Set<DossierV1.DossierState> = [.processed, .resultReturned]

    func add(to router: Router<GatewayRequestContext>) {
        router.post("/ho-so/:id/danh-gia") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard let visitor = context.visitor, visitor.citizenID != nil else { return PortalForm.forged() }
            let form = try await PortalForm.fields(request)
            guard visitor.accepts(form) else { return PortalForm.forged() }
            var rate = DossierV1.RateDossierRequest()
            rate.dossierId = id
            var scores = DossierV1.RatingScores()
            // A missing choice is 0, which the service refuses naming the criterion.
            func score(_ field: String) -> UInt32 { UInt32(form[field] ?? "") ?? 0 }
            scores.publicity = score("publicity")
            scores.timeliness = score("timeliness")
            scores.conduct = score("conduct")
            scores.fees = score("fees")
            scores.result = score("result")
            rate.scores = scores
            rate.comment = form["gop_y"] ?? ""
            do {
                _ = try await gateway.call(GatewayV1.RatingService.rateDossier, rate, as: visitor.caller)
                return PortalForm.redirect("/ho-so/\(PortalRoutes.formEncode(id))?da_danh_gia=1")
            } catch let error as RPCError {
                if error.code == .notFound { return DossierPages.refusalPage(error) }
                if error.code == .alreadyExists {
                    return PortalForm.redirect("/ho-so/\(PortalRoutes.formEncode(id))?da_danh_gia=1")
                }
                var shown = RatingForm(dossierID: id, csrfInput: visitor.csrfInput)
                shown.chosen = form
                shown.comment = String((form["gop_y"] ?? "").prefix(RatingForm.commentLimit * 2))
                shown.invalidField = error.violations.first?.field
                shown.error = Self.message(error)
                let body = "<h1>Đánh giá mức độ hài lòng</h1>\(shown.html())<p><a href=\"/ho-so/\(PortalPage.escape(id))\">← Về hồ sơ</a></p>"
                return PortalPage.response(title: "Đánh giá mức độ hài lòng", body: body, status: DossierPages.status(error))
            }
        }
    }

    /// The section of the dossier's page: the form once the result is there, thanks once rated.
    static func section(_ dossier: DossierV1.Dossier, status: DossierV1.RatingStatus?, csrfInput: String) -> String {
        guard let status else { return "" }
        if status.rated { return RatingForm.thanks }
        guard status.rateable else { return "" }
        return RatingForm(dossierID: dossier.id, csrfInput: csrfInput).html()
    }

    /// The refusal in the citizen's words: the field's own message when one is named.
    static func message(_ error: RPCError) -> String {
        guard let violation = error.violations.first else { return PortalMessages.refusal(error) }
        if violation.field.hasPrefix("scores."), let criterion = RatingForm.criteria.first(where: { "scores.\($0.field)" == violation.field }) {
            return "Hãy chọn mức độ hài lòng cho tiêu chí \"\(criterion.name)\"."
        }
        if violation.field == "comment" { return "Ý kiến góp ý dài quá \(RatingForm.commentLimit) ký tự; hãy rút gọn." }
        if error.code == .failedPrecondition { return "Hồ sơ chưa có kết quả giải quyết nên chưa đánh giá được." }
        return PortalMessages.refusal(error)
    }
}
