import DVCProto
@testable import DossierService
import Foundation
import OneStop
import Testing

/// "{form}/{year}/{agency code}-{sequence}", the form numbered by its set.
@Suite struct DocumentNumberTests {
    @Test func theFormat() {
        #expect(DocumentNumber(form: "01", year: 2026, agencyCode: "000.00.20.H26", sequence: 17).description
            == "01/2026/000.00.20.H26-17")
        #expect(DocumentNumber(form: "07", year: 2027, agencyCode: "000.00.07.H26", sequence: 1).description
            == "07/2027/000.00.07.H26-1")
    }

    /// The year is Vietnam's: a document issued at 00:30 on 1 January local time is numbered in the new year.
    @Test func theYearOfTheIssueInUTCPlus7() {
        let newYear = Date(timeIntervalSince1970: 1_767_202_200)
        #expect(DocumentNumber(form: "04", issuedAt: newYear, agencyCode: "000.00.20.H26", sequence: 3).description
            == "04/2026/000.00.20.H26-3")
        #expect(DocumentNumber(form: "04", issuedAt: newYear.addingTimeInterval(-3600), agencyCode: "000.00.20.H26",
                               sequence: 3).description == "04/2025/000.00.20.H26-3")
    }

    @Test func parsing() {
        let number = DocumentNumber("05/2026/000.00.20.H26-123")
        #expect(number == DocumentNumber(form: "05", year: 2026, agencyCode: "000.00.20.H26", sequence: 123))
        // 07 is the 2025 set's book; 08 and 00 are in neither set.
        #expect(DocumentNumber("07/2026/000.00.20.H26-1")?.form == "07")
        for bad in ["", "08/2026/000.00.20.H26-1", "00/2026/000.00.20.H26-1", "7/2026/000.00.20.H26-1",
                    "01/26/000.00.20.H26-1", "01/2026/000.00.20.H26", "01/2026/-1",
                    "01/2026/000.00.20.H26-0", "01/2026/000.00.20.H26-01", "01/2026/000.00.20.H26-x", "1/2026/A-1"] {
            #expect(DocumentNumber(bad) == nil, "\(bad)")
        }
        for form in ["01", "02", "03", "04", "05", "06", "07"] {
            let number = DocumentNumber(form: form, year: 2026, agencyCode: "000.00.20.H26", sequence: 9)
            #expect(DocumentNumber(number.description) == number)
        }
    }

    /// Each document is numbered from its set's number for its form, its issue time and its
    /// agency, and kept as a DossierDocument with its set's circular.
    @Test("each document carries its number in both sets", arguments: OneStopFormSet.allCases)
    func eachDocumentCarriesItsNumber(forms: OneStopFormSet) {
        let documents = DocumentFixtures.all(forms)
        let expected = forms == .circular2025
            ? ["01/2026/000.00.07.H26-17", "02/2026/000.00.07.H26-3", "03/2026/000.00.07.H26-5", "04/2026/000.00.07.H26-2",
               "05/2026/000.00.07.H26-4", "06/2026/000.00.07.H26-9", "07/2026/000.00.07.H26-1"]
            : ["01/2026/000.00.07.H26-17", "02/2026/000.00.07.H26-3", "03/2026/000.00.07.H26-5", "04/2026/000.00.07.H26-2",
               "05/2026/000.00.07.H26-9", "06/2026/000.00.07.H26-1"]
        #expect(documents.map(\.number.description) == expected)
        for (document, number) in zip(documents, expected) {
            let kept = document.dossierDocument()
            #expect(kept.form == number.prefix(2).description)
            #expect(kept.circular == forms.circular)
            #expect(kept.oneStopForm == type(of: document).form)
            #expect(kept.number == number)
            #expect(kept.mediaType == "text/html; charset=utf-8")
            #expect(kept.issuedAtUnixMs == Int64(document.issuedAt.timeIntervalSince1970 * 1000))
            #expect(String(decoding: kept.content, as: UTF8.self) == document.html())
            #expect(document.html().contains("Số: \(number)"))
        }
    }
}

