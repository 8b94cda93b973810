import DVCProto

/// The index of Decision 766/QĐ-TTg of 23 June 2022 (Bộ chỉ số chỉ đạo, điều hành và đánh giá
/// chất lượng phục vụ người dân, doanh nghiệp trong thực hiện thủ tục hành chính, dịch vụ công
/// theo thời gian thực trên môi trường điện tử): its five groups of indicators, each computed
/// from an agency's figures for a period where the platform's data allow it, and otherwise
/// listed with the reason it cannot be (docs/statistics.md).
///
/// Pure: figures in, indicators out, so every formula is tested on known numbers.
public enum ServiceIndex766 {
    public static let decision = "Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ, Phụ lục"

    /// The groups, in the Decision's order.
    public static let groups: [(code: String, name: String)] = [
        ("cong-khai", "Công khai, minh bạch"),
        ("tien-do", "Tiến độ, kết quả giải quyết"),
        ("so-hoa", "Số hóa hồ sơ"),
        ("truc-tuyen", "Cung cấp dịch vụ trực tuyến"),
        ("hai-long", "Mức độ hài lòng"),
    ]

    /// Every indicator of the Decision for these figures, in the Decision's order.
    public static func indicators(_ f: DossierV1.AgencyStatistics) -> [DossierV1.ServiceIndicator] {
        let approved = f.resolvedOnTime + f.resolvedLate
        return [
            unavailable("cong-khai.tthc-cong-bo-dung-han", "Tỷ lệ thủ tục hành chính công bố đúng hạn", group: "cong-khai",
                        formula: "Số TTHC công bố đúng hạn / Tổng số TTHC đã công bố trong kỳ × 100%",
                        citation: "\(decision), nhóm 1 (công khai, minh bạch), điểm a",
                        reason: "Danh mục thủ tục của nền tảng không lưu ngày ban hành quyết định công bố thủ tục."),
            unavailable("cong-khai.tthc-cap-nhat-dung-han", "Tỷ lệ thủ tục hành chính được cập nhật, công khai đúng hạn",
                        group: "cong-khai",
                        formula: "Số TTHC được cập nhật, công khai đúng hạn / Tổng số TTHC đã công bố trong kỳ × 100%",
                        citation: "\(decision), nhóm 1 (công khai, minh bạch)",
                        reason: "Nền tảng không lưu thời điểm công bố và thời điểm công khai của từng thủ tục."),
            unavailable("cong-khai.tthc-day-du-noi-dung",
                        "Tỷ lệ thủ tục hành chính được công khai có đầy đủ các nội dung quy định về các bộ phận tạo thành",
                        group: "cong-khai",
                        formula: "Số TTHC công khai đầy đủ các bộ phận tạo thành / Tổng số TTHC công khai × 100%",
                        citation: "\(decision), nhóm 1 (công khai, minh bạch)",
                        reason: "Các bộ phận tạo thành theo quy định chưa được đối chiếu từng trường trong danh mục."),
            unavailable("cong-khai.ho-so-dong-bo-dvcqg", "Tỷ lệ hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia", group: "cong-khai",
                        formula: "Số hồ sơ đồng bộ lên Cổng DVCQG / Tổng số hồ sơ tiếp nhận × 100%",
                        citation: "\(decision), nhóm 1 (công khai, minh bạch)",
                        reason: "Hồ sơ nộp trên Cổng Dịch vụ công quốc gia được đồng bộ trạng thái về cổng đó, nhưng chỉ số này chưa được tính từ số liệu đồng bộ."),
            ratio("tien-do.truoc-han-dung-han", "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn", group: "tien-do",
                  f.resolvedOnTime, approved,
                  formula: "Số hồ sơ giải quyết trước hạn, đúng hạn / Tổng số hồ sơ đã giải quyết × 100%. "
                      + "Hồ sơ đã giải quyết là hồ sơ đã có kết quả (trạng thái 9, 10); hồ sơ từ chối giải quyết "
                      + "(8) và hồ sơ công dân rút (7) không được tính là giải quyết đúng hạn và được đếm riêng.",
                  citation: "\(decision), nhóm 2 (tiến độ, kết quả giải quyết)"),
            unavailable("tien-do.thoi-gian-trung-binh", "Thời gian giải quyết TTHC trung bình theo từng TTHC", group: "tien-do",
                        formula: "Tổng thời gian giải quyết các hồ sơ của TTHC / Số hồ sơ đã giải quyết của TTHC đó",
                        citation: "\(decision), nhóm 2 (tiến độ, kết quả giải quyết)",
                        reason: "Số liệu thống kê được cộng dồn theo cơ quan và tháng, chưa theo từng thủ tục và thời gian xử lý."),
            unavailable("so-hoa.ho-so", "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC", group: "so-hoa",
                        formula: "Số hồ sơ được số hóa thành phần hồ sơ / Tổng số hồ sơ tiếp nhận × 100%",
                        citation: "\(decision), nhóm 3 (số hóa hồ sơ)",
                        reason: "Thống kê theo tháng chưa đếm riêng các hồ sơ có thành phần được số hóa."),
            unavailable("so-hoa.ket-qua-dien-tu", "Tỷ lệ cấp kết quả giải quyết TTHC điện tử", group: "so-hoa",
                        formula: "Số hồ sơ có kết quả điện tử / Tổng số hồ sơ đã giải quyết × 100%",
                        citation: "\(decision), nhóm 3 (số hóa hồ sơ)",
                        reason: "Thống kê chưa đếm riêng các kết quả được cấp dưới dạng văn bản điện tử."),
            unavailable("so-hoa.tai-su-dung", "Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa", group: "so-hoa",
                        formula: "Số hồ sơ có sử dụng lại dữ liệu số hóa / Tổng số hồ sơ tiếp nhận × 100%",
                        citation: "\(decision), nhóm 3 (số hóa hồ sơ)",
                        reason: "Thống kê theo tháng chưa đếm riêng các hồ sơ dùng lại giấy tờ, dữ liệu đã số hóa."),
            unavailable("truc-tuyen.tthc-dvctt", "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến", group: "truc-tuyen",
                        formula: "Số TTHC cung cấp dịch vụ công trực tuyến / Tổng số TTHC thuộc thẩm quyền × 100%",
                        citation: "\(decision), nhóm 4 (cung cấp dịch vụ trực tuyến)",
                        reason: "Chỉ số về thủ tục, không về hồ sơ: xem mức độ của từng thủ tục tại từng cơ quan trong danh mục."),
            ratio("truc-tuyen.ho-so-truc-tuyen", "Tỷ lệ hồ sơ trực tuyến", group: "truc-tuyen", f.submittedOnline, f.submitted,
                  formula: "Số hồ sơ nộp trực tuyến / Tổng số hồ sơ tiếp nhận (mọi kênh) × 100%",
                  citation: "\(decision), nhóm 4 (cung cấp dịch vụ trực tuyến)"),
            ratio("truc-tuyen.thanh-toan-truc-tuyen", "Tỷ lệ thanh toán trực tuyến", group: "truc-tuyen",
                  f.feePaidOnline, f.feeRequired,
                  formula: "Số hồ sơ thanh toán phí, lệ phí trực tuyến / Tổng số hồ sơ có yêu cầu thực hiện nghĩa vụ tài chính × 100%",
                  citation: "\(decision), nhóm 4 (cung cấp dịch vụ trực tuyến)"),
            unavailable("hai-long.phan-anh-dung-han", "Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn", group: "hai-long",
                        formula: "Tổng số phản ánh, kiến nghị xử lý đúng hoặc trước hạn / Tổng số phản ánh, kiến nghị thuộc thẩm quyền × 100%",
                        citation: "\(decision), nhóm 5 (mức độ hài lòng)",
                        reason: "Nền tảng chưa tiếp nhận phản ánh, kiến nghị."),
            unavailable("hai-long.xu-ly-phan-anh", "Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị", group: "hai-long",
                        formula: "(Tổng số phản ánh, kiến nghị − Số phản hồi không hài lòng hoặc xử lý quá hạn) / Tổng số phản ánh, kiến nghị × 100%",
                        citation: "\(decision), nhóm 5 (mức độ hài lòng)",
                        reason: "Nền tảng chưa tiếp nhận phản ánh, kiến nghị."),
            satisfaction(f),
        ]
    }

