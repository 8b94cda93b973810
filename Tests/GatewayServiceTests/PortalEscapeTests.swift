@testable import GatewayDoor
@testable import GatewayWeb
import Testing

/// What goes into a page is escaped byte by byte, as the browser will read it.
@Suite struct PortalEscapeTests {
    @Test("the five characters are escaped, everything else kept, Vietnamese included")
    func escapes() {
        #expect(PortalPage.escape(#"<script>alert("x" & 'y')</script>"#)
                == "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;")
        #expect(PortalPage.escape("Đăng ký khai sinh — UBND Phường Phúc Xá") == "Đăng ký khai sinh — UBND Phường Phúc Xá")
        #expect(PortalPage.escape("") == "")
    }

    @Test("a quote or bracket followed by a combining mark is still escaped (one Character to Swift, a quote to the browser)")
    func combiningMarks() {
        let attack = "\"\u{0301} onmouseover=alert(1) x=\"\u{0301}"
        let escaped = PortalPage.escape(attack)
        #expect(!escaped.utf8.contains(0x22), "\(escaped)")
        #expect(escaped == "&quot;\u{0301} onmouseover=alert(1) x=&quot;\u{0301}")
        #expect(!PortalPage.escape("<\u{0338}script>").utf8.contains(0x3C))
        #expect(!PortalPage.escape("'\u{0300}").utf8.contains(0x27))
    }
}

/// Query strings and file names percent-encoded by their UTF-8 bytes.
@Suite struct PercentEncodingTests {
    @Test("ASCII letters, digits and the marks given stay; every other byte, Vietnamese included, is %XX")
    func encodes() {
        #expect(PercentEncoding.encode("000.01.20.H26", keeping: "-_.") == "000.01.20.H26")
        #expect(PercentEncoding.encode("khai sinh&x=1", keeping: "-_.") == "khai%20sinh%26x%3D1")
        #expect(PercentEncoding.encode("Đ", keeping: "-_.") == "%C4%90")
        #expect(PercentEncoding.encode("giấy-phép~1.pdf", keeping: "-._~") == "gi%E1%BA%A5y-ph%C3%A9p~1.pdf")
        #expect(PercentEncoding.encode("a~b", keeping: "-_.") == "a%7Eb")
    }
}
