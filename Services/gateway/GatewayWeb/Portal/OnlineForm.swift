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

    /// Declared fields of all the procedure's forms, each name once, in declaration order.
    var fields: [CatalogV1.FormField] {
        var seen = Set<String>()
        return procedure.forms.flatMap(\.fields).filter { seen.insert($0.name).inserted }
    }

    /// The input name of the n-th document's file.
    static func fileInput(_ index: Int) -> String { "tep_\(index)" }

    func html(csrfInput: String, idempotencyKey: String) -> String {
        let e = PortalPage.escape
        let general = errors["form"].map { "<p class=\"error\" role=\"alert\">\(e($0))</p>" } ?? ""
        let inputs = fields.map(input).joined(separator: "\n")
        let documents = procedure.documents.enumerated().map { index, document in
            let name = Self.fileInput(index)
            let error = errors[name].map { "<p class=\"error\" id=\"\(name)-error\" role=\"alert\">\(e($0))</p>" } ?? ""
            let described = errors[name] == nil ? "" : " aria-invalid=\"true\" aria-describedby=\"\(name)-error\""
            return """
                <div class="field"><label for="\(name)">\(e(document.name))</label> <small>(\(e(document.formOfCopy)))</small><br>
                <input id="\(name)" name="\(name)" type="file" accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"\(described)>
                \(error)</div>
                """
        }.joined(separator: "\n")
        return """
            \(general)
            <form method="post" action="/nop-ho-so/\(e(procedure.code))?co_quan=\(e(PortalRoutes.formEncode(agencyCode)))" enctype="multipart/form-data">
            \(csrfInput)
            <input type="hidden" name="idempotency_key" value="\(e(idempotencyKey))">
            \(fields.isEmpty ? "" : "<fieldset><legend>Thông tin tờ khai</legend>\n\(inputs)\n</fieldset>")
            <fieldset><legend>Giấy tờ đính kèm</legend>
            <p class="hint">Tệp PDF, JPG hoặc PNG, mỗi tệp tối đa 10 MB, cả hồ sơ tối đa 50 MB.\(errors.isEmpty ? "" : " Nếu hồ sơ bị trả lại để sửa, hãy chọn lại các tệp.")</p>
            \(documents)
            </fieldset>
            <button type="submit">Nộp hồ sơ</button>
            </form>
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