    /// "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC" from the citizens' ratings
    /// (docs/satisfaction.md): (dossiers resolved − ratings "không hài lòng") / dossiers
    /// resolved. A rating is "không hài lòng" when it scores any criterion 1. A dossier not
    /// rated counts as not dissatisfied, as the Decision's formula subtracts only those rated
    /// so; with no rating in the period the reason says so beside the figure.
    public static func satisfaction(_ f: DossierV1.AgencyStatistics) -> DossierV1.ServiceIndicator {
        let approved = f.resolvedOnTime + f.resolvedLate
        var indicator = ratio("hai-long.giai-quyet-tthc", "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC", group: "hai-long",
                              approved - min(f.dissatisfiedRatings, approved), approved,
                              formula: "(Tổng số hồ sơ đã giải quyết − Số hồ sơ người dân đánh giá không hài lòng) / Tổng số hồ sơ "
                                  + "đã giải quyết × 100%. Một đánh giá là không hài lòng khi có ít nhất một tiêu chí được chấm "
                                  + "\"Không hài lòng\"; hồ sơ đã giải quyết là hồ sơ đã có kết quả (trạng thái 9, 10).",
                              citation: "\(decision), nhóm 5 (mức độ hài lòng)")
        if approved > 0, f.ratings == 0 {
            indicator.reason = "Chưa có đánh giá nào trong kỳ: theo công thức, hồ sơ không bị đánh giá không hài lòng được tính là hài lòng."
        }
        return indicator
    }

