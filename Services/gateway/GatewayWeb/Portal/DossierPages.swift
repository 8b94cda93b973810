import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import NIOCore
import OneStop
import RPCCore

/// A citizen's own dossier: its state, appointment, what was sent, the documents issued to them
/// (receipt slip, supplement request, apology…), its history, and what they can do now — pay
/// the fee through the provider (level 4), supplement what was asked, withdraw, download the
/// result when it is delivered online.
///
/// Everything goes through the gateway's methods for the signed-in citizen, so another citizen's
/// dossier is "not found" here exactly as it is in the API, whatever id is typed in the URL.
struct DossierPages: GatewayRoutes {
    let gateway: GatewayClient
    let bodies: RequestBodies

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/ho-so/:id") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard let visitor = citizen(context) else { return PortalForm.signIn(returningTo: request.uri.description) }
            let flash = FormData.parse(request.uri.query)
            return try await page(id, visitor: visitor, notice: Self.notice(flash), error: nil)
        }
        router.get("/ho-so/:id/tep/:file") { request, context -> Response in
            guard let visitor = citizen(context) else { return PortalForm.signIn(returningTo: request.uri.description) }
            var get = DossierV1.GetFileRequest()
            get.dossierId = context.parameters.get("id") ?? ""
            get.fileId = context.parameters.get("file") ?? ""
            do {
                let file = try await gateway.call(GatewayV1.DossierService.getFile, get, as: visitor.caller)
                return PortalDownload.file(name: file.name, mediaType: file.mediaType, content: file.content)
            } catch let error as RPCError {
                return Self.refusalPage(error)
            }
        }
        router.get("/ho-so/:id/giay-to/:form") { request, context -> Response in
            guard let visitor = citizen(context) else { return PortalForm.signIn(returningTo: request.uri.description) }
            let form = context.parameters.get("form") ?? ""
            do {
                let dossier = try await load(context.parameters.get("id") ?? "", visitor)
                // Only what the dossier's page lists: never the control slip.
                guard let document = PortalDownload.latest(form, in: dossier.documents.filter(\.isForCitizens)) else {
                    return PortalPage.response(title: "Không có giấy tờ", body: "<h1>Hồ sơ chưa có giấy tờ này</h1>", status: .notFound)
                }
                return PortalDownload.document(document)
            } catch let error as RPCError {
                return Self.refusalPage(error)
            }
        }
        router.get("/ho-so/:id/giay-to/:form/pdf") { request, context -> Response in
            guard let visitor = citizen(context) else { return PortalForm.signIn(returningTo: request.uri.description) }
            let get = PortalDownload.renditionRequest(dossier: context.parameters.get("id") ?? "",
                                                      form: context.parameters.get("form") ?? "", query: request.uri.query)
            do {
                return PortalDownload.rendition(try await gateway.call(GatewayV1.DocumentService.getDocumentRendition, get, as: visitor.caller))
            } catch let error as RPCError where error.code == .notFound {
                return PortalPage.response(title: "Không có giấy tờ", body: "<h1>Hồ sơ chưa có giấy tờ này</h1>", status: .notFound)
            } catch let error as RPCError where error.code == .unavailable {
                return PortalPage.response(title: "Chưa tạo được bản PDF",
                                           body: "<h1>Chưa tạo được bản PDF</h1><p>Hệ thống chưa tạo được bản PDF của giấy tờ này. "
                                               + "Quý vị vẫn xem và in được bản trên trình duyệt; vui lòng thử tải bản PDF lại sau.</p>",
                                           status: .serviceUnavailable)
            } catch let error as RPCError {
                return Self.refusalPage(error)
            }
        }
        router.post("/ho-so/:id/thanh-toan") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard let visitor = citizen(context) else { return PortalForm.forged() }
            let form = try await PortalForm.fields(request)
            guard visitor.accepts(form) else { return PortalForm.forged() }
            var create = PaymentV1.CreatePaymentRequest()
            create.dossierId = id
            do {
                let payment = try await gateway.call(GatewayV1.PaymentService.createPayment, create, as: visitor.caller,
                                                     idempotencyKey: form["idempotency_key"].flatMap { $0.isEmpty || $0.count > 64 ? nil : $0 })
                guard payment.state == .pending, let url = URL(string: payment.redirectUrl), url.scheme == "https" || url.scheme == "http" else {
                    return PortalForm.redirect("/ho-so/\(PortalRoutes.formEncode(id))?da_thanh_toan=1")
                }
                return Self.leavingForProvider(payment, dossierPath: "/ho-so/\(PortalRoutes.formEncode(id))")
            } catch let error as RPCError {
                return try await page(id, visitor: visitor, notice: nil, error: PortalMessages.refusal(error), status: Self.status(error))
            }
        }
        router.post("/ho-so/:id/rut") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard let visitor = citizen(context) else { return PortalForm.forged() }
            let form = try await PortalForm.fields(request)
            guard visitor.accepts(form) else { return PortalForm.forged() }
            var act = DossierV1.ActRequest()
            act.dossierId = id
            act.action = .withdraw
            act.expectedVersion = UInt64(form["expected_version"] ?? "") ?? 0
            act.note = String((form["ly_do"] ?? "").prefix(1000))
            return try await acted(act, visitor: visitor, done: "da_rut")
        }
        router.post("/ho-so/:id/bo-sung") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard let visitor = citizen(context) else { return PortalForm.forged() }
            let reservation: LargeBodyBudget.Reservation
            do {
                reservation = try bodies.admit(request, caller: visitor.caller, limit: RequestBodies.largeMultipart)
            } catch {
                let refusal = RPCError(from: error)
                var shown = try await page(id, visitor: visitor, notice: nil, error: refusal.message,
                                           status: BodyTooLarge.means(error) ? .contentTooLarge : ProblemDocument.status(for: refusal.code))
                if let wait = ProblemDocument.retryAfter(refusal) { shown.headers[.retryAfter] = wait }
                return shown
            }
            defer { bodies.budget.leave(reservation) }
            let posted: MultipartForm
            do {
                posted = try await MultipartForm.read(request, limits: .dossier)
            } catch let refusal as MultipartForm.Refusal {
                return try await page(id, visitor: visitor, notice: nil, error: refusal.message,
                                      status: refusal.tooLarge ? .contentTooLarge : .badRequest)
            }
            guard visitor.accepts(posted.fields) else { return PortalForm.forged() }
            var act = DossierV1.ActRequest()
            act.dossierId = id
            act.action = .resubmit
            act.expectedVersion = UInt64(posted.fields["expected_version"] ?? "") ?? 0
            act.note = String((posted.fields["ghi_chu"] ?? "").prefix(1000))
            for file in posted.files where file.field == "tep_bo_sung" {
                var upload = DossierV1.AttachmentUpload()
                upload.name = SubmissionPages.attachmentName(file.filename, fallback: "bo-sung.pdf")
                upload.content = file.content
                act.attachments.append(upload)
            }
            return try await acted(act, visitor: visitor, done: "da_bo_sung")
        }
    }

    /// The signed-in citizen of the request, or nil (nobody, or an officer).
    private func citizen(_ context: GatewayRequestContext) -> PortalVisitor? {
        guard let visitor = context.visitor, visitor.citizenID != nil else { return nil }
        return visitor
    }

    private func load(_ id: String, _ visitor: PortalVisitor) async throws -> DossierV1.Dossier {
        var get = DossierV1.GetDossierRequest()
        get.id = id
        return try await gateway.call(GatewayV1.DossierService.getDossier, get, as: visitor.caller)
    }

    private func acted(_ act: DossierV1.ActRequest, visitor: PortalVisitor, done: String) async throws -> Response {
        do {
            _ = try await gateway.call(GatewayV1.DossierService.act, act, as: visitor.caller)
            return PortalForm.redirect("/ho-so/\(PortalRoutes.formEncode(act.dossierId))?\(done)=1")
        } catch let error as RPCError {
            var message = PortalMessages.refusal(error)
            if error.code == .invalidArgument, let violation = error.violations.first, violation.field.hasPrefix("attachments") {
                message = PortalMessages.attachmentProblem(violation.description)
            }
            return try await page(act.dossierId, visitor: visitor, notice: nil, error: message, status: Self.status(error))
        }
    }

    // MARK: The page

    private func page(_ id: String, visitor: PortalVisitor, notice: String?, error: String?,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let dossier: DossierV1.Dossier
        let history: [DossierV1.HistoryEntry]
        do {
            dossier = try await load(id, visitor)
            var get = DossierV1.GetHistoryRequest()
            get.dossierId = id
            history = try await gateway.call(GatewayV1.DossierService.getHistory, get, as: visitor.caller).entries
        } catch let error as RPCError {
            return Self.refusalPage(error)
        }
        var list = PaymentV1.ListPaymentsRequest()
        list.dossierId = id
        // Payments are shown when payment-svc answers; the dossier's page does not depend on it.
        let payments = (try? await gateway.call(GatewayV1.PaymentService.listPayments, list, as: visitor.caller).payments) ?? []
        var procedureName = dossier.procedureCode
        var agencyName = dossier.agencyCode
        var get = GatewayV1.GetProcedureRequest()
        get.procedureCode = dossier.procedureCode
        get.agencyCode = dossier.agencyCode
        // Names and labels from the catalog; without it the page still shows codes and field names.
        let found = try? await gateway.call(GatewayV1.PublicService.getProcedure, get, as: .anonymous)
        if let found {
            procedureName = found.procedure?.name ?? procedureName
            agencyName = found.agencyName
        }
        // The signed result's verification code, when there is a result (docs/signatures.md).
        var resultCode = ""
        if dossier.resultDocument != nil {
            var signed = DossierV1.ListSignaturesRequest()
            signed.dossierId = id
            let records = (try? await gateway.call(GatewayV1.VerificationService.listSignatures, signed, as: visitor.caller).signatures) ?? []
            resultCode = records.first { $0.documentType == "Kết quả giải quyết" && $0.status == .valid }?.code ?? ""
        }
        var view = DossierView(dossier: dossier, history: history, payments: payments, procedureName: procedureName,
                               agencyName: agencyName, procedure: found?.procedure, csrfInput: visitor.csrfInput,
                               paymentKey: Secrets.randomBase64URL(byteCount: 16), resultVerificationCode: resultCode)
        // The satisfaction rating once the result is there (docs/satisfaction.md).
        if RatingPages.rateableStates.contains(dossier.state) {
            var ask = DossierV1.GetRatingStatusRequest()
            ask.dossierId = id
            let status = try? await gateway.call(GatewayV1.RatingService.getRatingStatus, ask, as: visitor.caller)
            view.rating = RatingPages.section(dossier, status: status, csrfInput: visitor.csrfInput)
        }
        let body = view.html(notice: notice, error: error)
        return PortalPage.response(title: "Hồ sơ \(dossier.receiptCode.isEmpty ? procedureName : dossier.receiptCode)", body: body, status: status)
    }

    static func notice(_ query: [String: String]) -> String? {
        if query["da_rut"] != nil { return "Đã rút hồ sơ." }
        if query["da_bo_sung"] != nil { return "Đã gửi giấy tờ bổ sung." }
        if query["da_thanh_toan"] != nil { return "Khoản phí của hồ sơ đã được ghi nhận." }
        if query["da_danh_gia"] != nil { return "Cảm ơn bạn đã đánh giá." }
        return nil
    }

    static func status(_ error: RPCError) -> HTTPResponse.Status {
        switch error.code {
        case .invalidArgument: .unprocessableContent
        case .permissionDenied: .forbidden
        case .notFound: .notFound
        case .failedPrecondition, .aborted: .conflict
        default: .serviceUnavailable
        }
    }

    static func refusalPage(_ error: RPCError) -> Response {
        let notFound = error.code == .notFound || error.code == .invalidArgument
        return PortalPage.response(title: notFound ? "Không tìm thấy" : "Không thực hiện được", body: """
            <h1>\(notFound ? "Không tìm thấy hồ sơ" : "Không thực hiện được")</h1>
            <p>\(PortalPage.escape(notFound ? "Không có hồ sơ này trong các hồ sơ của bạn." : PortalMessages.refusal(error)))</p>
            <p><a href="/ho-so-cua-toi">Hồ sơ của tôi</a></p>
            """, status: notFound ? .notFound : status(error))
    }
}
