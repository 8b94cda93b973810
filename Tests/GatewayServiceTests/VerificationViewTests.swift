import DVCProto
import Foundation
@testable import GatewayWeb
import Testing

/// What the portal prints about signed documents (docs/signatures.md): the verification page's
/// status words for each status, everything escaped, no personal data beyond the record; the
/// citizen's result with its verification code. The pages over HTTP are
/// IntegrationTests/SignedDocumentsTests.
@Suite struct VerificationViewTests {
    static func record(_ status: DossierV1.SignatureStatus) -> DossierV1.Verification {
        var record = DossierV1.Verification()
        record.code = "ABCDEFGHJKMN"
        record.issuerAgencyCode = "000.00.20.H26"
        record.issuerAgencyName = "Sở <Tư> pháp"
        record.documentType = "Kết quả giải quyết"
        record.receiptCode = "000.00.20.H26-261207-0001"
        record.signedAtUnixMs = 1_796_630_400_000
        record.status = status
        var rendition = DossierV1.SignedRendition()
        rendition.mediaType = "application/pdf"
        rendition.sha256Hex = String(repeating: "ab", count: 32)
        record.renditions = [rendition]
        var certificate = DossierV1.SigningCertificateInfo()
        certificate.subject = "CN=000.00.20.H26,O=Sở Tư pháp,C=VN"
        certificate.serialHex = "0A1B"
        record.certificate = certificate
        return record
    }

    @Test("each status in Vietnamese: valid, replaced (linked), annulled (date and reason), signed after revocation")
    func statuses() {
        #expect(VerificationPage.statusText(Self.record(.valid)) == "Hợp lệ")
        var replaced = Self.record(.replaced)
        replaced.replacedBy = "ZZZZZZZZZZZZ"
        let replacedPage = VerificationPage.html(replaced, comparison: nil)
        #expect(replacedPage.contains("Đã được thay thế bởi văn bản mã ZZZZZZZZZZZZ") && replacedPage.contains("href=\"/xac-minh/ZZZZZZZZZZZZ\""))
        var annulled = Self.record(.annulled)
        annulled.annulledAtUnixMs = 1_796_630_400_000
        annulled.annulReason = "<b>nhầm</b>"
        let annulledPage = VerificationPage.html(annulled, comparison: nil)
        #expect(annulledPage.contains("Đã bị thu hồi ngày") && annulledPage.contains("&lt;b&gt;nhầm&lt;/b&gt;"))
        #expect(VerificationPage.statusText(Self.record(.certificateRevoked)).hasPrefix("Không hợp lệ"))
        let page = VerificationPage.html(Self.record(.valid), comparison: nil)
        #expect(page.contains("Sở &lt;Tư&gt; pháp") && !page.contains("Sở <Tư> pháp"))
        #expect(page.contains("<h1>") && page.contains("<label for=\"tep\">") && page.contains("<label for=\"sha256\">"))
    }

    @Test("a comparison: matching, not matching, refused")
    func comparisons() {
        let record = Self.record(.valid)
        let digest = record.renditions[0].sha256Hex
        #expect(VerificationPage.html(record, comparison: .digest(digest, fileName: "kq.pdf")).contains("Tài liệu khớp với bản đã ký"))
        #expect(VerificationPage.html(record, comparison: .digest(String(repeating: "0", count: 64), fileName: nil))
            .contains("Tài liệu KHÔNG khớp – đã bị thay đổi"))
        #expect(VerificationPage.html(record, comparison: .refused("Vui lòng chọn tệp")).contains("Vui lòng chọn tệp"))
    }

    @Test("the citizen's result shows its verification code, linked; none without one")
    func citizensResult() {
        var dossier = DossierV1.Dossier()
        dossier.id = "d1"
        dossier.state = .processed
        var result = DossierV1.Attachment()
        result.id = "f1"
        result.name = "ket-qua.pdf"
        dossier.resultDocument = result
        var view = DossierView(dossier: dossier, history: [], payments: [], procedureName: "P", agencyName: "A", procedure: nil,
                               csrfInput: "", paymentKey: "k", resultVerificationCode: "ABCDEFGHJKMN")
        #expect(view.html(notice: nil, error: nil).contains("<a href=\"/xac-minh/ABCDEFGHJKMN\">ABCDEFGHJKMN</a>"))
        view.resultVerificationCode = ""
        #expect(!view.html(notice: nil, error: nil).contains("/xac-minh/"))
    }
}
