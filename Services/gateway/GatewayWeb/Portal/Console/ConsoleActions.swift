import DVCProto
import GatewayDoor
import Hummingbird
import RPCCore

/// `POST /can-bo/ho-so/{id}/xu-ly`: one step on a dossier, from one of the forms of its page.
///
/// Checked in this order, and nothing changes unless all pass: the POST comes from this site
/// (else `PortalForm.crossSite()`, 403), an officer's session (else `PortalForm.forged()`), its
/// CSRF token in the form (else `forged()`, 403). Then the step runs through the gateway's Act
/// as the officer (the same identity, agency, role and version checks as the API), and the
/// browser goes back to the dossier's page (303) with `?da_xu_ly=1`; a refusal shows
/// the page again with the reason and the officer's text kept.
struct ConsoleActions: Sendable {
    let gateway: GatewayClient
    let page: ConsoleDossierPage
    let bodies: RequestBodies

    func add(to router: Router<GatewayRequestContext>) {
        router.post("/can-bo/ho-so/:id/xu-ly") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard let officer = ConsoleOfficer.of(context) else { return PortalForm.forged() }
            // A form with a result file is a large body: admitted before it is read.
            var reservation: LargeBodyBudget.Reservation?
            if MultipartForm.isMultipart(request) {
                do {
                    reservation = try bodies.admit(request, caller: officer.caller, limit: RequestBodies.largeMultipart)
                } catch {
                    let refusal = RPCError(from: error)
                    var shown = try await page.show(id, to: officer, refusal: refusal.message,
                                                    status: BodyTooLarge.means(error) ? .contentTooLarge : ProblemDocument.status(for: refusal.code))
                    if let wait = ProblemDocument.retryAfter(refusal) { shown.headers[.retryAfter] = wait }
                    return shown
                }
            }
            defer { if let reservation { bodies.budget.leave(reservation) } }
            let posted: ConsolePostedAction
            do {
                posted = try await ConsolePostedAction.read(request)
            } catch let refusal as MultipartForm.Refusal {
                // The body could not be read (too large, cut short): nothing was done. The page is
                // only shown again, which is safe whoever sent it.
                let explained = ConsoleRefusal(refusal.rpcError, action: .approve, values: [:], local: true)
                return try await page.show(id, to: officer, refusal: explained.message, failure: explained.failure, status: explained.status)
            }
            guard officer.visitor.accepts(posted.fields) else { return PortalForm.forged() }
            guard let action = posted.action else {
                return try await page.show(id, to: officer, refusal: "Thao tác không hợp lệ; hãy tải lại trang rồi thử lại.", status: .badRequest)
            }
            let act: DossierV1.ActRequest
            do {
                act = try posted.actRequest(dossierID: id, action: action)
            } catch let error as RPCError {
                let explained = ConsoleRefusal(error, action: action, values: posted.echoed, local: true)
                return try await page.show(id, to: officer, refusal: explained.message, failure: explained.failure, status: explained.status)
            }
            do {
                _ = try await gateway.call(GatewayV1.DossierService.act, act, as: officer.caller)
            } catch {
                let rpc = RPCError(from: error)
                switch rpc.code {
                case .notFound:
                    return ConsolePage.notFound(officer)
                case .unauthenticated:
                    return PortalForm.signIn(returningTo: "/can-bo/ho-so/\(ConsolePage.pathSegment(id))", officer: true)
                default:
                    let explained = ConsoleRefusal(rpc, action: action, values: posted.echoed)
                    return try await page.show(id, to: officer, refusal: explained.message, failure: explained.failure, status: explained.status)
                }
            }
            return PortalForm.redirect("/can-bo/ho-so/\(ConsolePage.pathSegment(id))?da_xu_ly=1")
        }
    }
}
