import DVCProto
import DossierService
import Foundation
import Testing

/// "{form}/{year}/{agency code}-{sequence}".
@Suite struct DocumentNumberTests {
    @Test func theFormat() {
        #expect(DocumentNumber(form: .receipt, year: 2026, agencyCode: "000.00.20.H26", sequence: 17).description
            == "01/2026/000.00.20.H26-17")
        #expect(DocumentNumber(form: .trackingBook, year: 2027, agencyCode: "000.00.07.H26", sequence: 1).description
            == "06/2027/000.00.07.H26-1")
    }

    /// The year is Vietnam's: a document issued at 00:30 on 1 January local time is numbered in the new year.
    @Test func theYearOfTheIssueInUTCPlus7() {
        let newYear = Date(timeIntervalSince1970: 1_767_202_200)
        #expect(DocumentNumber(form: .apology, issuedAt: newYear, agencyCode: "000.00.20.H26", sequence: 3).description
            == "04/2026/000.00.20.H26-3")
        #expect(DocumentNumber(form: .apology, issuedAt: newYear.addingTimeInterval(-3600), agencyCode: "000.00.20.H26",
                               sequence: 3).description == "04/2025/000.00.20.H26-3")
    }

    @Test func parsing() {
        let number = DocumentNumber("05/2026/000.00.20.H26-123")
        #expect(number == DocumentNumber(form: .processingControl, year: 2026, agencyCode: "000.00.20.H26", sequence: 123))
        for bad in ["", "07/2026/000.00.20.H26-1", "01/26/000.00.20.H26-1", "01/2026/000.00.20.H26", "01/2026/-1",
                    "01/2026/000.00.20.H26-0", "01/2026/000.00.20.H26-01", "01/2026/000.00.20.H26-x", "1/2026/A-1"] {
            #expect(DocumentNumber(bad) == nil, "\(bad)")
        }
        for form in OneStopForm.allCases {
            let number = DocumentNumber(form: form, year: 2026, agencyCode: "000.00.20.H26", sequence: 9)
            #expect(DocumentNumber(number.description) == number)
        }
    }

    @Test func theFormsOfTheCircular() {
        #expect(OneStopForm.allCases.map(\.rawValue) == ["01", "02", "03", "04", "05", "06"])
        #expect(OneStopForm.allCases.map(\.label) == ["Mẫu số 01", "Mẫu số 02", "Mẫu số 03", "Mẫu số 04", "Mẫu số 05", "Mẫu số 06"])
    }

    /// Each document is numbered from its form, its issue time and its agency, and kept as a DossierDocument.
    @Test func eachDocumentCarriesItsNumber() {
        let documents: [any OneStopDocument] = [
            DocumentFixtures.receipt(), DocumentFixtures.supplementRequest(), DocumentFixtures.refusal(),
            DocumentFixtures.apology(), DocumentFixtures.processingControl(), DocumentFixtures.trackingBook(),
        ]
        let expected = ["01/2026/000.00.07.H26-17", "02/2026/000.00.07.H26-3", "03/2026/000.00.07.H26-5",
                        "04/2026/000.00.07.H26-2", "05/2026/000.00.07.H26-9", "06/2026/000.00.07.H26-1"]
        #expect(documents.map(\.number.description) == expected)
        for (document, number) in zip(documents, expected) {
            let kept = document.dossierDocument()
            #expect(kept.form == number.prefix(2).description)
            #expect(kept.number == number)
            #expect(kept.mediaType == "text/html; charset=utf-8")
            #expect(kept.issuedAtUnixMs == Int64(document.issuedAt.timeIntervalSince1970 * 1000))
            #expect(String(decoding: kept.content, as: UTF8.self) == document.html())
            #expect(document.html().contains("Số: \(number)"))
        }
    }
}
