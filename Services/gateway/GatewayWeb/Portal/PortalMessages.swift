import DVCProto
import Foundation
import RPCCore

/// What a refusal means for a citizen, in Vietnamese. The RPC answers callers with the field
/// and a technical description; the portal turns them into a sentence a citizen can act on,
/// from the field's declared type rather than from parsing the description.
enum PortalMessages {
    static func fieldProblem(_ field: CatalogV1.FormField, value: String) -> String {
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return "Cần điền “\(field.label)”."
        }
        if value.unicodeScalars.count > 2000 { return "“\(field.label)” dài quá 2000 ký tự." }
        switch field.type {
        case "date": return "“\(field.label)” phải là một ngày có thật (ngày/tháng/năm)."
        case "number": return "“\(field.label)” phải là số, ví dụ 12 hoặc 12.5."
        case "citizen_id": return "“\(field.label)” phải là số định danh cá nhân hợp lệ gồm 12 chữ số."
        case "email": return "“\(field.label)” không phải địa chỉ thư điện tử hợp lệ (ví dụ: nguyenvana@example.vn)."
        case "phone": return "“\(field.label)” phải là số di động Việt Nam gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09."
        case "select": return "Hãy chọn “\(field.label)” trong danh sách."
        default:
            return field.pattern.isEmpty ? "“\(field.label)” có ký tự không hợp lệ." : "“\(field.label)” không đúng định dạng."
        }
    }

    /// dossier-svc's attachment refusals: too large, not a PDF/JPEG/PNG, empty or damaged.
    static func attachmentProblem(_ description: String) -> String {
        if description.contains("add up to") { return "Các tệp đính kèm cộng lại lớn hơn 50 MB." }
        if description.contains("at most 20") { return "Một hồ sơ có tối đa 20 tệp đính kèm." }
        if description.contains("at most") { return "Tệp lớn hơn 10 MB." }
        if description.contains("empty") { return "Tệp rỗng." }
        return "Chỉ nhận tệp PDF, JPG hoặc PNG còn nguyên vẹn."
    }

    /// A refusal that is not about one field.
    static func refusal(_ error: RPCError) -> String {
        switch error.code {
        case .permissionDenied: "Bạn không được thực hiện việc này với hồ sơ này."
        case .failedPrecondition: "Việc này không thực hiện được ở trạng thái hiện tại của hồ sơ hoặc ở mức độ dịch vụ của cơ quan."
        case .notFound: "Không tìm thấy hồ sơ."
        case .unauthenticated: "Phiên đăng nhập đã hết hạn; hãy đăng nhập lại."
        case .aborted: "Hồ sơ vừa được cập nhật; hãy xem lại rồi thực hiện lại."
        case .resourceExhausted: "Hệ thống đang quá tải; vui lòng thử lại sau ít phút."
        case .invalidArgument: "Thông tin gửi lên chưa hợp lệ."
        default: "Hệ thống đang bận; vui lòng thử lại sau ít phút."
        }
    }
}
