import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import NIOCore
import OneStop
import RPCCore

/// Online submission (level 3 and above): the form built from the procedure's declared fields
/// with a file input per required document, sent as multipart/form-data and read as it streams
/// (`MultipartForm`), then submitted through the gateway's own SubmitDossier — the same level,
/// identity and idempotency checks as the API. The answer is the submission slip, printable,
/// with the tracking PIN shown this once.
///
/// Where the agency offers the procedure below level 3 the page says so, with what the citizen
/// can do instead (download the forms, submit in person).
struct SubmissionPages: GatewayRoutes {
    let gateway: GatewayClient
    let bodies: RequestBodies

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/nop-ho-so/:code") { request, context -> Response in
            let code = context.parameters.get("code") ?? ""
            let agency = FormData.parse(request.uri.query)["co_quan"] ?? ""
            guard let visitor = context.visitor else {
                return PortalForm.signIn(returningTo: request.uri.description)
            }
            guard visitor.citizenID != nil else { return Self.citizensOnly() }
            let procedure: GatewayV1.ProcedureAtAgency
            switch try await load(code: code, agency: agency) {
            case .found(let found): procedure = found
            case .page(let page): return page
            }
            var form = OnlineForm(procedure: procedure.procedure ?? .init(), agencyCode: agency)
            // Resuming a draft (docs/drafts.md): the form comes back filled in, with its files.
            let query = FormData.parse(request.uri.query)
            if let draftID = query["nhap"], !draftID.isEmpty {
                switch try await resume(draftID, code: code, agency: agency, into: &form, visitor: visitor) {
                case .some(let page): return page
                case .none: break
                }
                if query["da_luu"] == "1" { form.notice = Self.savedNotice(form.draft) }
            }
            await offerChoices(&form, procedure, visitor: visitor)
            return Self.formPage(procedure, form: form, visitor: visitor, key: Secrets.randomBase64URL(byteCount: 16))
        }

        router.post("/nop-ho-so/:code") { request, context -> Response in
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            let code = context.parameters.get("code") ?? ""
            let agency = FormData.parse(request.uri.query)["co_quan"] ?? ""
            guard let visitor = context.visitor else { return PortalForm.forged() }
            guard visitor.citizenID != nil else { return Self.citizensOnly() }
            let procedure: GatewayV1.ProcedureAtAgency
            switch try await load(code: code, agency: agency) {
            case .found(let found): procedure = found
            case .page(let page): return page
            }
            var form = OnlineForm(procedure: procedure.procedure ?? .init(), agencyCode: agency)
            await offerChoices(&form, procedure, visitor: visitor)
            // Up to 50 MiB of files: admitted (the citizen's allowance, a free slot) before a
            // byte of it is read, held until the submission is done.
            let reservation: LargeBodyBudget.Reservation
            do {
                reservation = try bodies.admit(request, caller: visitor.caller, limit: RequestBodies.largeMultipart)
            } catch {
                form.errors["form"] = RPCError(from: error).message
                var page = Self.formPage(procedure, form: form, visitor: visitor, key: Secrets.randomBase64URL(byteCount: 16),
                                         status: BodyTooLarge.means(error) ? .contentTooLarge : ProblemDocument.status(for: RPCError(from: error).code))
                if let wait = ProblemDocument.retryAfter(RPCError(from: error)) { page.headers[.retryAfter] = wait }
                return page
            }
            defer { bodies.budget.leave(reservation) }
            let posted: MultipartForm
            do {
                posted = try await MultipartForm.read(request, limits: .dossier)
            } catch let refusal as MultipartForm.Refusal {
                // The body is not read to its end; the token cannot be checked, so nothing is
                // done but saying what was wrong.
                form.errors[refusal.field == "body" ? "form" : refusal.field] = refusal.message
                return Self.formPage(procedure, form: form, visitor: visitor, key: Secrets.randomBase64URL(byteCount: 16),
                                     status: refusal.tooLarge ? .contentTooLarge : .badRequest)
            }
            guard visitor.accepts(posted.fields) else { return PortalForm.forged() }
            let declared = Set(form.fields.map(\.name))
            form.values = posted.fields.filter { declared.contains($0.key) }

            var submit = DossierV1.SubmitDossierRequest()
            submit.agencyCode = agency
            submit.procedureCode = code
            submit.channel = .online
            submit.formData = form.values
            // Which input each attachment came from, to put its error beside that input.
            var inputOfAttachment: [String] = []
            let documents = procedure.procedure?.documents ?? []
            for file in posted.files where file.field.hasPrefix("tep_") {
                var upload = DossierV1.AttachmentUpload()
                upload.name = Self.attachmentName(file.filename, fallback: "\(file.field).pdf")
                upload.content = file.content
                // Each input is one required document: the file says which it is.
                if let index = Int(file.field.dropFirst(4)), documents.indices.contains(index) {
                    upload.requiredDocument = documents[index].name
                }
                submit.attachments.append(upload)
                inputOfAttachment.append(file.field)
            }
            // Papers reused instead of a file: "<dossier id>/<file id>" per document input.
            for (index, document) in documents.enumerated() {
                guard let value = posted.fields[OnlineForm.reuseInput(index)], !value.isEmpty else { continue }
                let parts = value.split(separator: "/", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                var reused = DossierV1.ReusedDocument()
                reused.dossierId = parts[0]
                reused.fileId = parts[1]
                reused.requiredDocument = document.name
                submit.reusedDocuments.append(reused)
            }
            submit.resultReturn = form.resultReturn.take(posted.fields)
            let key = PortalForm.idempotencyKey(posted.fields)
            // "Lưu nháp", or anything posted from a resumed draft, goes through the draft.
            if posted.fields["hanh_dong"] == "luu_nhap" || !(posted.fields["nhap_id"] ?? "").isEmpty {
                return await throughDraft(posted: posted, submit: submit, form: form, procedure: procedure,
                                          visitor: visitor, key: key, inputOfAttachment: inputOfAttachment)
            }
            do {
                let submitted = try await gateway.call(GatewayV1.DossierService.submitDossier, submit,
                                                       as: visitor.caller, idempotencyKey: key)
                return Self.slip(submitted, procedure: procedure)
            } catch let error as RPCError {
                form.errors = Self.explain(error, form: form, inputOfAttachment: inputOfAttachment)
                let status: HTTPResponse.Status = error.code == .invalidArgument ? .unprocessableContent
                    : error.code == .permissionDenied ? .forbidden : .serviceUnavailable
                // The same key again: correcting a field is a new submission only if it got through.
                return Self.formPage(procedure, form: form, visitor: visitor, key: key, status: status)
            }
        }
    }

    /// What the form offers besides the fields: the citizen's reusable papers and the centres
    /// that receive for the agency (for the result). A courtesy: the form works without them.
    private func offerChoices(_ form: inout OnlineForm, _ found: GatewayV1.ProcedureAtAgency, visitor: PortalVisitor) async {
        form.resultReturn.fullyOnline = found.enabledLevel >= 4
        form.reusable = (try? await gateway.call(GatewayV1.DossierService.listReusableDocuments,
                                                 DossierV1.ListReusableDocumentsRequest(), as: visitor.caller).documents) ?? []
        form.resultReturn.centres = await centres(receivingFor: found.agencyCode)
    }

    /// Service centres receiving for `agency`: among the roots' children, their children (a
    /// city centre's branches) and the agency's own children (a commune's centre).
    private func centres(receivingFor agency: String) async -> [(code: String, name: String)] {
        func children(_ parent: String) async -> [CatalogV1.Agency] {
            var list = CatalogV1.ListAgenciesRequest()
            list.parentCode = parent
            return (try? await gateway.call(GatewayV1.PublicService.listAgencies, list, as: .anonymous).agencies) ?? []
        }
        var candidates: [CatalogV1.Agency] = []
        for root in await children("") {
            let level = await children(root.code)
            candidates += level
            for centre in level where centre.kind == .serviceCentre { candidates += await children(centre.code) }
        }
        candidates += await children(agency)
        var seen: Set<String> = []
        return candidates.filter { $0.kind == .serviceCentre && $0.receivesFor.contains(agency) && seen.insert($0.code).inserted }
            .map { ($0.code, $0.name) }
    }

    enum Loaded {
        case found(GatewayV1.ProcedureAtAgency)
        case page(Response)
    }

    /// The procedure at the agency, or the page to show instead (unknown, or below level 3).
    private func load(code: String, agency: String) async throws -> Loaded {
        var get = GatewayV1.GetProcedureRequest()
        get.procedureCode = code
        get.agencyCode = agency
        let found: GatewayV1.ProcedureAtAgency
        do {
            found = try await gateway.call(GatewayV1.PublicService.getProcedure, get, as: .anonymous)
        } catch let error as RPCError where error.code == .notFound || error.code == .invalidArgument {
            return .page(PortalPage.response(title: "Không tìm thấy", body: """
                <h1>Không tìm thấy thủ tục tại cơ quan này</h1>
                <p><a href="/thu-tuc/\(PortalPage.escape(code))">Xem thủ tục và các cơ quan thực hiện</a></p>
                """, status: .notFound))
        }
        guard found.enabledLevel >= 3 else { return .page(Self.belowLevelThree(found)) }
        return .found(found)
    }

    // MARK: Pages

    static func formPage(_ found: GatewayV1.ProcedureAtAgency, form: OnlineForm, visitor: PortalVisitor, key: String,
                         status: HTTPResponse.Status = .ok) -> Response {
        let e = PortalPage.escape
        let procedure = found.procedure ?? .init()
        return PortalPage.response(title: "Nộp hồ sơ: \(procedure.name)", body: """
            <h1>Nộp hồ sơ trực tuyến</h1>
            <p><b>\(e(procedure.name))</b><br>Nơi tiếp nhận: \(e(found.agencyName))
            <span class="level l\(found.enabledLevel)">\(e(ServiceLevel(rawValue: found.enabledLevel).portalName))</span></p>
            \(form.html(csrfInput: visitor.csrfInput, idempotencyKey: key))
            """, status: status)
    }

    /// The submission slip: what was submitted, when, and the tracking PIN (shown only here).
    static func slip(_ submitted: DossierV1.SubmitDossierResponse, procedure found: GatewayV1.ProcedureAtAgency) -> Response {
        let e = PortalPage.escape
        let dossier = submitted.dossier ?? .init()
        let files = dossier.attachments.map { "<li>\(e($0.name)) (\(PortalFormat.size($0.sizeBytes)))</li>" }.joined()
        let fee = found.enabledLevel >= 4 && (found.procedure?.fees.contains { $0.amountVnd > 0 } ?? false)
            ? "<p>Thủ tục có phí, lệ phí: khi cơ quan yêu cầu, bạn thanh toán trực tuyến trên trang hồ sơ.</p>" : ""
        return PortalPage.response(title: "Đã nộp hồ sơ", body: """
            <h1>Đã nộp hồ sơ</h1>
            <p class="notice">Hồ sơ đã được gửi tới \(e(found.agencyName)). Cơ quan sẽ kiểm tra và tiếp nhận; giấy tiếp nhận và hẹn trả kết quả sẽ có trên trang hồ sơ và được gửi vào hộp thư của bạn.</p>
            <table>
            <tr><th>Thủ tục</th><td>\(e(found.procedure?.name ?? dossier.procedureCode))</td></tr>
            <tr><th>Mã hồ sơ trên hệ thống</th><td>\(e(dossier.id))</td></tr>
            <tr><th>Thời điểm nộp</th><td>\(e(PortalFormat.dateTime(dossier.submittedAtUnixMs)))</td></tr>
            <tr><th>Trạng thái</th><td>\(e(OneStopNames.state(dossier.state)))</td></tr>
            <tr><th>Mã tra cứu</th><td><b id="tracking-pin">\(e(submitted.trackingPin))</b><br><small>Hãy ghi lại: mã này chỉ hiện một lần. Cùng với mã hồ sơ trên giấy tiếp nhận, nó cho phép tra cứu hồ sơ mà không cần đăng nhập.</small></td></tr>
            </table>
            <h2>Giấy tờ đã gửi</h2><ul>\(files.isEmpty ? "<li>Không có tệp đính kèm</li>" : files)</ul>
            \(fee)
            <p class="actions"><a href="/ho-so/\(e(dossier.id))">Xem hồ sơ</a> · <a href="/ho-so-cua-toi">Hồ sơ của tôi</a>
            <button type="button" class="print" hidden>In phiếu</button></p>
            """)
    }

    static func belowLevelThree(_ found: GatewayV1.ProcedureAtAgency) -> Response {
        let e = PortalPage.escape
        let procedure = found.procedure ?? .init()
        let online = found.levels.filter { $0.level >= 3 }.map { level in
            "<li><a href=\"/nop-ho-so/\(e(procedure.code))?co_quan=\(e(PortalRoutes.formEncode(level.agencyCode)))\">\(e(level.agencyName))</a> (\(e(ServiceLevel(rawValue: level.level).portalName)))</li>"
        }.joined()
        return PortalPage.response(title: "Chưa nộp trực tuyến được", body: """
            <h1>Chưa nộp hồ sơ trực tuyến được tại cơ quan này</h1>
            <p>\(e(found.agencyName)) cung cấp thủ tục “\(e(procedure.name))” ở <span class="level l\(found.enabledLevel)">\(e(ServiceLevel(rawValue: found.enabledLevel).portalName))</span>.</p>
            <p>\(e(PortalPage.levelMeaning(found.enabledLevel)))</p>
            \(PortalRoutes.formsList(procedure, agencyCode: found.agencyCode, level: found.enabledLevel))
            \(online.isEmpty ? "" : "<h2>Nơi nộp trực tuyến được</h2><ul>\(online)</ul>")
            <p><a href="/thu-tuc/\(e(procedure.code))">Về trang thủ tục</a></p>
            """, status: .forbidden)
    }

    static func citizensOnly() -> Response {
        PortalPage.response(title: "Dành cho công dân", body: """
            <h1>Trang này dành cho công dân</h1><p>Hãy đăng nhập bằng tài khoản công dân để nộp và theo dõi hồ sơ.</p>
            """, status: .forbidden)
    }

    // MARK: Helpers

    /// The citizen's file name, without any folder a browser may add, at most 200 characters.
    static func attachmentName(_ filename: String, fallback: String) -> String {
        let base = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let trimmed = base.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? fallback : String(trimmed.prefix(200))
    }

    /// Each refusal in the citizen's words, by the input it concerns: the RPC names
    /// `form_data.<field>` and `attachments[<n>]…`; anything else goes above the form.
    static func explain(_ error: RPCError, form: OnlineForm, inputOfAttachment: [String]) -> [String: String] {
        guard error.code == .invalidArgument, !error.violations.isEmpty else {
            return ["form": PortalMessages.refusal(error)]
        }
        let declared = Dictionary(form.fields.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var errors: [String: String] = [:]
        for violation in error.violations {
            if violation.field.hasPrefix("form_data.") {
                let name = String(violation.field.dropFirst("form_data.".count))
                if let field = declared[name] {
                    let value = form.values[name] ?? ""
                    // A quantity the fee counts is a whole number of copies, pages or rooms.
                    let quantity = FeeCalculator.quantityFields(of: form.procedure).contains(name)
                        && !value.trimmingCharacters(in: .whitespaces).isEmpty
                    errors[name] = quantity ? FeeCalculator.quantityProblem(label: field.label) : PortalMessages.fieldProblem(field, value: value)
                } else {
                    errors["form", default: ""] += "Mục “\(name)” không thuộc tờ khai. "
                }
            } else if violation.field.hasPrefix("attachments["),
                      let close = violation.field.firstIndex(of: "]"),
                      let index = Int(violation.field[violation.field.index(violation.field.startIndex, offsetBy: 12)..<close]),
                      inputOfAttachment.indices.contains(index) {
                errors[inputOfAttachment[index]] = PortalMessages.attachmentProblem(violation.description)
            } else if violation.field.hasPrefix("result_return") {
                errors["nhan_ket_qua"] = violation.field.hasSuffix("postal_address")
                    ? "Hãy ghi địa chỉ nhận kết quả qua bưu chính." : "Nơi nhận kết quả này không nhận hồ sơ của cơ quan."
            } else if violation.field.hasPrefix("reused_documents") {
                errors["form"] = "Giấy tờ chọn dùng lại không thuộc hồ sơ của bạn hoặc chưa được số hóa."
            } else if violation.field == "attachments" {
                errors["form"] = violation.description.hasPrefix("Thiếu giấy tờ")
                    ? violation.description : PortalMessages.attachmentProblem(violation.description)
            } else {
                errors["form"] = PortalMessages.refusal(error)
            }
        }
        return errors
    }
}
