import DVCProto

/// The form "Đánh giá mức độ hài lòng" of a citizen's dossier (docs/satisfaction.md): one
/// group of three choices per criterion, each a fieldset with its legend and a label on every
/// choice, and an optional comment. Pure HTML from what is known, for the dossier's page and
/// for the page shown again with what was chosen when a field is refused.
struct RatingForm {
    /// The criteria, the proto field and the portal's form field for each, in order.
    static let criteria: [(field: String, name: String, question: String)] = [
        ("publicity", "Công khai, minh bạch thủ tục hành chính", "Thủ tục, giấy tờ, phí và thời hạn được công khai rõ ràng"),
        ("timeliness", "Thời gian giải quyết", "Hồ sơ được giải quyết đúng thời hạn đã hẹn"),
        ("conduct", "Thái độ phục vụ của cán bộ, công chức", "Cán bộ hướng dẫn, tiếp nhận và giải quyết tận tình, đúng mực"),
        ("fees", "Phí, lệ phí", "Phí, lệ phí đúng mức đã công khai, không phát sinh khoản ngoài quy định"),
        ("result", "Kết quả giải quyết", "Kết quả đúng, đầy đủ"),
    ]
    /// The scale, best last (the order the national survey forms use is not verified: see the docs).
    static let choices: [(value: UInt32, label: String)] = [(1, "Không hài lòng"), (2, "Hài lòng"), (3, "Rất hài lòng")]
    static let commentLimit = 1000

    var dossierID: String
    var csrfInput: String
    /// What was chosen, when the form comes back with an error.
    var chosen: [String: String] = [:]
    var comment = ""
    /// The refused field ("scores.conduct", "comment") and why.
    var invalidField: String?
    var error: String?

    func html() -> String {
        let e = PortalPage.escape
        let groups = Self.criteria.map { criterion in
            let invalid = invalidField == "scores.\(criterion.field)"
            let options = Self.choices.map { choice in
                let id = "danh_gia_\(criterion.field)_\(choice.value)"
                let checked = chosen[criterion.field] == String(choice.value) ? " checked" : ""
                return "<label for=\"\(id)\"><input type=\"radio\" id=\"\(id)\" name=\"\(criterion.field)\" value=\"\(choice.value)\" required\(checked)\(invalid ? " aria-invalid=\"true\" aria-describedby=\"danh_gia_loi\"" : "")> \(e(choice.label))</label>"
            }.joined(separator: " ")
            return """
                <fieldset class="rating" data-criterion="\(criterion.field)"><legend>\(e(criterion.name))</legend>
                <p class="hint">\(e(criterion.question))</p>\(options)</fieldset>
                """
        }.joined(separator: "\n")
        let commentInvalid = invalidField == "comment"
        return """
            <section aria-labelledby="danh-gia-title">
            <h2 id="danh-gia-title">Đánh giá mức độ hài lòng</h2>
            <p>Bạn đánh giá việc giải quyết hồ sơ này một lần. Đánh giá được lưu tách khỏi hồ sơ: cơ quan chỉ xem được số liệu tổng hợp, không biết ai đã đánh giá thế nào.</p>
            \(error.map { "<p class=\"error\" role=\"alert\" id=\"danh_gia_loi\">\(e($0))</p>" } ?? "")
            <form method="post" action="/ho-so/\(e(dossierID))/danh-gia">\(csrfInput)
            \(groups)
            <p><label for="danh_gia_gop_y">Ý kiến góp ý (không bắt buộc, tối đa \(Self.commentLimit) ký tự)</label><br>
            <textarea id="danh_gia_gop_y" name="gop_y" rows="3" maxlength="\(Self.commentLimit)"\(commentInvalid ? " aria-invalid=\"true\" aria-describedby=\"danh_gia_loi\"" : "")>\(e(comment))</textarea></p>
            <button type="submit">Gửi đánh giá</button>
            </form>
            </section>
            """
    }

    /// The section of a dossier already rated.
    static let thanks = """
        <section aria-labelledby="danh-gia-title"><h2 id="danh-gia-title">Đánh giá mức độ hài lòng</h2>
        <p>Cảm ơn bạn đã đánh giá.</p></section>
        """
}
