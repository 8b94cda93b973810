/// The placeholders a template may use, written `{{name}}`. The names are Vietnamese, as the
/// officers who edit the templates read them; each is filled from the event (EventFacts).
enum Placeholder: String, CaseIterable, Sendable {
    /// The receipt code (or the dossier id before the dossier is received).
    case maHoSo = "ma_ho_so"
    /// The applicant's name from the form data, or "Ông/Bà".
    case hoTen = "ho_ten"
    /// The procedure's code.
    case thuTuc = "thu_tuc"
    /// The agency's code.
    case coQuan = "co_quan"
    /// The appointment (or new appointment) in UTC+7, "ngày dd tháng MM năm yyyy".
    case ngayHenTra = "ngay_hen_tra"
    /// What the citizen must supply, one per line ("- ...").
    case giayToThieu = "giay_to_thieu"
    /// Why: refusal, apology, failed payment.
    case lyDo = "ly_do"
    /// The result note.
    case ketQua = "ket_qua"
    /// An amount in đồng, "1.250.000 đồng".
    case soTien = "so_tien"
    /// The electronic receipt's number.
    case soBienLai = "so_bien_lai"
    /// When the event happened, UTC+7, "HH giờ mm phút, ngày dd tháng MM năm yyyy".
    case thoiGian = "thoi_gian"
    /// When a draft is deleted unless saved or submitted, UTC+7, as `thoi_gian`.
    case ngayHetHan = "ngay_het_han"

    static let names: Set<String> = Set(allCases.map(\.rawValue))
    static var list: String { allCases.map { "{{\($0.rawValue)}}" }.joined(separator: ", ") }
}
