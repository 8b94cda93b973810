import DVCProto
import DossierService
import Foundation
import Testing

/// Whatever a citizen or an officer types shows as text on every document: never as markup.
@Suite struct DocumentEscapingTests {
    typealias Fixtures = DocumentFixtures
    let hostile = Fixtures.hostile

    var hostileApplicant: OneStopDocuments.Applicant {
        .init(name: hostile, identityNumber: hostile, address: hostile, phone: hostile, email: hostile)
    }

    var hostileProcedure: OneStopDocuments.Procedure { .init(code: hostile, name: hostile) }

    func expectEscaped(_ html: String, atLeast count: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!html.contains("<script"), sourceLocation: sourceLocation)
        #expect(!html.contains("\"quoted\""), sourceLocation: sourceLocation)
        #expect(html.components(separatedBy: Fixtures.hostileEscaped).count - 1 >= count, sourceLocation: sourceLocation)
    }

    @Test func everyFormEscapesEveryValue() {
        var receipt = Fixtures.receipt(applicant: hostileApplicant, procedure: hostileProcedure, receiptCode: hostile)
        receipt.documents = [.init(name: hostile, kind: hostile, count: 1)]
        receipt.processingTime = hostile
        receipt.resultDelivery = hostile
        receipt.receiverName = hostile
        expectEscaped(receipt.html(), atLeast: 13)

        var supplement = Fixtures.supplementRequest(applicant: hostileApplicant, procedure: hostileProcedure,
                                                    missing: [hostile, hostile], reason: hostile)
        supplement.receiptCode = hostile
        supplement.officerName = hostile
        supplement.contactPhone = hostile
        expectEscaped(supplement.html(), atLeast: 11)

        var refusal = Fixtures.refusal(applicant: hostileApplicant, procedure: hostileProcedure, reason: hostile)
        refusal.receiptCode = hostile
        refusal.officerName = hostile
        expectEscaped(refusal.html(), atLeast: 9)

        var apology = Fixtures.apology(applicant: hostileApplicant, procedure: hostileProcedure, reason: hostile)
        apology.receiptCode = hostile
        apology.signerName = hostile
        expectEscaped(apology.html(), atLeast: 5)

        let step = OneStopDocuments.ProcessingControl.Step(actor: hostile, at: Fixtures.receivedAt, action: hostile,
                                                           result: hostile, note: hostile)
        var control = Fixtures.processingControl(applicant: hostileApplicant, procedure: hostileProcedure, steps: [step])
        control.receiptCode = hostile
        control.receiptNumber = hostile
        expectEscaped(control.html(), atLeast: 9)

        var book = Fixtures.trackingBook(entries: [.init(receiptCode: hostile, applicantName: hostile, procedureName: hostile,
                                                         receivedAt: nil, appointmentAt: nil, state: .submitted)])
        book.period = hostile
        expectEscaped(book.html(), atLeast: 4)
    }

    /// The agency's own strings are escaped too, in the heading and the title.
    @Test func theAgencyIsEscaped() {
        var receipt = Fixtures.receipt()
        receipt.agency = .init(name: hostile, code: "000.00.07.H26", parentName: hostile, place: hostile, unit: hostile)
        let html = receipt.html()
        expectEscaped(html, atLeast: 4)
    }

    /// Line breaks in a reason are kept (the reason's paragraph preserves white space), and
    /// control characters cannot break the page.
    @Test func multiLineReasonsAndControlCharacters() {
        let html = Fixtures.refusal(reason: "Thứ nhất: thiếu tờ khai.\nThứ hai: ảnh mờ.\u{0}\u{1B}").html()
        #expect(html.contains("<p class=\"reason\">Thứ nhất: thiếu tờ khai.\nThứ hai: ảnh mờ.\u{FFFD}\u{FFFD}</p>"))
        #expect(html.contains(".reason { white-space: pre-wrap;"))
    }
}
