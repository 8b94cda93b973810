import DVCProto
import OneStop

/// What the online form tells the applicant about the fee: for the category select
/// (`doi_tuong_le_phi`), each reduced rate or exemption with what it costs and its legal
/// ground, so the applicant knows what they claim and on which law; for a quantity field, that
/// the fee counts it.
enum FeeHints {
    static func categoryHint(_ procedure: CatalogV1.Procedure) -> String {
        let e = PortalPage.escape
        let items = FeeCalculator.categories(of: procedure).map { category in
            let lines = procedure.fees.filter { $0.category == category }
            let base = lines.filter { $0.fromUnit <= 1 }.reduce(Int64(0)) { $0 + $1.amountVnd }
            let grounds = lines.map(\.legalBasis).filter { !$0.isEmpty }
            let cost = base == 0 && lines.allSatisfy({ $0.amountVnd == 0 }) ? "miễn" : "từ \(PortalFormat.money(base))"
            return "<li>\(e(category)): \(e(cost))\(grounds.isEmpty ? "" : " — căn cứ \(e(Array(Set(grounds)).sorted().joined(separator: "; ")))")</li>"
        }.joined()
        return """
            <div class="hint"><small>Để trống nếu không thuộc đối tượng miễn, giảm. Khi chọn, hãy mang giấy tờ chứng minh; \
            cán bộ sẽ kiểm tra và xác nhận.</small><ul>\(items)</ul></div>
            """
    }

    static func quantityHint(_ procedure: CatalogV1.Procedure, field: String) -> String {
        let lines = procedure.fees.filter { ($0.quantityField == field || $0.multiplierField == field) && $0.category.isEmpty }
        guard !lines.isEmpty else { return "" }
        let e = PortalPage.escape
        return "<div class=\"hint\"><small>Phí, lệ phí tính theo số này: \(e(lines.map(\.condition).filter { !$0.isEmpty }.joined(separator: "; ")))</small></div>"
    }
}
