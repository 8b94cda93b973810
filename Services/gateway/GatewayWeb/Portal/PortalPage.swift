import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The portal's page frame: Vietnamese, readable on a phone, working without JavaScript, every
/// value escaped where it is put into the page (`PortalPage.escape`).
enum PortalPage {
    /// `text` safe between tags and inside quoted attributes. Works on the UTF-8 bytes, not on
    /// characters: a quote followed by a combining mark is one `Character` in Swift (and was
    /// let through when this compared characters), but to the browser it is still a quote that
    /// ends the attribute. Text with nothing to escape — most of it — is returned as it is
    /// (the character-by-character loop was half of a procedure page's time, by perf).
    static func escape(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes -> String? in
            guard bytes.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 16)
            for byte in bytes {
                switch byte {
                case 0x26: out += "&amp;".utf8
                case 0x3C: out += "&lt;".utf8
                case 0x3E: out += "&gt;".utf8
                case 0x22: out += "&quot;".utf8
                case 0x27: out += "&#39;".utf8
                default: out.append(byte)
                }
            }
            return String(decoding: out, as: UTF8.self)
        } ?? text
    }

    /// The policy of every page, the console's too: no script but the portal's own file (an
    /// injected one would not run even if escaping failed), forms posted only to the gateway
    /// itself (injected markup cannot send a page's fields, its CSRF token among them, to another
    /// site), no framing by anyone (clickjacking). Leaving for the payment provider is therefore
    /// a link the citizen follows, not a form answered with a redirect to the provider.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    /// What every page is sent with: the policy above, no referrer to other sites (a tracking
    /// PIN can be in a URL), no caching of personal pages.
    static let securityHeaders: HTTPFields = [
        .contentType: "text/html; charset=utf-8",
        .contentSecurityPolicy: contentSecurityPolicy,
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
        .cacheControl: "no-store",
    ]

    /// A whole page; `body` is HTML already escaped by its builder.
    static func response(title: String, body: String, status: HTTPResponse.Status = .ok,
                         header: String = citizensHeader) -> Response {
        Response(status: status, headers: securityHeaders, body: .init(byteBuffer: page(title: title, body: body, header: header)))
    }

    /// The citizens' portal header and navigation.
    static let citizensHeader = """
        <header><a class="brand" href="/">Cổng dịch vụ công trực tuyến</a>
        <nav><a href="/">Thủ tục</a><a href="/tra-cuu-ho-so">Tra cứu hồ sơ</a><a href="/thong-ke">Thống kê</a><a href="/chi-so-phuc-vu">Chỉ số phục vụ</a><a href="/ho-so-cua-toi">Hồ sơ của tôi</a><a href="/ho-so-nhap">Hồ sơ nháp</a><a href="/hop-thu">Hộp thư</a></nav></header>
        """

    /// A whole page's bytes, for a page kept once built (`EncodedAnswers`). `header`: the
    /// citizens' header, or the console's (officers do not get the citizens' navigation).
    static func page(title: String, body: String, header: String = citizensHeader) -> ByteBuffer {
        let html = """
            <!DOCTYPE html>
            <html lang="vi">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) — Dịch vụ công trực tuyến</title>
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#1b1b1b;line-height:1.5}
            header{background:#a50e0e;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center}
            header a{color:#fff;text-decoration:none}header .brand{font-weight:700;margin-right:auto}header nav{display:flex;flex-wrap:wrap;gap:.3rem 1rem;font-size:.95rem}
            main{max-width:52rem;margin:0 auto;padding:1rem}
            form.search{display:flex;gap:.5rem;flex-wrap:wrap}form.search input{flex:1 1 16rem;padding:.6rem;font-size:1rem;width:auto}
            details.filters{flex:1 1 100%}details.filters summary{cursor:pointer;color:#a50e0e}
            ul.agencies{list-style:none;padding:0}.depth1{padding-left:1.2rem}.depth2{padding-left:2.4rem}.depth3{padding-left:3.6rem}
            form.inline-filter{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap;margin-bottom:.75rem}form.inline-filter select{width:auto}
            button{padding:.6rem 1rem;font-size:1rem;background:#a50e0e;color:#fff;border:0;border-radius:4px}
            .level{display:inline-block;padding:0 .4rem;border-radius:3px;font-size:.85rem;background:#eee}
            .level.l3{background:#fff3cd}.level.l4{background:#d1e7dd}
            table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}
            li{margin:.2rem 0}footer{color:#666;font-size:.85rem;padding:1rem;text-align:center}
            input,select,textarea{font:inherit;padding:.45rem;border:1px solid #888;border-radius:4px;max-width:100%;box-sizing:border-box}
            input[type=text],input[type=email],input[type=tel],input[type=password],input[type=search],select,textarea{width:100%}
            .field{margin:.6rem 0}fieldset{border:1px solid #ccc;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}legend{font-weight:600;padding:0 .3rem}
            .error{color:#b00020;font-weight:600;margin:.2rem 0}[aria-invalid=true]{border:2px solid #b00020}
            .notice{background:#e7f3ec;border-left:4px solid #2e7d32;padding:.5rem .75rem}
            a.button{display:inline-block;padding:.45rem .9rem;background:#a50e0e;color:#fff;border-radius:4px;text-decoration:none}
            button.secondary{background:#555}.hint,small,.meta{color:#555}abbr{color:#b00020;text-decoration:none}
            .message{border-bottom:1px solid #ddd;padding:.4rem 0}.message.unread h2{color:#a50e0e}.message h2{font-size:1.05rem;margin:.2rem 0}
            .badge{background:#a50e0e;color:#fff;border-radius:3px;padding:0 .3rem;font-size:.8rem}form.inline{display:inline}
            .scroll,.table-wrap{overflow-x:auto}.table-wrap td{overflow-wrap:anywhere}td.n{text-align:right}h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:1.5rem}
            @media print{header nav,footer,form,button,.actions a{display:none}header{background:none;color:#000}header a{color:#000}}
            </style>
            <script src="\(PortalScript.path)" defer></script>
            </head>
            <body>
            \(header)
            <main>
            \(body)
            </main>
            <footer>Dịch vụ công trực tuyến — thông tin thủ tục hành chính, nộp hồ sơ và thanh toán trực tuyến.</footer>
            </body>
            </html>
            """
        return ByteBuffer(string: html)
    }

    /// What a citizen can do online at that level.
    static func levelMeaning(_ level: UInt32) -> String {
        switch level {
        case 0, 1: "Xem thông tin thủ tục; nộp hồ sơ trực tiếp tại cơ quan."
        case 2: "Tải biểu mẫu về, điền và nộp hồ sơ trực tiếp tại cơ quan."
        case 3: "Nộp hồ sơ, bổ sung, rút và theo dõi hồ sơ trực tuyến; nộp phí và nhận kết quả tại cơ quan."
        default: "Nộp hồ sơ, thanh toán phí và nhận kết quả hoàn toàn trực tuyến."
        }
    }
}