    /// A computable indicator.
    static func ratio(_ code: String, _ name: String, group: String, _ numerator: UInt64, _ denominator: UInt64,
                      formula: String, citation: String) -> DossierV1.ServiceIndicator {
        var indicator = DossierV1.ServiceIndicator()
        indicator.code = code
        indicator.name = name
        indicator.group = group
        indicator.computable = true
        indicator.numerator = numerator
        indicator.denominator = denominator
        indicator.perMille = perMille(numerator, of: denominator)
        indicator.formula = formula
        indicator.citation = citation
        if denominator == 0 { indicator.reason = "Chưa có hồ sơ nào trong kỳ để tính." }
        return indicator
    }

    static func unavailable(_ code: String, _ name: String, group: String, formula: String, citation: String,
                            reason: String) -> DossierV1.ServiceIndicator {
        var indicator = DossierV1.ServiceIndicator()
        indicator.code = code
        indicator.name = name
        indicator.group = group
        indicator.computable = false
        indicator.formula = formula
        indicator.citation = citation
        indicator.reason = reason
        return indicator
    }

    /// part / whole in tenths of a percent, rounded half up; 0 for an empty whole.
    public static func perMille(_ part: UInt64, of whole: UInt64) -> UInt32 {
        guard whole > 0 else { return 0 }
        return UInt32(min(1000, (part * 1000 + whole / 2) / whole))
    }

    /// "66,7%" with the Vietnamese decimal comma; "—" when there is nothing to divide.
    public static func percent(_ indicator: DossierV1.ServiceIndicator) -> String {
        guard indicator.computable, indicator.denominator > 0 else { return "—" }
        return "\(indicator.perMille / 10),\(indicator.perMille % 10)%"
    }

    /// The figures of several agencies (or months) added up: the city's total.
    public static func sum(_ all: [DossierV1.AgencyStatistics], agencyCode: String = "") -> DossierV1.AgencyStatistics {
        var total = DossierV1.AgencyStatistics()
        total.agencyCode = agencyCode
        for f in all {
            total.received += f.received
            total.resolvedOnTime += f.resolvedOnTime
            total.resolvedLate += f.resolvedLate
            total.inProgress += f.inProgress
            total.inProgressOverdue += f.inProgressOverdue
            total.refused += f.refused
            total.withdrawn += f.withdrawn
            total.submitted += f.submitted
            total.submittedOnline += f.submittedOnline
            total.notReceived += f.notReceived
            total.feeRequired += f.feeRequired
            total.feePaidOnline += f.feePaidOnline
            total.ratings += f.ratings
            total.dissatisfiedRatings += f.dissatisfiedRatings
        }
        return total
    }
}
