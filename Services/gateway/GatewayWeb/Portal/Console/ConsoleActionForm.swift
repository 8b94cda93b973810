import DVCProto
import Foundation
import OneStop

/// One form per action an officer may take on a dossier, each posting to
/// `/can-bo/ho-so/{id}/xu-ly` with the action's proto number, the version the officer saw
/// (`expected_version`: if someone else changed the dossier meanwhile the step is refused,
/// never silently applied to a state the officer did not see) and the session's CSRF token.
///
/// Field names are the ActRequest's where they map one to one (`note`, `missing_documents`,
/// `result_note`, `result_document`), so a refusal naming a field lands next to its input;
/// `new_appointment` is a `datetime-local` read in Hà Nội time. Ids carry the action's number
/// because several forms share a page.
enum ConsoleActionForm {
    /// What went wrong with a posted form, to show it again with the officer's text kept.
    struct Failure: Sendable {
        var action: DossierV1.Action
        /// Input name → message, shown next to the input.
        var fieldErrors: [String: String] = [:]
        /// The values posted (never a file), to fill the form again.
        var values: [String: String] = [:]
    }

    static func html(_ action: DossierV1.Action, dossier: DossierV1.Dossier, csrfInput: String, failure: Failure?) -> String {
        let e = PortalPage.escape
        let mine = failure?.action == action ? failure : nil
        let prefix = "a\(action.rawValue)"
        func textarea(_ name: String, _ label: String, required: Bool, rows: Int = 3) -> String {
            let id = "\(prefix)-\(name)"
            let error = mine?.fieldErrors[name]
            let message = error.map { "<p class=\"error\" id=\"\(id)-error\" role=\"alert\">\(e($0))</p>" } ?? ""
            let described = error == nil ? "" : " aria-invalid=\"true\" aria-describedby=\"\(id)-error\""
            return """
                <p><label for="\(id)">\(e(label))</label><br>
                <textarea id="\(id)" name="\(name)" rows="\(rows)"\(required ? " required" : "")\(described)>\(e(mine?.values[name] ?? ""))</textarea>
                \(message)</p>
                """
        }
        func input(_ name: String, _ label: String, type: String, required: Bool, extra: String = "") -> String {
            let id = "\(prefix)-\(name)"
            let error = mine?.fieldErrors[name]
            let message = error.map { "<p class=\"error\" id=\"\(id)-error\" role=\"alert\">\(e($0))</p>" } ?? ""
            let described = error == nil ? "" : " aria-invalid=\"true\" aria-describedby=\"\(id)-error\""
            let value = type == "file" ? "" : " value=\"\(e(mine?.values[name] ?? ""))\""
            return """
                <p><label for="\(id)">\(e(label))</label><br>
                <input id="\(id)" name="\(name)" type="\(type)"\(value)\(required ? " required" : "")\(described) \(extra)>
                \(message)</p>
                """
        }
        let optionalNote = textarea("note", "Ghi chú (không bắt buộc)", required: false, rows: 2)
        let fields: String
        var multipart = false
        switch action {
        case .refuseReception:
            fields = textarea("note", "Lý do từ chối tiếp nhận (gửi cho công dân)", required: true)
        case .requestSupplement:
            fields = textarea("missing_documents", "Giấy tờ cần bổ sung, hoàn thiện (mỗi dòng một giấy tờ)", required: true, rows: 4)
                + optionalNote
        case .approve:
            multipart = true
            fields = textarea("result_note", "Kết quả giải quyết", required: false)
                + input("result_document", "Tệp kết quả (PDF, JPEG hoặc PNG; không bắt buộc)", type: "file", required: false,
                        extra: "accept=\"application/pdf,image/jpeg,image/png\"")
        case .refuse:
            fields = textarea("note", "Lý do không giải quyết (gửi cho công dân)", required: true)
        case .transfer:
            fields = input("target_agency_code", "Mã cơ quan có thẩm quyền nhận hồ sơ", type: "text", required: true)
                + textarea("note", "Lý do chuyển hồ sơ", required: true)
        case .completeStep:
            fields = input("target_agency_code", "Mã cơ quan thực hiện bước tiếp theo (để trống nếu thủ tục đã định sẵn)",
                           type: "text", required: false)
                + textarea("note", "Kết quả của bước này", required: false)
        case .apologize:
            fields = input("new_appointment", "Ngày giờ hẹn trả kết quả mới (giờ Hà Nội)", type: "datetime-local", required: true)
                + textarea("note", "Lý do xin lỗi và hẹn lại (in trên phiếu gửi công dân)", required: true)
        default:
            fields = optionalNote
        }
        let name = OneStopNames.action(action)
        let error = mine?.fieldErrors["form"].map { "<p class=\"error\" role=\"alert\">\(e($0))</p>" } ?? ""
        return """
            <section class="action" id="\(prefix)"><h3>\(e(name))</h3>
            \(error)
            <form method="post" action="/can-bo/ho-so/\(e(ConsolePage.pathSegment(dossier.id)))/xu-ly"\(multipart ? " enctype=\"multipart/form-data\"" : "")>
            \(csrfInput)
            <input type="hidden" name="action" value="\(action.rawValue)">
            <input type="hidden" name="expected_version" value="\(dossier.version)">
            \(fields)
            <button type="submit">\(e(name))</button>
            </form>
            </section>
            """
    }
}
