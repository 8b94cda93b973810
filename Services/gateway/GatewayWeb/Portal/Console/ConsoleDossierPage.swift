import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import OneStop
import RPCCore

/// `/can-bo/ho-so/{id}`: one dossier of the officer's agency with everything needed to decide
/// on it (form data, attachments, the one-stop documents, the history) and one form per
/// action the officer's roles allow in its state.
///
/// The dossier is read through the gateway's GetDossier as the officer, so another agency's
/// dossier is NOT_FOUND there exactly like an unknown id, and the page is a 404 either way.
struct ConsoleDossierPage: Sendable {
    let gateway: GatewayClient

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/can-bo/ho-so/:id") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard let officer = ConsoleOfficer.of(context) else {
                return PortalForm.signIn(returningTo: "/can-bo/ho-so/\(ConsolePage.pathSegment(id))", officer: true)
            }
            // "?da_xu_ly=1": the redirect after a step that succeeded.
            let done = FormData.parse(request.uri.query)["da_xu_ly"] == "1"
            return try await show(id, to: officer, done: done)
        }
    }

    /// The page for `id` as it is now, with an optional note of what was just done or why a
    /// step was refused (then with the refusal's status).
    func show(_ id: String, to officer: ConsoleOfficer, done: Bool = false, refusal: String? = nil,
              failure: ConsoleActionForm.Failure? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let dossier: DossierV1.Dossier
        let history: DossierV1.GetHistoryResponse
        do {
            var get = DossierV1.GetDossierRequest()
            get.id = id
            dossier = try await gateway.call(GatewayV1.DossierService.getDossier, get, as: officer.caller)
            var read = DossierV1.GetHistoryRequest()
            read.dossierId = id
            history = try await gateway.call(GatewayV1.DossierService.getHistory, read, as: officer.caller)
        } catch let error as RPCError where error.code == .notFound || error.code == .invalidArgument || error.code == .permissionDenied {
            return ConsolePage.notFound(officer)
        } catch {
            return ConsolePage.unavailable(officer, title: "Hồ sơ")
        }
        // The procedure's name and its form's labels, from the catalog; without them (catalog
        // unreachable) the page still shows the codes and field names.
        var ask = GatewayV1.GetProcedureRequest()
        ask.agencyCode = dossier.agencyCode
        ask.procedureCode = dossier.procedureCode
        let procedure = try? await gateway.call(GatewayV1.PublicService.getProcedure, ask, as: officer.caller).procedure
        // The fee's payments (payment-svc); without them the fee section shows the schedule only.
        var list = PaymentV1.ListPaymentsRequest()
        list.dossierId = dossier.id
        let payments = (try? await gateway.call(GatewayV1.PaymentService.listPayments, list, as: officer.caller).payments) ?? []
        // The signed documents with their verification codes (docs/signatures.md).
        var signatures = DossierV1.ListSignaturesRequest()
        signatures.dossierId = dossier.id
        let signed = (try? await gateway.call(GatewayV1.VerificationService.listSignatures, signatures, as: officer.caller).signatures) ?? []
        let body = Self.render(dossier, history: history.entries, procedure: procedure, officer: officer, done: done,
                               refusal: refusal, failure: failure,
                               feeSection: ConsoleFees.section(dossier, procedure: procedure, payments: payments, officer: officer))
            + ConsoleSignatures.section(signed, dossierID: dossier.id, officer: officer)
        let code = dossier.receiptCode.isEmpty ? "chưa tiếp nhận" : dossier.receiptCode
        return ConsolePage.response(officer, title: "Hồ sơ \(code)", body: body, status: status)
    }

    static func render(_ dossier: DossierV1.Dossier, history: [DossierV1.HistoryEntry], procedure: CatalogV1.Procedure?,
                       officer: ConsoleOfficer,
                       done: Bool, refusal: String?, failure: ConsoleActionForm.Failure?, feeSection: String = "") -> String {
        let e = PortalPage.escape
        let base = "/can-bo/ho-so/\(ConsolePage.pathSegment(dossier.id))"
        let code = dossier.receiptCode.isEmpty ? "Chưa tiếp nhận" : dossier.receiptCode
        var out = dossier.receiptCode.isEmpty ? "<h1>Hồ sơ mới, chưa tiếp nhận</h1>\n" : "<h1>Hồ sơ \(e(code))</h1>\n"
        if done {
            // The step is named from the record, not from the URL: the officer's own latest step
            // on this dossier, which is the one just done even if a colleague acted since.
            let mine = history.last { $0.actor == "officer:\(officer.id)" }
            out += "<p class=\"flash\" role=\"status\">Đã thực hiện\(mine.map { ": " + e(OneStopNames.action($0.action)) } ?? ".")</p>\n"
        }
        if let refusal { out += "<p class=\"alert\" role=\"alert\">\(e(refusal))</p>\n" }

        func row(_ label: String, _ html: String) -> String { "<tr><th>\(e(label))</th><td>\(html)</td></tr>" }
        var facts = [
            row("Mã hồ sơ", e(code)),
            row("Thủ tục", procedure.map { e($0.name) + " (" + e(dossier.procedureCode) + ")" } ?? e(dossier.procedureCode)),
            row("Trạng thái", e(OneStopNames.state(dossier.state))
                + (dossier.overdue ? " <span class=\"overdue\">Quá hạn</span>" : "")),
            row("Hình thức nộp", e(OneStopNames.channel(dossier.channel))),
            row("Người nộp (số định danh)", e(dossier.applicantId)),
            row("Nộp lúc", e(PortalFormat.dateTime(dossier.submittedAtUnixMs))),
            row("Tiếp nhận lúc", e(PortalFormat.dateTime(dossier.receivedAtUnixMs))),
            row("Hẹn trả kết quả", e(PortalFormat.dateTime(dossier.appointmentAtUnixMs))),
            row("Người xử lý", e(dossier.assignee.isEmpty ? "—" : dossier.assignee)),
        ]
        if !dossier.reason.isEmpty { facts.append(row("Lý do", e(dossier.reason))) }
        if !dossier.missingDocuments.isEmpty {
            facts.append(row("Giấy tờ cần bổ sung", "<ul>" + dossier.missingDocuments.map { "<li>\(e($0))</li>" }.joined() + "</ul>"))
        }
        if !dossier.resultNote.isEmpty { facts.append(row("Kết quả giải quyết", e(dossier.resultNote))) }
        if let result = dossier.resultDocument, !result.id.isEmpty {
            facts.append(row("Tệp kết quả", fileLink(result, base: base)))
        }
        out += "<div class=\"table-wrap\"><table>\(facts.joined(separator: "\n"))</table></div>\n"

        out += "<h2>Thông tin tờ khai</h2>\n"
        if dossier.formData.isEmpty {
            out += "<p>Không có.</p>\n"
        } else {
            out += FormDataTable.html(dossier.formData, procedure: procedure) + "\n"
        }

        out += feeSection
        out += "<h2>Giấy tờ đính kèm</h2>\n"
        out += dossier.attachments.isEmpty
            ? "<p>Không có.</p>\n"
            : "<ul>" + dossier.attachments.map { "<li>\(fileLink($0, base: base))</li>" }.joined(separator: "\n") + "</ul>\n"

        out += "<h2>Phiếu, giấy tờ một cửa</h2>\n"
        // Each form once, its latest issue (the control slip is rewritten at every step).
        var latest: [String: DossierV1.DossierDocument] = [:]
        for document in dossier.documents where latest[document.form].map({ $0.issuedAtUnixMs <= document.issuedAtUnixMs }) ?? true {
            latest[document.form] = document
        }
        out += latest.isEmpty
            ? "<p>Chưa có.</p>\n"
            : "<ul>" + latest.keys.sorted().compactMap { form in
                latest[form].map { document in
                    let name = document.oneStopName
                    return "<li><a href=\"\(base)/giay-to/\(e(ConsolePage.pathSegment(form)))\">\(e(name))</a> (mẫu số \(e(form)), số \(e(document.number)), \(e(PortalFormat.dateTime(document.issuedAtUnixMs))))</li>"
                }
            }.joined(separator: "\n") + "</ul>\n"

        out += "<h2>Quá trình xử lý</h2>\n"
        let steps = history.map { entry in
            // A step an agency system took for the officer names the key it came through.
            let through = entry.apiKeyId.isEmpty ? "" : "<br><small>qua khóa API \(e(entry.apiKeyId))</small>"
            return """
            <tr><td>\(e(PortalFormat.dateTime(entry.atUnixMs)))</td><td>\(e(entry.actor))\(through)</td><td>\(e(OneStopNames.action(entry.action)))</td>\
            <td>\(entry.fromState == .unspecified ? "" : e(OneStopNames.state(entry.fromState)) + " → ")\(e(OneStopNames.state(entry.toState)))</td>\
            <td>\(e(entry.note))</td></tr>
            """
        }
        out += "<div class=\"table-wrap\"><table><tr><th>Thời gian</th><th>Người thực hiện</th><th>Thao tác</th><th>Trạng thái</th><th>Ghi chú</th></tr>\n"
            + steps.joined(separator: "\n") + "</table></div>\n"

        out += "<h2>Xử lý hồ sơ</h2>\n"
        let actions = officer.actions(on: dossier)
        out += actions.isEmpty
            ? "<p>Không có thao tác nào bạn được thực hiện ở trạng thái này.</p>\n"
            : actions.map { ConsoleActionForm.html($0, dossier: dossier, csrfInput: officer.visitor.csrfInput, failure: failure) }
                .joined(separator: "\n")
        return out
    }

    /// A download link for an attachment or the result, with its size and type.
    static func fileLink(_ file: DossierV1.Attachment, base: String) -> String {
        let e = PortalPage.escape
        return "<a href=\"\(base)/tep/\(e(ConsolePage.pathSegment(file.id)))\">\(e(file.name.isEmpty ? file.id : file.name))</a> (\(e(PortalFormat.size(file.sizeBytes))), \(e(file.mediaType)))"
    }
}
