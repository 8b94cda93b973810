import Testing

@testable import NotifyService

/// Placeholders are checked when a template is saved: known names only, every brace part of a
/// `{{name}}`.
@Suite struct TemplateTextTests {
    @Test func rendersKnownPlaceholders() throws {
        let text = try TemplateText("Hồ sơ {{ma_ho_so}} hẹn trả {{ ngay_hen_tra }}.")
        #expect(text.render([.maHoSo: "000.00.20.H26-261129-0001", .ngayHenTra: "ngày 03 tháng 12 năm 2026"])
                == "Hồ sơ 000.00.20.H26-261129-0001 hẹn trả ngày 03 tháng 12 năm 2026.")
        #expect(try TemplateText("{{so_tien}}").render([:]) == "")
        #expect(try TemplateText("không có chỗ trống").render([:]) == "không có chỗ trống")
    }

    @Test(arguments: [
        ("Xin chào {{ten_la}}", "unknown placeholder {{ten_la}}"),
        ("Hồ sơ {{ma_ho_so}", "never closed"),
        ("Hồ sơ {ma_ho_so}}", "single '{'"),
        ("Hồ sơ ma_ho_so}}", "'}' without"),
        ("Hồ sơ {{}}", "unbalanced"),
        ("Hồ sơ {{ma_{{ho_so}}", "unbalanced"),
    ])
    func refusesWithAReason(text: String, reason: String) {
        #expect {
            _ = try TemplateText(text)
        } throws: { error in
            (error as? TemplateText.Problem)?.description.contains(reason) == true
        }
    }

    @Test func unknownPlaceholderListsTheKnownOnes() {
        do {
            _ = try TemplateText("{{ma_ho_so_}}")
            Issue.record("accepted an unknown placeholder")
        } catch {
            #expect(error.description.contains("{{giay_to_thieu}}"))
        }
    }
}
