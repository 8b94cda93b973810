import DVCProto
import Foundation
import GatewayDoor
import Hummingbird
import OneStop
import RPCCore

/// The fee of a dossier on its console page, and `POST /can-bo/ho-so/{id}/phi-le-phi`: a
/// receiver or processor records the fee taken at the counter, or confirms (or changes) the
/// reduced rate or exemption the applicant claimed, with the evidence seen. The amount shown
/// is `FeeCalculator`'s, the same computation payment-svc checks the record against; the
/// record goes through the gateway's RecordCounterPayment as the officer (same checks as the
/// API), and dossier-svc then settles the fee so approval can proceed.
struct ConsoleFees: Sendable {
    let gateway: GatewayClient
    let page: ConsoleDossierPage

    static func path(_ dossierID: String) -> String { "/can-bo/ho-so/\(ConsolePage.pathSegment(dossierID))/phi-le-phi" }

    func add(to router: Router<GatewayRequestContext>) {
        router.post("/can-bo/ho-so/:id/phi-le-phi") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard let officer = ConsoleOfficer.of(context) else { return PortalForm.forged() }
            let form = try await PortalForm.fields(request)
            guard officer.visitor.accepts(form) else { return PortalForm.forged() }
            var record = PaymentV1.RecordCounterPaymentRequest()
            record.dossierId = id
            record.category = form["doi_tuong"] ?? ""
            record.evidence = form["giay_to"] ?? ""
            for (key, value) in form where key.hasPrefix("so_luong.") {
                let field = String(key.dropFirst("so_luong.".count))
                guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
                guard let quantity = FeeCalculator.parseQuantity(value) else {
                    return try await page.show(id, to: officer, refusal: "Số lượng “\(field)” phải là số nguyên dương (1, 2, 3…).", status: .badRequest)
                }
                record.quantities[field] = quantity
            }
            let amount = (form["so_tien"] ?? "").filter { $0 != "." && $0 != " " }
            guard let vnd = Int64(amount), vnd >= 0 else {
                return try await page.show(id, to: officer, refusal: "Số tiền đã thu phải là số đồng, ví dụ 205000 (0 khi miễn).", status: .badRequest)
            }
            record.amountVnd = vnd
            do {
                _ = try await gateway.call(GatewayV1.PaymentService.recordCounterPayment, record, as: officer.caller,
                                           idempotencyKey: form["idempotency_key"].flatMap { $0.isEmpty || $0.count > 64 ? nil : $0 })
            } catch {
                let rpc = RPCError(from: error)
                if rpc.code == .notFound { return ConsolePage.notFound(officer) }
                return try await page.show(id, to: officer, refusal: Self.explain(rpc), status: ProblemDocument.status(for: rpc.code))
            }
            return PortalForm.redirect("/can-bo/ho-so/\(ConsolePage.pathSegment(id))?da_thu_phi=1")
        }
    }

    /// A refusal in the officer's words, with the service's reason (which names the amount the
    /// schedule gives, or the payment already recorded).
    static func explain(_ error: RPCError) -> String {
        let field = error.violations.first?.field ?? ""
        switch (error.code, field) {
        case (.invalidArgument, "amount_vnd"): return "Số tiền không đúng biểu phí: \(error.violations.first?.description ?? error.message)."
        case (.invalidArgument, "evidence"): return "Cần ghi giấy tờ chứng minh đối tượng miễn, giảm (ví dụ: thẻ sinh viên số …)."
        case (.permissionDenied, _): return "Chỉ cán bộ tiếp nhận hoặc xử lý của cơ quan được ghi nhận phí, lệ phí tại quầy."
        case (.failedPrecondition, _): return "Không ghi nhận được: \(error.message)."
        default: return "Không ghi nhận được phí, lệ phí: \(error.message)."
        }
    }

    /// The section of the dossier page: what is owed by the form (category and quantities),
    /// what was paid or exempted, and, for a receiver or processor while the dossier is open and
    /// its fee not settled, the form to record it.
    static func section(_ dossier: DossierV1.Dossier, procedure: CatalogV1.Procedure?, payments: [PaymentV1.Payment],
                        officer: ConsoleOfficer) -> String {
        let e = PortalPage.escape
        guard let procedure, !procedure.fees.isEmpty else { return "" }
        var out = "<h2>Phí, lệ phí</h2>\n"
        let settled = payments.first { [.paid, .partiallyRefunded, .refunded, .exempt].contains($0.state) }
        for payment in payments where [.paid, .partiallyRefunded, .refunded, .exempt].contains(payment.state) {
            out += "<p>\(e(describe(payment)))</p>\n"
        }
        let quote: FeeCalculator.Quote
        do {
            quote = try FeeCalculator.quote(procedure, formData: dossier.formData)
        } catch {
            return out + "<p class=\"alert\">Không tính được phí theo tờ khai: \(e(error.message))</p>\n"
        }
        if settled == nil {
            out += "<p>Theo tờ khai: <b>\(e(PortalFormat.money(quote.totalVnd)))</b>"
                + (quote.category.isEmpty ? "" : " — người nộp kê khai đối tượng “\(e(quote.category))”")
                + "</p>\n<ul>" + quote.lines.map { "<li>\(e($0.description)): \($0.quantity) × \(e(PortalFormat.money($0.amountVnd))) = \(e(PortalFormat.money($0.subtotalVnd)))</li>" }.joined() + "</ul>\n"
        }
        let open: Set<DossierV1.DossierState> = [.submitted, .received, .processing, .awaitingPayment, .supplementRequested]
        guard settled == nil, open.contains(dossier.state), !officer.roleNames.isDisjoint(with: ["receiver", "processor"]),
              FeeCalculator.charges(procedure) else { return out }
        let categories = FeeCalculator.categories(of: procedure)
        let options = ([""] + categories).map { category in
            let label = category.isEmpty ? "Mức thu thông thường" : category
            let grounds = procedure.fees.filter { $0.category == category && !$0.legalBasis.isEmpty }.map(\.legalBasis)
            let suffix = category.isEmpty || grounds.isEmpty ? "" : " (căn cứ: \(Array(Set(grounds)).sorted().joined(separator: "; ")))"
            return "<option value=\"\(e(category))\"\(category == quote.category ? " selected" : "")>\(e(label + suffix))</option>"
        }.joined()
        let labels = Dictionary(procedure.forms.flatMap(\.fields).map { ($0.name, $0.label) }, uniquingKeysWith: { first, _ in first })
        let quantities = FeeCalculator.quantityFields(of: procedure).map { field in
            """
            <p><label for="so_luong_\(e(field))">\(e(labels[field] ?? field)) (đếm tại quầy)</label><br>\
            <input id="so_luong_\(e(field))" name="so_luong.\(e(field))" inputmode="numeric" pattern="[1-9][0-9]{0,4}" value="\(quote.quantities[field] ?? 1)"></p>
            """
        }.joined(separator: "\n")
        out += """
            <form method="post" action="\(e(path(dossier.id)))" class="action">
            <h3>Ghi nhận thu phí tại quầy, miễn hoặc giảm phí</h3>
            \(officer.visitor.csrfInput)
            <input type="hidden" name="idempotency_key" value="\(UUID().uuidString.lowercased())">
            <p><label for="doi_tuong">Đối tượng (xác nhận hoặc sửa kê khai của người nộp)</label><br>
            <select id="doi_tuong" name="doi_tuong">\(options)</select></p>
            \(quantities)
            <p><label for="giay_to">Giấy tờ chứng minh đối tượng miễn, giảm (bắt buộc khi chọn đối tượng)</label><br>
            <input id="giay_to" name="giay_to" maxlength="500"></p>
            <p><label for="so_tien">Số tiền đã thu (đồng; 0 khi miễn)</label><br>
            <input id="so_tien" name="so_tien" inputmode="numeric" value="\(quote.totalVnd)"></p>
            <button type="submit">Ghi nhận</button>
            </form>
            """
        return out
    }

    /// One settled payment in words: paid (online or at the counter), refunded, or exempt.
    static func describe(_ payment: PaymentV1.Payment) -> String {
        let how = payment.provider == "counter" ? "tại quầy" : "trực tuyến"
        var text: String
        switch payment.state {
        case .exempt: text = "Miễn phí, lệ phí — đối tượng “\(payment.category)”, căn cứ \(payment.legalGround)"
        case .refunded: text = "Đã thu \(how) \(PortalFormat.money(payment.amountVnd)), đã hoàn trả toàn bộ"
        case .partiallyRefunded:
            text = "Đã thu \(how) \(PortalFormat.money(payment.amountVnd)), đã hoàn trả một phần \(PortalFormat.money(payment.refundedVnd))"
        default: text = "Đã thu \(how) \(PortalFormat.money(payment.amountVnd))"
        }
        if payment.state != .exempt, !payment.category.isEmpty { text += " — đối tượng “\(payment.category)”" }
        if !payment.receiptNumber.isEmpty { text += ", biên lai số \(payment.receiptNumber)" }
        if !payment.evidence.isEmpty { text += "; giấy tờ: \(payment.evidence)" }
        if !payment.recordedBy.isEmpty { text += "; cán bộ ghi nhận: \(payment.recordedBy)" }
        return text + "."
    }
}
