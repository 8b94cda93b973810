import Foundation
import OneStop

/// The one-stop documents of Circular 01/2018/TT-VPCP, numbered as in the circular's appendix
/// (the raw value is the form's number, "01" … "06").
public enum OneStopForm: String, Sendable, Hashable, CaseIterable {
    /// Giấy tiếp nhận hồ sơ và hẹn trả kết quả.
    case receipt = "01"
    /// Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.
    case supplementRequest = "02"
    /// Phiếu từ chối tiếp nhận giải quyết hồ sơ.
    case refusal = "03"
    /// Phiếu xin lỗi và hẹn lại ngày trả kết quả.
    case apology = "04"
    /// Phiếu kiểm soát quá trình giải quyết hồ sơ.
    case processingControl = "05"
    /// Sổ theo dõi hồ sơ.
    case trackingBook = "06"

    /// The form's title as printed, e.g. "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ": the name
    /// `OneStopNames.document` gives (written once, shared with the console), in capitals.
    public var title: String { OneStopNames.document(rawValue).uppercased(with: Locale(identifier: "vi_VN")) }

    /// "Mẫu số 01" … "Mẫu số 06".
    public var label: String { "Mẫu số \(rawValue)" }
}