/// The two sets of one-stop forms: Circular 01/2018/TT-VPCP and 03/2025/TT-VPCP (Phụ lục I).
@Suite struct OneStopFormSetTests {
    @Test func theFormsOfEachCircular() {
        let of2018 = OneStopFormSet.circular2018
        let of2025 = OneStopFormSet.circular2025
        #expect(of2018.forms.compactMap(of2018.number) == ["01", "02", "03", "04", "05", "06"])
        #expect(of2025.forms.compactMap(of2025.number) == ["01", "02", "03", "04", "05", "06", "07"])
        #expect(of2018.forms.map(of2018.name) == [
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
            "Phiếu kiểm soát quá trình giải quyết hồ sơ", "Sổ theo dõi hồ sơ",
        ])
        #expect(of2025.forms.map(of2025.name) == [
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
            "Thông báo dừng giải quyết hồ sơ", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "Sổ theo dõi hồ sơ",
        ])
        // The same number, another form: only the circular tells them apart.
        #expect(of2018.form(number: "05") == .processingControl && of2025.form(number: "05") == .stopNotice)
        #expect(of2018.form(number: "06") == .trackingBook && of2025.form(number: "06") == .processingControl)
        #expect(of2018.form(number: "07") == nil && of2025.form(number: "07") == .trackingBook)
        for bad in ["", "00", "08", "5", "005", "٠٥"] { #expect(of2025.form(number: bad) == nil, "\(bad)") }
        #expect(of2018.number(of: .stopNotice) == nil)
        #expect(of2018.citation == "Thông tư số 01/2018/TT-VPCP" && of2025.citation == "Thông tư số 03/2025/TT-VPCP")
        #expect(OneStopFormSet(circular: "01/2018/TT-VPCP") == of2018 && OneStopFormSet(circular: "03/2025/TT-VPCP") == of2025)
        // Kept before the circular was recorded: the 2018 set, the only one then.
        #expect(OneStopFormSet(circular: "") == of2018)
        #expect(OneStopFormSet(circular: "02/2025/TT-VPCP") == nil)
    }

    /// What the citizen's views list: everything but the control slip, read in its own set.
    @Test func theControlSlipIsHiddenInBothSets() {
        func document(_ form: String, _ circular: String) -> DossierV1.DossierDocument {
            var document = DossierV1.DossierDocument()
            document.form = form
            document.circular = circular
            return document
        }
        #expect(!document("05", "01/2018/TT-VPCP").isForCitizens)
        #expect(!document("05", "").isForCitizens)
        #expect(document("05", "03/2025/TT-VPCP").isForCitizens)
        #expect(!document("06", "03/2025/TT-VPCP").isForCitizens)
        for form in ["01", "02", "03", "04"] {
            #expect(document(form, "01/2018/TT-VPCP").isForCitizens && document(form, "03/2025/TT-VPCP").isForCitizens)
        }
        // A circular or number this release cannot read is not shown rather than shown wrongly.
        #expect(!document("05", "09/2030/TT-VPCP").isForCitizens && !document("09", "03/2025/TT-VPCP").isForCitizens)
        #expect(document("05", "03/2025/TT-VPCP").oneStopName == "Thông báo dừng giải quyết hồ sơ")
        #expect(OneStopNames.document("05", circular: "01/2018/TT-VPCP") == "Phiếu kiểm soát quá trình giải quyết hồ sơ")
        #expect(OneStopNames.document("04", circular: "03/2025/TT-VPCP") == "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết")
        #expect(OneStopNames.document("09", circular: "03/2025/TT-VPCP") == "Mẫu số 09")
    }

    @Test("one_stop_forms: 2025 by default, 2018 when asked; anything else stops the service naming the setting")
    func theSetting() throws {
        #expect(try OneStopFormSetting.parse([:]) == .circular2025)
        #expect(try OneStopFormSetting.parse(["one_stop_forms": ""]) == .circular2025)
        #expect(try OneStopFormSetting.parse(["one_stop_forms": "2025"]) == .circular2025)
        #expect(try OneStopFormSetting.parse(["one_stop_forms": "2018"]) == .circular2018)
        for bad in ["2019", "03/2025/TT-VPCP", " 2025", "circular2025", "2018\n"] {
            do {
                _ = try OneStopFormSetting.parse(["one_stop_forms": bad])
                Issue.record("one_stop_forms=\(bad) was accepted")
            } catch {
                #expect("\(error)".contains("one_stop_forms"), "\(error)")
            }
        }
    }
}
