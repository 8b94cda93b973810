import DVCProto
import OneStop
import Foundation

/// The online application form of a procedure, built from what the catalog declares: one input
/// per declared field of its forms (the type chooses the input), one file input per required
/// document, the error of each field beside it and the citizen's values kept when the form comes
/// back with errors (files must be chosen again: browsers never refill a file input).
///
/// Inputs carry `required` but no `pattern`: the server's check (dossier-svc's validator) is the
/// one that counts, and its message is the one shown, in the same words whoever calls.
struct OnlineForm {
    var procedure: CatalogV1.Procedure
    var agencyCode: String
    var values: [String: String] = [:]
    /// Field name (or `tep_<n>` for the n-th document, `form` for the whole form) → message.
    var errors: [String: String] = [:]
    /// The citizen's digitised papers and results that may stand for a document instead of a
    /// new file (`ListReusableDocuments`): offered beside each document's input as `dung_lai_<n>`.
    var reusable: [DossierV1.ReusableDocument] = []
    /// Where the citizen collects the result.
    var resultReturn = ResultReturnChoice()
    /// A receiving officer registering a paper dossier at the counter (the console's
    /// `/can-bo/tiep-nhan`): the form posts there, asks for the applicant and the channel, and
    /// each file has the officer's confirmation that the scan matches the paper (`so_hoa_<n>`).
    var counter = false
    /// The counter form's applicant identity number and channel ("truc_tiep", "buu_chinh").
    var applicantID = ""
    var channel = "truc_tiep"
    /// The citizen's draft this form resumes (docs/drafts.md): its id and version travel as
    /// hidden inputs, its saved files are listed, each with a box to remove it.
    var draft: DossierV1.Draft?
    /// Shown above the form (a draft just saved).
    var notice: String?

    /// The input name of the box that removes a draft's saved file.
    static func removeFileInput(_ fileID: String) -> String { "bo_tep_\(fileID)" }

    /// The input name of the n-th document's digitisation confirmation (counter form).
    static func confirmInput(_ index: Int) -> String { "so_hoa_\(index)" }

    /// The input name of the n-th document's reused paper.
    static func reuseInput(_ index: Int) -> String { "dung_lai_\(index)" }

    /// The papers that may stand for a document: those filed as it before, and results.
    func reusable(for document: CatalogV1.RequiredDocument) -> [DossierV1.ReusableDocument] {
        reusable.filter { $0.isResult || $0.file?.requiredDocument == document.name }
    }

    /// Declared fields of all the procedure's forms, each name once, in declaration order.
    var fields: [CatalogV1.FormField] {
        var seen = Set<String>()
        return procedure.forms.flatMap(\.fields).filter { seen.insert($0.name).inserted }
    }

    /// The input name of the n-th document's file.
    static func fileInput(_ index: Int) -> String { "tep_\(index)" }

