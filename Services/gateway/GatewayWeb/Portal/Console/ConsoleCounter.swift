import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import OneStop
import RPCCore

/// `/can-bo/tiep-nhan`: a receiving officer registers the paper dossier a citizen brought to the
/// counter (or sent by post) — for their own agency or, at a Public Administration Service
/// Centre, for any agency the centre receives for (Decree 118/2025/NĐ-CP: reception regardless
/// of administrative boundaries). The form is the procedure's own online form
/// (`OnlineForm` with `counter`), plus the applicant's identity number, the channel and, for
/// each scanned paper, the officer's confirmation that the scan matches it (số hóa).
///
/// It goes through the gateway's SubmitDossier as the officer: the same checks as the API
/// (receiver role, the centre's `receives_for`, the procedure published at the agency, required
/// documents). The dossier then waits in the queue of the centre and of the competent agency.
struct ConsoleCounter: Sendable {
    let gateway: GatewayClient
    let bodies: RequestBodies

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/can-bo/tiep-nhan") { request, context -> Response in
            guard let officer = ConsoleOfficer.of(context) else {
                return PortalForm.signIn(returningTo: request.uri.description, officer: true)
            }
            let query = FormData.parse(request.uri.query)
            let code = query["thu_tuc"] ?? ""
            let agency = query["co_quan"] ?? officer.agency
            guard !code.isEmpty else { return Self.choosePage(officer, agency: agency) }
            guard let found = try await load(code, agency: agency) else {
                return Self.choosePage(officer, agency: agency, error: "Không tìm thấy thủ tục \(code) tại cơ quan \(agency).",
                                       status: .notFound)
            }
            return Self.formPage(officer, found: found, form: form(found, agency: agency))
        }

        router.post("/can-bo/tiep-nhan") { request, context -> Response in
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard let officer = ConsoleOfficer.of(context) else { return PortalForm.forged() }
            let query = FormData.parse(request.uri.query)
            let code = query["thu_tuc"] ?? ""
            let agency = query["co_quan"] ?? ""
            guard let found = try await load(code, agency: agency) else {
                return Self.choosePage(officer, agency: agency, error: "Không tìm thấy thủ tục \(code) tại cơ quan \(agency).",
                                       status: .notFound)
            }
            var form = form(found, agency: agency)
            let reservation: LargeBodyBudget.Reservation
            do {
                reservation = try bodies.admit(request, caller: officer.caller, limit: RequestBodies.largeMultipart)
            } catch {
                form.errors["form"] = RPCError(from: error).message
                return Self.formPage(officer, found: found, form: form,
                                     status: BodyTooLarge.means(error) ? .contentTooLarge : ProblemDocument.status(for: RPCError(from: error).code))
            }
            defer { bodies.budget.leave(reservation) }
            let posted: MultipartForm
            do {
                posted = try await MultipartForm.read(request, limits: .dossier)
            } catch let refusal as MultipartForm.Refusal {
                form.errors[refusal.field == "body" ? "form" : refusal.field] = refusal.message
                return Self.formPage(officer, found: found, form: form, status: refusal.tooLarge ? .contentTooLarge : .badRequest)
            }
            guard officer.visitor.accepts(posted.fields) else { return PortalForm.forged() }
            let declared = Set(form.fields.map(\.name))
            form.values = posted.fields.filter { declared.contains($0.key) }
            form.applicantID = (posted.fields["so_dinh_danh"] ?? "").trimmingCharacters(in: .whitespaces)
            form.channel = posted.fields["kenh"] == "buu_chinh" ? "buu_chinh" : "truc_tiep"

            var submit = DossierV1.SubmitDossierRequest()
            submit.agencyCode = agency
            submit.procedureCode = code
            submit.applicantId = form.applicantID
            submit.channel = form.channel == "buu_chinh" ? .postal : .inPerson
            submit.formData = form.values
            let documents = found.procedure?.documents ?? []
            var inputOfAttachment: [String] = []
            for file in posted.files where file.field.hasPrefix("tep_") {
                var upload = DossierV1.AttachmentUpload()
                upload.name = SubmissionPages.attachmentName(file.filename, fallback: "\(file.field).pdf")
                upload.content = file.content
                if let index = Int(file.field.dropFirst(4)), documents.indices.contains(index) {
                    upload.requiredDocument = documents[index].name
                    upload.digitised = posted.fields[OnlineForm.confirmInput(index)] == "1"
                }
                submit.attachments.append(upload)
                inputOfAttachment.append(file.field)
            }
            submit.resultReturn = form.resultReturn.take(posted.fields)
            let key = PortalForm.idempotencyKey(posted.fields)
            do {
                let registered = try await gateway.call(GatewayV1.DossierService.submitDossier, submit,
                                                        as: officer.caller, idempotencyKey: key)
                return Self.registeredPage(officer, registered, found: found)
            } catch let error as RPCError {
                form.errors = SubmissionPages.explain(error, form: form, inputOfAttachment: inputOfAttachment)
                for violation in error.violations where violation.field == "applicant_id" {
                    form.errors["applicant_id"] = "Hãy nhập số định danh cá nhân 12 chữ số của người nộp."
                }
                for violation in error.violations where violation.field.hasSuffix(".digitised") {
                    form.errors["form"] = "Hãy xác nhận đã đối chiếu từng bản quét với bản giấy."
                }
                if error.code == .permissionDenied {
                    form.errors["form"] = "Cơ quan của bạn không tiếp nhận hồ sơ của \(agency), hoặc bạn không phải cán bộ tiếp nhận."
                }
                let status: HTTPResponse.Status = error.code == .invalidArgument ? .unprocessableContent
                    : error.code == .permissionDenied ? .forbidden : .serviceUnavailable
                return Self.formPage(officer, found: found, form: form, status: status, key: key)
            }
        }
    }

    /// The procedure at the competent agency (published there, level 1 or above), or nil.
    private func load(_ code: String, agency: String) async throws -> GatewayV1.ProcedureAtAgency? {
        guard !code.isEmpty, !agency.isEmpty else { return nil }
        var get = GatewayV1.GetProcedureRequest()
        get.procedureCode = code
        get.agencyCode = agency
        do {
            return try await gateway.call(GatewayV1.PublicService.getProcedure, get, as: .anonymous)
        } catch let error as RPCError where [.notFound, .invalidArgument, .failedPrecondition].contains(error.code) {
            return nil
        }
    }

    private func form(_ found: GatewayV1.ProcedureAtAgency, agency: String) -> OnlineForm {
        var form = OnlineForm(procedure: found.procedure ?? .init(), agencyCode: agency)
        form.counter = true
        form.resultReturn.fullyOnline = found.enabledLevel >= 4
        return form
    }

    /// The dossier registered: where it is, and the tracking PIN for the citizen's slip, shown
    /// this once (never put in a URL, where it would stay in the browser's history).
    static func registeredPage(_ officer: ConsoleOfficer, _ registered: DossierV1.SubmitDossierResponse,
                               found: GatewayV1.ProcedureAtAgency) -> Response {
        let e = PortalPage.escape
        let dossier = registered.dossier ?? .init()
        return ConsolePage.response(officer, title: "Đã tiếp nhận hồ sơ giấy", body: """
            <h1>Đã đăng ký hồ sơ giấy</h1>
            <p class="flash" role="status">Hồ sơ đã vào hệ thống, ở hàng đợi của nơi tiếp nhận và của cơ quan có thẩm quyền.</p>
            <table>
            <tr><th>Thủ tục</th><td>\(e(found.procedure?.name ?? dossier.procedureCode))</td></tr>
            <tr><th>Cơ quan có thẩm quyền</th><td>\(e(found.agencyName)) (\(e(dossier.agencyCode)))</td></tr>
            <tr><th>Nơi tiếp nhận</th><td>\(e(dossier.receivingAgencyCode))</td></tr>
            <tr><th>Hình thức</th><td>\(e(OneStopNames.channel(dossier.channel)))</td></tr>
            <tr><th>Người nộp</th><td>\(e(dossier.applicantId))</td></tr>
            <tr><th>Mã tra cứu</th><td><b id="tracking-pin">\(e(registered.trackingPin))</b> (ghi vào giấy tiếp nhận cho công dân)</td></tr>
            </table>
            <p>\(ConsolePage.dossierLink(dossier.id, text: "Mở hồ sơ để tiếp nhận"))</p>
            """)
    }

    static func choosePage(_ officer: ConsoleOfficer, agency: String, error: String? = nil,
                           status: HTTPResponse.Status = .ok) -> Response {
        let e = PortalPage.escape
        let message = error.map { "<p class=\"error\" role=\"alert\">\(e($0))</p>" } ?? ""
        return ConsolePage.response(officer, title: "Tiếp nhận hồ sơ giấy", body: """
            <h1>Tiếp nhận hồ sơ giấy</h1>
            <p>Hồ sơ công dân nộp tại quầy hoặc gửi qua bưu chính: chọn thủ tục và cơ quan có thẩm quyền giải quyết (cơ quan của bạn, hoặc cơ quan mà trung tâm tiếp nhận hồ sơ thay).</p>
            \(message)
            <form method="get" action="/can-bo/tiep-nhan">
            <p><label for="thu_tuc">Mã thủ tục</label><br><input id="thu_tuc" name="thu_tuc" type="text" required></p>
            <p><label for="co_quan">Mã cơ quan có thẩm quyền</label><br><input id="co_quan" name="co_quan" type="text" value="\(e(agency))" required></p>
            <button type="submit">Mở tờ khai</button>
            </form>
            """, status: status)
    }

    static func formPage(_ officer: ConsoleOfficer, found: GatewayV1.ProcedureAtAgency, form: OnlineForm,
                         status: HTTPResponse.Status = .ok, key: String = Secrets.randomBase64URL(byteCount: 16)) -> Response {
        let e = PortalPage.escape
        let procedure = found.procedure ?? .init()
        return ConsolePage.response(officer, title: "Tiếp nhận: \(procedure.name)", body: """
            <h1>Tiếp nhận hồ sơ giấy</h1>
            <p><b>\(e(procedure.name))</b> (\(e(procedure.code)))<br>Cơ quan có thẩm quyền: \(e(found.agencyName)) (\(e(found.agencyCode)))<br>
            Nơi tiếp nhận: \(e(officer.agency))</p>
            \(form.html(csrfInput: officer.visitor.csrfInput, idempotencyKey: key))
            """, status: status)
    }
}
