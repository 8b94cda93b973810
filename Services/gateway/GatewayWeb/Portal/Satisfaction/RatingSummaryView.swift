import DVCProto
import GatewayDoor

/// An agency's ratings of a period as the public page and the console show them
/// (docs/satisfaction.md): the number of ratings, the average of each criterion on the 1–3
/// scale, the ratings "không hài lòng", and the satisfaction indicator of Decision 766/QĐ-TTg.
enum RatingSummaryView {
    /// "2,67" with the Vietnamese decimal comma; "—" without ratings or when too few to show.
    static func average(_ criterion: DossierV1.CriterionSummary, of summary: DossierV1.RatingSummary) -> String {
        guard summary.ratings > 0, !summary.averagesWithheld else { return "—" }
        let centi = criterion.averageCenti
        return "\(centi / 100),\(centi % 100 < 10 ? "0" : "")\(centi % 100)"
    }

    /// The indicator's value, or "—" when nothing was resolved in the period.
    static func score(_ summary: DossierV1.RatingSummary) -> String {
        summary.indicator.map(ServiceIndex766.percent) ?? "—"
    }

    /// The headings of a table row per agency: name, ratings, each criterion, dissatisfied, score.
    static var headerCells: String {
        "<th scope=\"col\">Số lượt đánh giá</th>"
            + RatingForm.criteria.map { "<th scope=\"col\">\(PortalPage.escape($0.name))</th>" }.joined()
            + "<th scope=\"col\">Không hài lòng</th><th scope=\"col\">Tỷ lệ hài lòng (QĐ 766)</th>"
    }

    static func cells(_ summary: DossierV1.RatingSummary) -> String {
        let byField = Dictionary(uniqueKeysWithValues: summary.criteria.map { ($0.criterion, $0) })
        let averages = RatingForm.criteria.map { criterion in
            "<td class=\"n\" data-criterion=\"\(criterion.field)\">\(byField[criterion.field].map { average($0, of: summary) } ?? "—")</td>"
        }.joined()
        return "<td class=\"n\" data-ratings>\(summary.ratings)</td>\(averages)<td class=\"n\">\(summary.dissatisfiedRatings)</td>"
            + "<td class=\"n\" data-score>\(score(summary))</td>"
    }

    /// One agency's summary as a two-column table (the console).
    static func table(_ summary: DossierV1.RatingSummary) -> String {
        let e = PortalPage.escape
        let byField = Dictionary(uniqueKeysWithValues: summary.criteria.map { ($0.criterion, $0) })
        var rows = ["<tr><th scope=\"row\">Số lượt đánh giá</th><td data-ratings>\(summary.ratings)</td></tr>"]
        for criterion in RatingForm.criteria {
            let value = byField[criterion.field].map { average($0, of: summary) } ?? "—"
            rows.append("<tr><th scope=\"row\">\(e(criterion.name)) (điểm trung bình, 1–3)</th><td data-criterion=\"\(criterion.field)\">\(value)</td></tr>")
        }
        rows.append("<tr><th scope=\"row\">Số lượt đánh giá không hài lòng</th><td>\(summary.dissatisfiedRatings)</td></tr>")
        rows.append("<tr><th scope=\"row\">Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC (Quyết định 766/QĐ-TTg)</th><td data-score>\(score(summary))</td></tr>")
        return "<div class=\"table-wrap\"><table>\(rows.joined(separator: "\n"))</table></div>"
    }

    /// The period in words: "tháng 5/2026", "năm 2026", "tất cả các năm".
    static func period(year: UInt32, month: UInt32) -> String {
        year == 0 ? "tất cả các năm" : month == 0 ? "năm \(year)" : "tháng \(month)/\(year)"
    }

    /// The year and month chosen by `nam` and `thang`, defaulting to the current year.
    static func period(_ query: [String: String], current: UInt32) -> (year: UInt32, month: UInt32) {
        let asked = UInt32(query["nam"] ?? "") ?? current
        let year = asked == 0 || (2000...2099).contains(asked) ? asked : current
        let month = UInt32(query["thang"] ?? "").flatMap { (1...12).contains($0) && year != 0 ? $0 : nil } ?? 0
        return (year, month)
    }

    /// The period's choice: year (or all) and month (or the whole year), with labels.
    static func filter(action: String, year: UInt32, month: UInt32, current: UInt32, extra: String = "") -> String {
        let years = ([UInt32(0)] + (UInt32(0)..<5).map { current - $0 }).map { value in
            "<option value=\"\(value)\"\(value == year ? " selected" : "")>\(value == 0 ? "Tất cả các năm" : "Năm \(value)")</option>"
        }.joined()
        let months = (0...12).map { value in
            "<option value=\"\(value)\"\(value == month ? " selected" : "")>\(value == 0 ? "Cả năm" : "Tháng \(value)")</option>"
        }.joined()
        return """
            <form class="inline-filter" method="get" action="\(action)">\(extra)<label for="nam">Năm</label> <select id="nam" name="nam">\(years)</select>
            <label for="thang">Tháng</label> <select id="thang" name="thang">\(months)</select> <button type="submit">Xem</button></form>
            """
    }

    static let note = """
        <p class="hint">Mỗi hồ sơ đã có kết quả được người nộp đánh giá một lần theo năm tiêu chí, mỗi tiêu chí từ 1 (không hài lòng) \
        đến 3 (rất hài lòng). Đánh giá được lưu tách khỏi hồ sơ: không ai, kể cả cơ quan giải quyết, biết ai đã đánh giá thế nào. \
        Điểm trung bình từng tiêu chí chỉ hiển thị khi kỳ có từ 5 lượt đánh giá trở lên (ít hơn thì điểm của một người có thể bị nhận ra; hiện "—"). \
        Tỷ lệ hài lòng theo Quyết định số 766/QĐ-TTg ngày 23/6/2022: (hồ sơ đã giải quyết − hồ sơ đánh giá không hài lòng) / hồ sơ đã giải quyết.</p>
        """
}
