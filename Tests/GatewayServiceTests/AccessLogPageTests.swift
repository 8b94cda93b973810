import DVCProto
@testable import GatewayDoor
@testable import GatewayWeb
import Testing

/// The "Ai đã xem hồ sơ của tôi" page's HTML, without a server: what each entry shows, in the
/// citizen's words, escaped.
@Suite struct AccessLogPageTests {
    @Test("each read shows when, who, the agency by name, the key, why and the file; every value escaped")
    func entries() {
        var entry = DossierV1.AccessEntry()
        entry.atUnixMs = 1_800_000_000_000
        entry.dossierId = "d-1\"><script>"
        entry.receiptCode = "000.00.20.H26-260115-0001"
        entry.reader = "officer:<b>tn</b>"
        entry.agencyCode = "000.00.20.H26"
        entry.apiKeyId = "k<1>"
        entry.method = "/dvc.gateway.v1.DossierService/GetFile"
        entry.fileName = "<script>alert(1)</script>.pdf"
        var log = DossierV1.ListAccessLogResponse()
        log.entries = [entry]
        let html = AccessLogPage.html(log, agencyNames: ["000.00.20.H26": "UBND Quận Ba Đình"])
        #expect(html.contains("Cán bộ &lt;b&gt;tn&lt;/b&gt;") && html.contains("UBND Quận Ba Đình (000.00.20.H26)"))
        #expect(html.contains("<code>k&lt;1&gt;</code>") && html.contains("Tải tệp của hồ sơ"))
        #expect(html.contains("Tệp: &lt;script&gt;alert(1)&lt;/script&gt;.pdf") && !html.contains("<script>"))
        #expect(html.contains("href=\"/ho-so/d-1&quot;&gt;&lt;script&gt;\""))
        #expect(html.contains("15:00, 15/01/2027"), "\(html)")
    }

    @Test("no reads yet: said plainly")
    func empty() {
        let html = AccessLogPage.html(DossierV1.ListAccessLogResponse(), agencyNames: [:])
        #expect(html.contains("Chưa có cán bộ hay hệ thống nào") && !html.contains("<table"))
    }
}
