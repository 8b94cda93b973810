import DVCProto
import Foundation
import OneStop

/// The HTML of a citizen's dossier page: pure, from what the gateway answered, so what a
/// citizen is offered follows the workflow's own table (`DossierWorkflow`) and nothing else.
struct DossierView {
    var dossier: DossierV1.Dossier
    var history: [DossierV1.HistoryEntry]
    var payments: [PaymentV1.Payment]
    var procedureName: String
    var agencyName: String
    /// The procedure as the catalog declares it (its form's labels), when it answered.
    var procedure: CatalogV1.Procedure?
    var csrfInput: String
    var paymentKey: String
    /// The verification code of the signed result ("" for none): its public page checks the
    /// file downloaded (docs/signatures.md).
    var resultVerificationCode: String = ""
    /// The satisfaction rating's section (`RatingPages.section`); empty before the result.
    var rating = ""

    private var path: String { "/ho-so/\(PortalPage.escape(dossier.id))" }

    func html(notice: String?, error: String?) -> String {
        let e = PortalPage.escape
        let d = dossier
        var rows = [
            ("Mã hồ sơ", d.receiptCode.isEmpty ? "Chưa tiếp nhận" : d.receiptCode),
            ("Thủ tục", procedureName),
            // The agency holding it now: after a transfer, or at each step of an inter-agency dossier.
            ("Cơ quan đang giải quyết", agencyName),
            ("Trạng thái", OneStopNames.state(d.state)),
            ("Ngày nộp", PortalFormat.dateTime(d.submittedAtUnixMs)),
            ("Hình thức nộp", OneStopNames.channel(d.channel)),
        ]
        if !d.receivingAgencyCode.isEmpty, d.receivingAgencyCode != d.agencyCode {
            rows.append(("Nơi tiếp nhận", d.receivingAgencyCode))
        }
        if d.groupSteps.count > 1 {
            rows.append(("Thủ tục liên thông", "Bước \(d.currentStep)/\(d.groupSteps.count): \(d.groupSteps.map(\.procedureCode).joined(separator: " → "))"))
        }
        if let back = d.resultReturn, back.method != .unspecified {
            let place = back.method == .atCentre ? back.agencyCode : back.method == .postal ? back.postalAddress : ""
            rows.append(("Nơi nhận kết quả", place.isEmpty ? OneStopNames.resultReturn(back.method)
                                                          : "\(OneStopNames.resultReturn(back.method)): \(place)"))
        }
        for handoff in d.handoffs {
            rows.append(("Đã chuyển", "\(PortalFormat.dateTime(handoff.atUnixMs)): \(handoff.fromAgencyCode) → \(handoff.toAgencyCode)"
                         + (handoff.note.isEmpty ? "" : " (\(handoff.note))")))
        }
        if d.receivedAtUnixMs > 0 { rows.append(("Ngày tiếp nhận", PortalFormat.dateTime(d.receivedAtUnixMs))) }
        if d.appointmentAtUnixMs > 0 { rows.append(("Hẹn trả kết quả", PortalFormat.dateTime(d.appointmentAtUnixMs))) }
        if !d.reason.isEmpty { rows.append(("Lý do", d.reason)) }
        if !d.resultNote.isEmpty { rows.append(("Kết quả", d.resultNote)) }
        let table = rows.map { "<tr><th>\(e($0.0))</th><td>\(e($0.1))</td></tr>" }.joined()
        let files = d.attachments.map { file in
            "<li><a href=\"\(path)/tep/\(e(file.id))\">\(e(file.name))</a> (\(e(PortalFormat.size(file.sizeBytes))))</li>"
        }.joined()
        // The control slip is the agency's record of handovers, not a letter to the citizen
        // (05 under Circular 01/2018, 06 under 03/2025: the document's circular says which).
        let documents = d.documents.filter(\.isForCitizens).map { document in
            "<li><a href=\"\(path)/giay-to/\(e(document.form))\" target=\"_blank\">\(e(document.oneStopName))</a> số \(e(document.number))"
                + " · \(PortalDownload.renditionLink(base: path, document))</li>"
        }.joined()
        return """
            <h1>Hồ sơ \(e(d.receiptCode.isEmpty ? "" : d.receiptCode))</h1>
            \(notice.map { "<p class=\"notice\" role=\"status\">\(e($0))</p>" } ?? "")
            \(error.map { "<p class=\"error\" role=\"alert\">\(e($0))</p>" } ?? "")
            <table class="facts">\(table)</table>
            \(result)
            \(rating)
            \(supplement)
            \(payment)
            \(documents.isEmpty ? "" : "<h2>Giấy tờ của cơ quan</h2><ul>\(documents)</ul>")
            <h2>Giấy tờ đã nộp</h2><ul>\(files.isEmpty ? "<li>Không có tệp đính kèm</li>" : files)</ul>
            \(d.formData.isEmpty ? "" : "<h2>Thông tin tờ khai</h2>" + FormDataTable.html(d.formData, procedure: procedure))
            <h2>Quá trình xử lý</h2>
            <table class="history"><tr><th>Thời điểm</th><th>Bước</th><th>Trạng thái</th><th>Ghi chú</th></tr>\(historyRows)</table>
            \(withdraw)
            <p><a href="\(AccessLogPage.path)">\(AccessLogPage.title)</a> · <a href="/ho-so-cua-toi">← Hồ sơ của tôi</a></p>
            """
    }

