import DVCProto
import HTTPTypes
import OneStop
import RPCCore

/// Why a step was refused, in words an officer can act on, with the HTTP status of the page
/// that says it and, for INVALID_ARGUMENT, the input it belongs next to.
///
/// dossier-svc's messages are written for developers (English, naming proto fields); the
/// console leads with a Vietnamese sentence of its own and keeps the service's text as detail,
/// because it is what a support desk will search the logs for.
struct ConsoleRefusal: Sendable {
    var status: HTTPResponse.Status
    /// The sentence at the top of the page.
    var message: String
    /// The form shown again with the officer's text and the field errors.
    var failure: ConsoleActionForm.Failure

    /// `local`: the console itself refused the input (an unreadable date, a body over the
    /// limits); its message is already Vietnamese and is shown as it is.
    init(_ error: RPCError, action: DossierV1.Action, values: [String: String], local: Bool = false) {
        let name = OneStopNames.action(action)
        failure = ConsoleActionForm.Failure(action: action, values: values)
        let detail = local ? "" : " (Chi tiết: \(error.message))"
        switch error.code {
        case .aborted:
            status = .conflict
            message = "Hồ sơ vừa được người khác cập nhật; hãy xem lại rồi thực hiện lại."
        case .failedPrecondition:
            status = .unprocessableContent
            message = "Không thể thực hiện “\(name)” ở trạng thái hiện tại của hồ sơ.\(detail)"
        case .permissionDenied:
            status = .forbidden
            message = "Bạn không có quyền thực hiện “\(name)” với hồ sơ này.\(detail)"
        case .invalidArgument:
            status = .badRequest
            message = "“\(name)”: thông tin chưa hợp lệ; xem ghi chú bên cạnh ô nhập.\(detail)"
            let fields = error.violations.isEmpty ? ["form"] : error.violations.map(\.field)
            for field in fields {
                let input = Self.input(for: field, action: action)
                failure.fieldErrors[input] = local ? error.message : Self.explanation(input, action: action, fallback: error.message)
            }
        case .resourceExhausted:
            status = .tooManyRequests
            message = "Hệ thống đang quá tải; vui lòng thử lại sau ít phút."
        default:
            status = .serviceUnavailable
            message = "Hệ thống đang bận hoặc tạm thời không truy cập được; “\(name)” chưa được thực hiện. Vui lòng thử lại sau."
        }
    }

    /// The form input an ActRequest field (or a multipart part) belongs to.
    static func input(for field: String, action: DossierV1.Action) -> String {
        if field == "note" { return "note" }
        if field.hasPrefix("missing_documents") { return "missing_documents" }
        if field == "result_note" { return "result_note" }
        if field.hasPrefix("result_document") { return "result_document" }
        if field.hasPrefix("new_appointment") { return "new_appointment" }
        if field == "body" && action == .approve { return "result_document" }
        return "form"
    }

    /// What an officer should do about the input.
    static func explanation(_ input: String, action: DossierV1.Action, fallback: String) -> String {
        switch input {
        case "note" where action == .apologize: "Cần ghi rõ lý do xin lỗi và hẹn lại; lý do này được in trên phiếu gửi công dân."
        case "note": "Cần ghi rõ lý do; lý do này được gửi cho công dân."
        case "missing_documents": "Cần liệt kê giấy tờ cần bổ sung, mỗi dòng một giấy tờ."
        case "result_note": "Cần ghi kết quả giải quyết hoặc đính kèm tệp kết quả."
        case "result_document": "Tệp kết quả không được chấp nhận: chỉ nhận PDF, JPEG hoặc PNG, tối đa 10 MB."
        case "new_appointment": "Ngày hẹn mới phải sau thời điểm hiện tại và sau ngày hẹn hiện tại."
        default: fallback
        }
    }
}
