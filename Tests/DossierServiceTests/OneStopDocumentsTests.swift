import DVCProto
import OneStop
import DossierService
import Foundation
import Testing

/// Each one-stop document renders with the facts it must carry, under its set's number, title
/// and circular: Circular 01/2018/TT-VPCP (the fixtures' default) and 03/2025/TT-VPCP.
@Suite struct OneStopDocumentsTests {
    typealias Fixtures = DocumentFixtures

    /// What every document has: a UTF-8 HTML page for A4, the form's number in its set's
    /// appendix and the set's circular (never the other's), the national heading, the agency and
    /// its governing body, the place and date, the title the set gives the form.
    func expectCommonParts(_ html: String, _ form: OneStopForm, forms: OneStopFormSet = .circular2018, issuedOn date: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        let label = "Mẫu số \(forms.number(of: form) ?? "?")"
        let title = forms.name(of: form).uppercased(with: Locale(identifier: "vi_VN"))
        let parts = [
            "<!DOCTYPE html>", "<html lang=\"vi\">", "<meta charset=\"utf-8\">", "@page { size: A4",
            "<b>\(label)</b>", "(\(forms.citation))", "<title>\(label): \(title) ",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
            "<div class=\"parent\">UBND Thành phố Hà Nội</div>", "<div class=\"name\">Sở Tư pháp</div>",
            "Hà Nội, \(date)", "<h1>\(title)</h1>",
        ]
        for part in parts {
            #expect(html.contains(part), "\(label) lacks \(part)", sourceLocation: sourceLocation)
        }
        let other = OneStopFormSet.allCases.first { $0 != forms }!
        #expect(!html.contains(other.circular), "\(label) cites \(other.circular)", sourceLocation: sourceLocation)
        // The fixtures' values hold no markup characters: an escaped tag is markup of the page
        // itself that went through as text.
        #expect(!html.contains("&lt;") && !html.contains("&quot;"), "\(label) escapes its own markup",
                sourceLocation: sourceLocation)
        // Tables, rows, cells, paragraphs and divisions are closed as often as they are opened.
        for tag in ["table", "tr", "td", "th", "p", "div", "ol", "li", "b", "i", "span"] {
            #expect(html.components(separatedBy: "<\(tag)>").count + html.components(separatedBy: "<\(tag) ").count - 2
                == html.components(separatedBy: "</\(tag)>").count - 1, "\(label): <\(tag)>", sourceLocation: sourceLocation)
        }
    }

    @Test func receipt01() {
        let html = Fixtures.receipt().html()
        expectCommonParts(html, .receipt, issuedOn: "ngày 03 tháng 02 năm 2026")
        for fact in [
            "Mã hồ sơ: <b>000.00.07.H26-260203-0042</b>",
            "Nguyễn Thị Minh Hằng", "001190012345", "Số 12 phố Hàng Bạc, phường Hoàn Kiếm", "0912345678", "hang.nguyen@example.vn",
            "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam (mã thủ tục 2.000488)",
            "<td>Bản chụp Căn cước công dân</td><td class=\"center\">Bản sao</td><td class=\"center\">2</td>",
            "<td>Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp</td><td class=\"center\">Bản chính</td><td class=\"center\">1</td>",
            "1 (bộ), gồm 4 giấy tờ",
            "<p><b>3. Thời gian giải quyết hồ sơ theo quy định là:</b> <span class=\"value\">10 ngày làm việc</span></p>",
            "<p><b>6. Đăng ký nhận kết quả tại:</b> <span class=\"value\">Bộ phận Một cửa, số 221 Trần Phú, Hà Đông</span></p>",
            "Thời gian nhận hồ sơ:</b> 08 giờ 05 phút, ngày 03 tháng 02 năm 2026",
            "Thời gian trả kết quả giải quyết hồ sơ:</b> <b>16 giờ 30 phút, ngày 05 tháng 02 năm 2026</b>",
            "Hình thức nộp hồ sơ:</span> <span class=\"value\">Trực tuyến</span>",
            "Người tiếp nhận hồ sơ", "Trần Văn Bình", "Số: 01/2026/000.00.07.H26-17",
        ] {
            #expect(html.contains(fact), "lacks \(fact)")
        }
    }

    @Test func receiptChannels() {
        var receipt = Fixtures.receipt()
        for (channel, name) in [(DossierV1.Channel.inPerson, "Trực tiếp"), (.online, "Trực tuyến"),
                                (.postal, "Qua dịch vụ bưu chính công ích")] {
            receipt.channel = channel
            #expect(receipt.html().contains("<span class=\"value\">\(name)</span>"))
        }
        // Without the optional lines, the numbering of the points stays continuous.
        receipt.processingTime = ""
        var html = receipt.html()
        #expect(html.contains("<b>3. Thời gian nhận hồ sơ:</b>"))
        #expect(html.contains("<b>4. Thời gian trả kết quả giải quyết hồ sơ:</b>"))
        #expect(html.contains("<b>5. Đăng ký nhận kết quả tại:</b>"))
        receipt.resultDelivery = ""
        html = receipt.html()
        #expect(!html.contains("Đăng ký nhận kết quả tại"))
        #expect(!html.contains("Thời gian giải quyết hồ sơ theo quy định"))
    }

    @Test func supplementRequest02() {
        let html = Fixtures.supplementRequest().html()
        expectCommonParts(html, .supplementRequest, issuedOn: "ngày 03 tháng 02 năm 2026")
        for fact in [
            "Mã hồ sơ: <b>000.00.07.H26-260203-0042</b>", "Nguyễn Thị Minh Hằng",
            "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
            "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:",
            "<li>Bản sao Giấy khai sinh</li>", "<li>Ảnh chân dung 4x6 chụp trong 6 tháng</li>",
            "<p class=\"reason\">Hồ sơ thiếu giấy tờ theo quy định tại Điều 45 Luật Lý lịch tư pháp.</p>",
            "cán bộ Trần Văn Bình, số điện thoại 024 3825 1234",
            "Người hướng dẫn", "Số: 02/2026/000.00.07.H26-3",
            "Thời gian nộp hồ sơ:</span> <span class=\"value\">08 giờ 05 phút, ngày 03 tháng 02 năm 2026</span>",
        ] {
            #expect(html.contains(fact), "lacks \(fact)")
        }
    }

    @Test func refusal03() {
        let html = Fixtures.refusal().html()
        expectCommonParts(html, .refusal, issuedOn: "ngày 03 tháng 02 năm 2026")
        for fact in [
            "Nguyễn Thị Minh Hằng", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
            "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
            "<p class=\"reason\">Yêu cầu không thuộc thẩm quyền giải quyết của Sở Tư pháp.</p>",
            "Người tiếp nhận hồ sơ", "Số: 03/2026/000.00.07.H26-5",
        ] {
            #expect(html.contains(fact), "lacks \(fact)")
        }
        // Refused at reception: no receipt code was issued, and none is printed.
        #expect(!html.contains("Mã hồ sơ"))
        var afterReview = Fixtures.refusal()
        afterReview.receiptCode = "000.00.07.H26-260203-0042"
        #expect(afterReview.html().contains("Mã hồ sơ: <b>000.00.07.H26-260203-0042</b>"))
    }

    @Test func apology04() {
        let html = Fixtures.apology().html()
        expectCommonParts(html, .apology, issuedOn: "ngày 05 tháng 02 năm 2026")
        for fact in [
            "Kính gửi: Ông/Bà <b>Nguyễn Thị Minh Hằng</b>",
            "Ngày 03 tháng 02 năm 2026, Sở Tư pháp tiếp nhận giải quyết hồ sơ của Ông/Bà",
            "000.00.07.H26-260203-0042",
            "Thời hạn trả kết quả theo quy định:</span> <span class=\"value\">16 giờ 30 phút, ngày 05 tháng 02 năm 2026",
            "<p class=\"reason\">Cần xác minh thông tin tại cơ quan công an nơi cư trú trước đây.</p>",
            "xin lỗi Ông/Bà và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào <b>10 giờ 00 phút, ngày 09 tháng 02 năm 2026</b>",
            "Thủ trưởng cơ quan", "Lê Thị Thu", "Số: 04/2026/000.00.07.H26-2",
        ] {
            #expect(html.contains(fact), "lacks \(fact)")
        }
    }

    @Test func processingControl05() {
        let html = Fixtures.processingControl().html()
        expectCommonParts(html, .processingControl, issuedOn: "ngày 05 tháng 02 năm 2026")
        for fact in [
            "Mã hồ sơ: <b>000.00.07.H26-260203-0042</b>",
            "Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: 01/2026/000.00.07.H26-17",
            "Nguyễn Thị Minh Hằng", "Cơ quan (bộ phận) giải quyết hồ sơ",
            // Each handover: what, who, when, result, note.
            "<td>Nộp hồ sơ</td><td>Công dân 001190012345</td><td>07 giờ 35 phút, ngày 03 tháng 02 năm 2026</td><td>Mới đăng ký</td>",
            "<td>Tiếp nhận hồ sơ</td><td>Cán bộ tiep-nhan-01</td><td>08 giờ 05 phút, ngày 03 tháng 02 năm 2026</td><td>Mới đăng ký → Được tiếp nhận</td>",
            "<td>Chuyển xử lý</td><td>Cán bộ xu-ly-07</td><td>09 giờ 40 phút, ngày 03 tháng 02 năm 2026</td><td>Được tiếp nhận → Đang xử lý</td><td><span class=\"pre\">Phân công xử lý</span></td>",
            "<td>Phê duyệt kết quả</td><td>Cán bộ lanh-dao-02</td><td>13 giờ 05 phút, ngày 05 tháng 02 năm 2026</td><td>Đang xử lý → Đã xử lý xong</td>",
            "Số: 05/2026/000.00.07.H26-9",
        ] {
            #expect(html.contains(fact), "lacks \(fact)")
        }
        #expect(html.components(separatedBy: "<tr>").count - 1 == 6, "the page heading, the header row and four steps")
        let named = OneStopDocuments.ProcessingControl.Step(Fixtures.history()[1], actorName: "Trần Văn Bình")
        #expect(named.actor == "Trần Văn Bình")
        #expect(Fixtures.processingControl(steps: []).html().contains("Chưa có bước xử lý"))
    }

    @Test func trackingBook06() {
        let html = Fixtures.trackingBook().html()
        expectCommonParts(html, .trackingBook, issuedOn: "ngày 09 tháng 02 năm 2026")
        #expect(html.contains("size: A4 landscape"))
        for fact in [
            "Tháng 02 năm 2026", "Quyển số: 06/2026/000.00.07.H26-1",
            "<td>000.00.07.H26-260203-0042</td><td>Nguyễn Thị Minh Hằng</td><td>Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam</td><td>08 giờ 05 phút, ngày 03 tháng 02 năm 2026</td><td>16 giờ 30 phút, ngày 05 tháng 02 năm 2026</td><td>16 giờ 30 phút, ngày 04 tháng 02 năm 2026<br><i>(Trước hạn)</i></td><td>Đã trả kết quả</td>",
            "16 giờ 00 phút, ngày 05 tháng 02 năm 2026<br><i>(Đúng hạn)</i>",
            "16 giờ 30 phút, ngày 06 tháng 02 năm 2026<br><i>(Quá hạn)</i>",
            "<td>000.00.07.H26-260203-0045</td><td>Vũ Thị Lan</td>", "<td>Đang xử lý</td>",
            "Tổng số: 4 hồ sơ.",
        ] {
            #expect(html.contains(fact), "lacks \(fact)")
        }
        #expect(Fixtures.trackingBook(entries: []).html().contains("Không có hồ sơ"))
    }

    @Test func aTrackingBookLineFromADossier() {
        var dossier = DossierV1.Dossier()
        dossier.id = "d-1"
        dossier.state = .processing
        dossier.receivedAtUnixMs = 1_770_080_700_000
        var entry = OneStopDocuments.TrackingBook.Entry(dossier, applicantName: "A", procedureName: "B")
        #expect(entry.receiptCode == "d-1")
        #expect(entry.receivedAt == Fixtures.receivedAt)
        #expect(entry.appointmentAt == nil)
        dossier.receiptCode = "000.00.07.H26-260203-0042"
        entry = OneStopDocuments.TrackingBook.Entry(dossier, applicantName: "A", procedureName: "B")
        #expect(entry.receiptCode == "000.00.07.H26-260203-0042")
        #expect(entry.state == .processing)
    }

    @Test func theNationalWordsForStatesActionsAndActors() {
        #expect(DossierV1.DossierState.allCases.dropFirst().map(OneStopNames.state) == [
            "Mới đăng ký", "Được tiếp nhận", "Không được tiếp nhận", "Đang xử lý", "Yêu cầu bổ sung giấy tờ",
            "Yêu cầu thực hiện nghĩa vụ tài chính", "Công dân yêu cầu rút hồ sơ", "Dừng xử lý", "Đã xử lý xong", "Đã trả kết quả",
        ])
        #expect(Set(DossierV1.Action.allCases.map(OneStopNames.action)).count == DossierV1.Action.allCases.count)
        #expect(OneStopDocuments.actorName("citizen:001190012345") == "Công dân 001190012345")
        #expect(OneStopDocuments.actorName("system:dossier-svc") == "Hệ thống (dossier-svc)")
        #expect(OneStopDocuments.actorName("someone") == "someone")
    }

    /// With ONE_STOP_DOCUMENTS_OUTPUT set to a folder, writes each form of each set there as
    /// form-{2018|2025}-0N.html
    /// (to look at them in a browser).
    @Test func writesEachFormWhenAsked() throws {
        guard let folder = ProcessInfo.processInfo.environment["ONE_STOP_DOCUMENTS_OUTPUT"] else { return }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for forms in OneStopFormSet.allCases {
            for document in Fixtures.all(forms) {
                try document.htmlData().write(to: URL(fileURLWithPath: "\(folder)/form-\(forms.rawValue)-\(document.formNumber).html"))
            }
        }
    }

    // MARK: The 2025 set (Circular 03/2025/TT-VPCP, Phụ lục I)

    @Test("the 2025 set: 01 to 07 under their own titles, citing Circular 03/2025/TT-VPCP")
    func theSetOf2025() {
        let documents = Fixtures.all(.circular2025)
        #expect(documents.map(\.formNumber) == ["01", "02", "03", "04", "05", "06", "07"])
        #expect(documents.map { type(of: $0).form } == [.receipt, .supplementRequest, .refusal, .apology, .stopNotice,
                                                          .processingControl, .trackingBook])
        let dates = ["ngày 03 tháng 02 năm 2026", "ngày 03 tháng 02 năm 2026", "ngày 03 tháng 02 năm 2026", "ngày 05 tháng 02 năm 2026",
                     "ngày 04 tháng 02 năm 2026", "ngày 05 tháng 02 năm 2026", "ngày 09 tháng 02 năm 2026"]
        for (document, date) in zip(documents, dates) {
            expectCommonParts(document.html(), type(of: document).form, forms: .circular2025, issuedOn: date)
            let kept = document.dossierDocument()
            #expect(kept.circular == "03/2025/TT-VPCP" && kept.form == document.formNumber)
        }
        #expect(Fixtures.processingControl(forms: .circular2025).html().contains("Số: 06/2026/000.00.07.H26-9"))
        #expect(Fixtures.trackingBook(forms: .circular2025).html().contains("Quyển số: 07/2026/000.00.07.H26-1"))
        // The 2018 set's own: its circular on every document, the control slip 05, the book 06.
        for document in Fixtures.all(.circular2018) {
            #expect(document.dossierDocument().circular == "01/2018/TT-VPCP")
        }
        #expect(Fixtures.all(.circular2018).map(\.formNumber) == ["01", "02", "03", "04", "05", "06"])
    }

    @Test("04 of 2025: the apology asks to extend the time; 04 of 2018 names the new date")
    func apologyOfEachSet() {
        let of2025 = Fixtures.apology(forms: .circular2025).html()
        #expect(of2025.contains("<h1>VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT</h1>"))
        #expect(of2025.contains("xin lỗi Ông/Bà và đề nghị gia hạn thời gian giải quyết hồ sơ đến <b>10 giờ 00 phút, ngày 09 tháng 02 năm 2026</b>"))
        let of2018 = Fixtures.apology().html()
        #expect(of2018.contains("<h1>PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ</h1>") && !of2018.contains("gia hạn"))
    }

    @Test("05 of 2025: the notice that processing stopped, with the receipt code, procedure, dates and reason")
    func stopNotice05() {
        let html = Fixtures.stopNotice().html()
        expectCommonParts(html, .stopNotice, forms: .circular2025, issuedOn: "ngày 04 tháng 02 năm 2026")
        for fact in [
            "<h1>THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ</h1>", "Mã hồ sơ: <b>000.00.07.H26-260203-0042</b>",
            "Kính gửi: Ông/Bà <b>Nguyễn Thị Minh Hằng</b>",
            "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam (mã thủ tục 2.000488)",
            "Thời gian nhận hồ sơ:</span> <span class=\"value\">08 giờ 05 phút, ngày 03 tháng 02 năm 2026",
            "Thời gian đề nghị dừng giải quyết:</span> <span class=\"value\">08 giờ 05 phút, ngày 04 tháng 02 năm 2026",
            "<p class=\"reason\">Tôi không còn nhu cầu cấp Phiếu lý lịch tư pháp.</p>",
            "thông báo dừng giải quyết hồ sơ nêu trên kể từ 08 giờ 05 phút, ngày 04 tháng 02 năm 2026",
            "Trần Văn Bình", "Số: 05/2026/000.00.07.H26-4",
        ] {
            #expect(html.contains(fact), "lacks \(fact)")
        }
        // No reason given: the request itself is the reason.
        #expect(Fixtures.stopNotice(reason: "  ").html().contains("<p class=\"reason\">Theo đề nghị của người nộp hồ sơ.</p>"))
        // Always of the 2025 set: the 2018 set has no such form.
        #expect(Fixtures.stopNotice().forms == .circular2025 && OneStopFormSet.circular2018.number(of: .stopNotice) == nil)
        // What a citizen typed is escaped.
        #expect(Fixtures.stopNotice(reason: Fixtures.hostile).html().contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
    }
}