    func html(csrfInput: String, idempotencyKey: String) -> String {
        let e = PortalPage.escape
        let general = (notice.map { "<p class=\"notice\" role=\"status\" id=\"draft-notice\">\(e($0))</p>" } ?? "")
            + (errors["form"].map { "<p class=\"error\" role=\"alert\">\(e($0))</p>" } ?? "")
        let inputs = fields.map(input).joined(separator: "\n")
        let documents = procedure.documents.enumerated().map { index, document in
            let name = Self.fileInput(index)
            let error = errors[name].map { "<p class=\"error\" id=\"\(name)-error\" role=\"alert\">\(e($0))</p>" } ?? ""
            let described = errors[name] == nil ? "" : " aria-invalid=\"true\" aria-describedby=\"\(name)-error\""
            let candidates = reusable(for: document).map { paper in
                let value = "\(paper.dossierId)/\(paper.file?.id ?? "")"
                let kind = paper.isResult ? "Kết quả" : "Bản số hóa"
                let dossier = paper.receiptCode.isEmpty ? paper.dossierId : paper.receiptCode
                return "<option value=\"\(e(value))\">\(e("\(kind) — \(paper.file?.name ?? "") (hồ sơ \(dossier))"))</option>"
            }.joined()
            let confirm = counter
                ? "<br><input type=\"checkbox\" id=\"\(Self.confirmInput(index))\" name=\"\(Self.confirmInput(index))\" value=\"1\" checked> "
                    + "<label for=\"\(Self.confirmInput(index))\">Đã đối chiếu bản quét với bản giấy</label>"
                : ""
            let reuseName = Self.reuseInput(index)
            let reuse = candidates.isEmpty ? "" : "<br><label for=\"\(reuseName)\">hoặc dùng lại giấy tờ đã số hóa</label> "
                + "<select id=\"\(reuseName)\" name=\"\(reuseName)\"><option value=\"\">— Tải tệp mới —</option>\(candidates)</select>"
            return """
                <div class="field"><label for="\(name)">\(e(document.name))</label> <small>(\(e(document.formOfCopy)))</small><br>
                <input id="\(name)" name="\(name)" type="file" accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"\(described)>\(confirm)\(reuse)
                \(error)</div>
                """
        }.joined(separator: "\n")
        let agencyQuery = "co_quan=" + PortalRoutes.formEncode(agencyCode)
        let target = counter
            ? "/can-bo/tiep-nhan?thu_tuc=" + PortalRoutes.formEncode(procedure.code) + "&" + agencyQuery
            : "/nop-ho-so/" + procedure.code + "?" + agencyQuery
        return """
            \(general)
            <form method="post" action="\(e(target))" enctype="multipart/form-data">
            \(csrfInput)
            \(counter ? counterInputs : "")
            <input type="hidden" name="idempotency_key" value="\(e(idempotencyKey))">
            \(draftInputs)
            \(fields.isEmpty ? "" : "<fieldset><legend>Thông tin tờ khai</legend>\n\(inputs)\n</fieldset>")
            <fieldset><legend>Giấy tờ đính kèm</legend>
            <p class="hint">Tệp PDF, JPG hoặc PNG, mỗi tệp tối đa 10 MB, cả hồ sơ tối đa 50 MB.\(errors.isEmpty ? "" : " Nếu hồ sơ bị trả lại để sửa, hãy chọn lại các tệp.")</p>
            \(savedFiles)
            \(documents)
            </fieldset>
            \(resultReturn.html(error: errors["nhan_ket_qua"]))
            <p class="actions"><button type="submit" name="hanh_dong" value="nop">Nộp hồ sơ</button>
            \(counter ? "" : "<button type=\"submit\" name=\"hanh_dong\" value=\"luu_nhap\" class=\"secondary\" formnovalidate>Lưu nháp</button>")</p>
            \(counter ? "" : "<p class=\"hint\">“Lưu nháp” giữ các thông tin và tệp đã chọn để nộp sau, trên máy này hoặc máy khác (mục <a href=\"/ho-so-nhap\">Hồ sơ nháp</a>).</p>")
            </form>
            """
    }

    /// The draft's id and the version this form shows: a save from an older page is refused
    /// instead of overwriting a later save made on another device.
    private var draftInputs: String {
        guard let draft else { return "" }
        let e = PortalPage.escape
        return "<input type=\"hidden\" name=\"nhap_id\" value=\"\(e(draft.id))\">"
            + "<input type=\"hidden\" name=\"nhap_phien_ban\" value=\"\(draft.version)\">"
    }