    private var historyRows: String {
        let e = PortalPage.escape
        return history.sorted { $0.sequence < $1.sequence }.map { entry in
            "<tr><td>\(e(PortalFormat.dateTime(entry.atUnixMs)))</td><td>\(e(OneStopNames.action(entry.action)))</td><td>\(e(OneStopNames.state(entry.toState)))</td><td>\(e(entry.note))</td></tr>"
        }.joined()
    }

    private var result: String {
        guard let document = dossier.resultDocument, !document.id.isEmpty,
              dossier.state == .processed || dossier.state == .resultReturned else { return "" }
        let e = PortalPage.escape
        return """
            <h2>Kết quả giải quyết</h2>
            <p><a class="button" href="\(path)/tep/\(e(document.id))">Tải kết quả: \(e(document.name))</a></p>
            \(resultVerificationCode.isEmpty ? "" : "<p>Kết quả được cơ quan ký số; mã xác minh <a href=\"/xac-minh/\(e(resultVerificationCode))\">\(e(resultVerificationCode))</a> (đối chiếu tệp đã tải về tại đây).</p>")
            """
    }

    private var supplement: String {
        guard dossier.state == .supplementRequested else { return "" }
        let e = PortalPage.escape
        let missing = dossier.missingDocuments.map { "<li>\(e($0))</li>" }.joined()
        return """
            <h2>Cơ quan yêu cầu bổ sung</h2><ul>\(missing)</ul>
            <form method="post" action="\(path)/bo-sung" enctype="multipart/form-data">
            \(csrfInput)<input type="hidden" name="expected_version" value="\(dossier.version)">
            <p><label for="tep_bo_sung">Giấy tờ bổ sung (PDF, JPG, PNG)</label><br><input id="tep_bo_sung" name="tep_bo_sung" type="file" multiple accept=".pdf,.jpg,.jpeg,.png"></p>
            <p><label for="ghi_chu">Ghi chú</label><br><textarea id="ghi_chu" name="ghi_chu" rows="2" maxlength="1000"></textarea></p>
            <button type="submit">Gửi bổ sung</button>
            </form>
            """
    }

    private var payment: String {
        let e = PortalPage.escape
        let done = payments.filter { [.paid, .partiallyRefunded, .refunded, .exempt].contains($0.state) }.map { payment in
            "<li>\(e(ConsoleFees.describe(payment)))</li>"
        }.joined()
        var html = done.isEmpty ? "" : "<h2>Phí, lệ phí</h2><ul>\(done)</ul>"
        if dossier.state == .awaitingPayment {
            html += """
                <h2>Thanh toán phí, lệ phí</h2>
                <p>Cơ quan đã yêu cầu thực hiện nghĩa vụ tài chính. Bạn sẽ được chuyển tới cổng thanh toán và quay lại đây khi xong.</p>
                <form method="post" action="\(path)/thanh-toan">\(csrfInput)<input type="hidden" name="idempotency_key" value="\(e(paymentKey))">
                <button type="submit">Thanh toán trực tuyến</button></form>
                """
        }
        return html
    }

    private var withdraw: String {
        guard DossierWorkflow.rule(from: dossier.state, action: .withdraw) != nil else { return "" }
        return """
            <details><summary>Rút hồ sơ</summary>
            <form method="post" action="\(path)/rut" data-confirm="Rút hồ sơ này? Việc rút không hoàn tác được.">\(csrfInput)<input type="hidden" name="expected_version" value="\(dossier.version)">
            <p><label for="ly_do">Lý do rút hồ sơ</label><br><textarea id="ly_do" name="ly_do" rows="2" maxlength="1000"></textarea></p>
            <button type="submit" class="secondary">Rút hồ sơ</button></form></details>
            """
    }
}
