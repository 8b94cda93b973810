import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import RPCCore

/// "Hồ sơ nháp" (`/ho-so-nhap`, docs/portal.md): the signed-in citizen's drafts, last saved
/// first, each with its procedure, agency, files, when it was saved and when it will be deleted,
/// a link that reopens the submission form filled in, and a delete button (a form with the
/// session's CSRF token).
struct DraftsPage: GatewayRoutes {
    let gateway: GatewayClient
    let directory: AgencyDirectory

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/ho-so-nhap") { request, context -> Response in
            guard let visitor = context.visitor else { return PortalForm.signIn(returningTo: "/ho-so-nhap") }
            guard visitor.citizenID != nil else { return SubmissionPages.citizensOnly() }
            let list: DossierV1.ListDraftsResponse
            do {
                list = try await gateway.call(GatewayV1.DraftService.listDrafts, DossierV1.ListDraftsRequest(), as: visitor.caller)
            } catch {
                return PortalPage.response(title: "Hồ sơ nháp", body: """
                    <h1>Hồ sơ nháp</h1><p class="error" role="alert">\(PortalPage.escape(PortalMessages.refusal(RPCError(from: error))))</p>
                    """, status: .serviceUnavailable)
            }
            let notice = FormData.parse(request.uri.query)["da_xoa"] == "1" ? "Đã xóa hồ sơ nháp." : nil
            return PortalPage.response(title: "Hồ sơ nháp", body: await html(list, visitor: visitor, notice: notice))
        }
        router.post("/ho-so-nhap/xoa") { request, context -> Response in
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard let visitor = context.visitor, visitor.citizenID != nil else { return PortalForm.forged() }
            let form = try await PortalForm.fields(request)
            guard visitor.accepts(form) else { return PortalForm.forged() }
            var delete = DossierV1.DeleteDraftRequest()
            delete.draftId = form["nhap_id"] ?? ""
            delete.expectedVersion = UInt64(form["nhap_phien_ban"] ?? "") ?? 0
            do {
                _ = try await gateway.call(GatewayV1.DraftService.deleteDraft, delete, as: visitor.caller)
            } catch {
                let refusal = RPCError(from: error)
                let message = refusal.code == .aborted
                    ? "Hồ sơ nháp vừa được lưu ở nơi khác nên chưa bị xóa. Hãy xem lại rồi xóa nếu vẫn muốn."
                    : refusal.code == .notFound ? "Không tìm thấy hồ sơ nháp: có thể hồ sơ đã được nộp, đã bị xóa hoặc đã hết hạn."
                    : PortalMessages.refusal(refusal)
                return PortalPage.response(title: "Hồ sơ nháp", body: """
                    <h1>Không xóa được hồ sơ nháp</h1><p class="error" role="alert">\(PortalPage.escape(message))</p>
                    <p><a href="/ho-so-nhap">Về danh sách hồ sơ nháp</a></p>
                    """, status: refusal.code == .notFound ? .notFound : .conflict)
            }
            return PortalForm.redirect("/ho-so-nhap?da_xoa=1")
        }
    }

    func html(_ list: DossierV1.ListDraftsResponse, visitor: PortalVisitor, notice: String?) async -> String {
        let e = PortalPage.escape
        var rows: [String] = []
        let agencies = Dictionary((try? await directory.agencies())?.map { ($0.agency.code, $0.agency.name) } ?? [],
                                  uniquingKeysWith: { first, _ in first })
        for draft in list.drafts {
            let procedure = await procedureName(draft)
            let agency = agencies[draft.agencyCode] ?? draft.agencyCode
            let files = draft.files.isEmpty ? "Chưa có tệp"
                : draft.files.map { "\(e($0.name)) (\(e(PortalFormat.size($0.sizeBytes))))" }.joined(separator: "<br>")
            rows.append("""
                <tr><td>\(e(procedure))<br><small>\(e(draft.procedureCode))</small></td><td>\(e(agency))</td><td>\(files)</td>
                <td>\(e(PortalFormat.dateTime(draft.updatedAtUnixMs)))</td><td>\(e(PortalFormat.dateTime(draft.expiresAtUnixMs)))</td>
                <td><a class="button" href="\(e(SubmissionPages.draftPath(draft)))">Tiếp tục</a>
                <form method="post" action="/ho-so-nhap/xoa" class="inline">\(visitor.csrfInput)<input type="hidden" name="nhap_id" value="\(e(draft.id))"><input type="hidden" name="nhap_phien_ban" value="\(draft.version)"><button type="submit" class="secondary" aria-label="Xóa hồ sơ nháp \(e(procedure))">Xóa</button></form></td></tr>
                """)
        }
        let table = rows.isEmpty ? "<p>Bạn chưa có hồ sơ nháp nào. Khi điền hồ sơ, chọn “Lưu nháp” để lưu lại và nộp sau.</p>" : """
            <div class="table-wrap"><table><caption class="hint">Hồ sơ nháp được giữ \(e(String(Self.ttlDays(list))))ngày kể từ lần lưu cuối; trước khi xóa, hệ thống gửi thông báo vào hộp thư của bạn.</caption>
            <thead><tr><th scope="col">Thủ tục</th><th scope="col">Cơ quan</th><th scope="col">Tệp đã lưu</th><th scope="col">Lưu lần cuối</th><th scope="col">Tự động xóa vào</th><th scope="col">Thao tác</th></tr></thead>
            <tbody>\(rows.joined(separator: "\n"))</tbody></table></div>
            """
        return """
            <h1>Hồ sơ nháp</h1>
            \(notice.map { "<p class=\"notice\" role=\"status\">\(e($0))</p>" } ?? "")
            <p>Dung lượng tệp đã dùng: \(e(PortalFormat.size(list.usedBytes))) trên \(e(PortalFormat.size(list.limitBytes))); \(list.drafts.count) trên tối đa \(list.maxDrafts) hồ sơ nháp.</p>
            \(table)
            <p><a href="/ho-so-cua-toi">Hồ sơ đã nộp</a> · <a href="/">Tìm thủ tục để nộp hồ sơ</a></p>
            """
    }

    /// The caption's "30 " (from the first draft's own dates); empty when it cannot be told.
    static func ttlDays(_ list: DossierV1.ListDraftsResponse) -> String {
        guard let draft = list.drafts.first, draft.expiresAtUnixMs > draft.updatedAtUnixMs else { return "" }
        let days = Double(draft.expiresAtUnixMs - draft.updatedAtUnixMs) / 86_400_000
        return days >= 1 ? "\(Int(days.rounded())) " : ""
    }

    /// The procedure's name in the catalog, its code when the catalog cannot say.
    private func procedureName(_ draft: DossierV1.Draft) async -> String {
        var get = GatewayV1.GetProcedureRequest()
        get.agencyCode = draft.agencyCode
        get.procedureCode = draft.procedureCode
        return (try? await gateway.call(GatewayV1.PublicService.getProcedure, get, as: .anonymous))?.procedure?.name ?? draft.procedureCode
    }
}