    /// The files the draft already holds: kept unless their box is ticked.
    private var savedFiles: String {
        guard let draft, !draft.files.isEmpty else { return "" }
        let e = PortalPage.escape
        let items = draft.files.map { file in
            let box = Self.removeFileInput(file.id)
            let document = file.requiredDocument.isEmpty ? "" : " — \(file.requiredDocument)"
            return "<li><span class=\"saved-file\">\(e(file.name))</span> (\(e(PortalFormat.size(file.sizeBytes)))\(e(document))) "
                + "<input type=\"checkbox\" id=\"\(e(box))\" name=\"\(e(box))\" value=\"1\"> <label for=\"\(e(box))\">Bỏ tệp này</label></li>"
        }.joined()
        return "<div class=\"field\" id=\"saved-files\"><p><b>Tệp đã lưu trong hồ sơ nháp</b> (được giữ và nộp cùng hồ sơ; chọn “Bỏ tệp này” rồi lưu để bỏ):</p><ul>\(items)</ul></div>"
    }

    /// The applicant and the channel, on the counter form.
    private var counterInputs: String {
        let e = PortalPage.escape
        let error = errors["applicant_id"].map { "<p class=\"error\" id=\"so_dinh_danh-error\" role=\"alert\">\(e($0))</p>" } ?? ""
        return """
            <fieldset><legend>Người nộp hồ sơ</legend>
            <div class="field"><label for="so_dinh_danh">Số định danh cá nhân <abbr title="bắt buộc">*</abbr></label><br>
            <input id="so_dinh_danh" name="so_dinh_danh" type="text" inputmode="numeric" maxlength="12" autocomplete="off" value="\(e(applicantID))" required>\(error)</div>
            <div><input type="radio" id="kenh_truc_tiep" name="kenh" value="truc_tiep"\(channel == "buu_chinh" ? "" : " checked")> <label for="kenh_truc_tiep">Nộp trực tiếp tại quầy</label></div>
            <div><input type="radio" id="kenh_buu_chinh" name="kenh" value="buu_chinh"\(channel == "buu_chinh" ? " checked" : "")> <label for="kenh_buu_chinh">Nhận qua dịch vụ bưu chính công ích</label></div>
            </fieldset>
            """
    }

    private func input(_ field: CatalogV1.FormField) -> String {
        let e = PortalPage.escape
        let name = field.name
        let value = values[name] ?? ""
        let error = errors[name]
        let message = error.map { "<p class=\"error\" id=\"\(e(name))-error\" role=\"alert\">\(e($0))</p>" } ?? ""
        let described = error == nil ? "" : " aria-invalid=\"true\" aria-describedby=\"\(e(name))-error\""
        let required = field.required ? " required" : ""
        let label = "<label for=\"\(e(name))\">\(e(field.label))\(field.required ? " <abbr title=\"bắt buộc\">*</abbr>" : "")</label>"
        let control: String
        switch field.type {
        case "select":
            let options = ([""] + field.options).map { option in
                "<option value=\"\(e(option))\"\(option == value ? " selected" : "")>\(option.isEmpty ? "— Chọn —" : e(option))</option>"
            }.joined()
            control = "<select id=\"\(e(name))\" name=\"\(e(name))\"\(described)\(required)>\(options)</select>"
        default:
            let (type, extra): (String, String) = switch field.type {
            case "date": ("date", "")
            case "number": ("text", " inputmode=\"decimal\"")
            case "citizen_id": ("text", " inputmode=\"numeric\" maxlength=\"12\" autocomplete=\"off\"")
            case "email": ("email", " autocomplete=\"email\"")
            case "phone": ("tel", " autocomplete=\"tel\"")
            default: ("text", "")
            }
            control = "<input id=\"\(e(name))\" name=\"\(e(name))\" type=\"\(type)\" value=\"\(e(value))\"\(extra)\(described)\(required)>"
        }
        var hint = ""
        if name == FeeCalculator.categoryField {
            hint = FeeHints.categoryHint(procedure)
        } else if FeeCalculator.quantityFields(of: procedure).contains(name) {
            hint = FeeHints.quantityHint(procedure, field: name)
        }
        return "<div class=\"field\">\(label)<br>\(control)\(hint)\(message)</div>"
    }
}
