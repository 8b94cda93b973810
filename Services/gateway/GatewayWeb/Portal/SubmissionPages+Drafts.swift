import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import RPCCore

/// The submission form's drafts (docs/drafts.md, docs/portal.md): "Lưu nháp" saves the values
/// and the files chosen so far (`SaveDraft`), the form reopens filled in from "Hồ sơ nháp" on
/// any device, and "Nộp hồ sơ" on a resumed draft saves what changed and submits the draft
/// (`SubmitDraft`: the same checks as a direct submission; a refusal keeps the draft).
extension SubmissionPages {
    /// Fills `form` from the citizen's draft; a page instead when it cannot be resumed here.
    func resume(_ draftID: String, code: String, agency: String, into form: inout OnlineForm,
                visitor: PortalVisitor) async throws -> Response? {
        var get = DossierV1.GetDraftRequest()
        get.draftId = draftID
        let draft: DossierV1.Draft
        do {
            draft = try await gateway.call(GatewayV1.DraftService.getDraft, get, as: visitor.caller)
        } catch let error as RPCError where error.code == .notFound || error.code == .invalidArgument {
            return Self.draftMissing()
        }
        guard draft.procedureCode == code, draft.agencyCode == agency else {
            return PortalForm.redirect(Self.draftPath(draft))
        }
        form.draft = draft
        form.values = draft.formData
        return nil
    }

    /// Saves the posted form as a draft, then either shows it again ("Lưu nháp") or submits it.
    func throughDraft(posted: MultipartForm, submit: DossierV1.SubmitDossierRequest, form: OnlineForm,
                      procedure: GatewayV1.ProcedureAtAgency, visitor: PortalVisitor, key: String,
                      inputOfAttachment: [String]) async -> Response {
        var form = form
        let draftID = posted.fields["nhap_id"] ?? ""
        var save = DossierV1.SaveDraftRequest()
        save.draftId = draftID
        save.expectedVersion = UInt64(posted.fields["nhap_phien_ban"] ?? "") ?? 0
        if draftID.isEmpty {
            save.agencyCode = submit.agencyCode
            save.procedureCode = submit.procedureCode
        }
        save.formData = submit.formData
        save.attachments = submit.attachments
        save.removeFileIds = posted.fields.filter { $0.key.hasPrefix("bo_tep_") && $0.value == "1" }
            .map { String($0.key.dropFirst("bo_tep_".count)) }.sorted()
        let saved: DossierV1.Draft
        do {
            saved = try await gateway.call(GatewayV1.DraftService.saveDraft, save, as: visitor.caller)
        } catch {
            // Nothing was saved: the draft as it was (if any) stays on the page with its files.
            if !draftID.isEmpty { form.draft = await currentDraft(draftID, visitor: visitor) }
            return page(refusal: RPCError(from: error), form: form, procedure: procedure, visitor: visitor, key: key,
                        inputOfAttachment: inputOfAttachment)
        }
        guard posted.fields["hanh_dong"] != "luu_nhap" else {
            return PortalForm.redirect(Self.draftPath(saved) + "&da_luu=1")
        }
        var send = DossierV1.SubmitDraftRequest()
        send.draftId = saved.id
        send.expectedVersion = saved.version
        send.resultReturn = submit.resultReturn ?? DossierV1.ResultReturn()
        send.reusedDocuments = submit.reusedDocuments
        do {
            let submitted = try await gateway.call(GatewayV1.DraftService.submitDraft, send, as: visitor.caller, idempotencyKey: key)
            return Self.slip(submitted, procedure: procedure)
        } catch {
            // Refused: the draft is kept as just saved, its new files included.
            form.draft = saved
            // The files are the draft's now, not the inputs': their errors go above the form.
            return page(refusal: RPCError(from: error), form: form, procedure: procedure, visitor: visitor, key: key,
                        inputOfAttachment: [])
        }
    }

    private func currentDraft(_ id: String, visitor: PortalVisitor) async -> DossierV1.Draft? {
        var get = DossierV1.GetDraftRequest()
        get.draftId = id
        return try? await gateway.call(GatewayV1.DraftService.getDraft, get, as: visitor.caller)
    }

    /// The form again with the refusal explained: the draft's own refusals (its limits, a save
    /// from another device) in dossier-svc's Vietnamese words, the rest as a submission's.
    private func page(refusal error: RPCError, form: OnlineForm, procedure: GatewayV1.ProcedureAtAgency,
                      visitor: PortalVisitor, key: String, inputOfAttachment: [String]) -> Response {
        var form = form
        let draftFields: Set<String> = ["draft_id", "expected_version", "attachments"]
        if error.code == .resourceExhausted || error.code == .aborted || error.code == .notFound,
           error.violations.contains(where: { draftFields.contains($0.field) }) {
            form.errors = ["form": error.code == .notFound
                ? "Không tìm thấy hồ sơ nháp: có thể hồ sơ đã được nộp, đã bị xóa hoặc đã hết hạn." : error.message]
        } else {
            form.errors = Self.explain(error, form: form, inputOfAttachment: inputOfAttachment)
        }
        let status: HTTPResponse.Status = switch error.code {
        case .invalidArgument: .unprocessableContent
        case .permissionDenied: .forbidden
        case .resourceExhausted: .contentTooLarge
        case .aborted, .failedPrecondition: .conflict
        case .notFound: .notFound
        default: .serviceUnavailable
        }
        return Self.formPage(procedure, form: form, visitor: visitor, key: key, status: status)
    }

    /// The form of a draft: where "Tiếp tục" leads.
    static func draftPath(_ draft: DossierV1.Draft) -> String {
        "/nop-ho-so/\(PortalRoutes.formEncode(draft.procedureCode))?co_quan=\(PortalRoutes.formEncode(draft.agencyCode))"
            + "&nhap=\(PortalRoutes.formEncode(draft.id))"
    }

    static func savedNotice(_ draft: DossierV1.Draft?) -> String {
        let until = draft.map { " Hồ sơ nháp được giữ đến \(PortalFormat.dateTime($0.expiresAtUnixMs)) nếu không được lưu lại." } ?? ""
        return "Đã lưu hồ sơ nháp. Bạn có thể tiếp tục sau, trên máy này hoặc máy khác, từ mục “Hồ sơ nháp”." + until
    }

    static func draftMissing() -> Response {
        PortalPage.response(title: "Không tìm thấy hồ sơ nháp", body: """
            <h1>Không tìm thấy hồ sơ nháp</h1>
            <p>Hồ sơ nháp này không có trong tài khoản của bạn: có thể hồ sơ đã được nộp, đã bị xóa hoặc đã hết hạn.</p>
            <p><a href="/ho-so-nhap">Xem các hồ sơ nháp của bạn</a> · <a href="/ho-so-cua-toi">Hồ sơ của tôi</a></p>
            """, status: .notFound)
    }
}
