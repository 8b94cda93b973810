/// What a one-stop document is, whichever circular numbers it: the form's number and title
/// come from the set in force (`OneStopFormSet`), which the 2025 set changed (the apology is
/// renamed, the stop notice is new, the control slip and the book move down one).
public enum OneStopForm: String, Sendable, Hashable, CaseIterable {
    /// Giấy tiếp nhận hồ sơ và hẹn trả kết quả.
    case receipt
    /// Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.
    case supplementRequest
    /// Phiếu từ chối tiếp nhận giải quyết hồ sơ.
    case refusal
    /// 2018: Phiếu xin lỗi và hẹn lại ngày trả kết quả; 2025: Văn bản xin lỗi và đề nghị gia
    /// hạn thời gian giải quyết.
    case apology
    /// Thông báo dừng giải quyết hồ sơ: only in the 2025 set (Decree 118/2025/NĐ-CP Điều 21).
    case stopNotice
    /// Phiếu kiểm soát quá trình giải quyết hồ sơ: the agency's internal record of every
    /// handover, not a letter to the citizen.
    case processingControl
    /// Sổ theo dõi hồ sơ.
    case trackingBook
}
