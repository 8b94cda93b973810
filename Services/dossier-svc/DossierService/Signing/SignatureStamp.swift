import Foundation

/// The verification block printed at the foot of every signed one-stop document: the QR code
/// of `<public_url>/xac-minh/<code>`, the link and the code in text beside it. It is part of
/// the page before the page is signed (the code is allocated first), so what is signed is
/// exactly what is printed. The QR code sits beside the text in a presentation table rather than a
/// flex box or a float: WeasyPrint, which draws the PDF, let the code cover the text in both.
enum SignatureStamp {
    /// `html` with the block inserted at the end of its sheet (before `</main>`, else before the
    /// last `</div>` ahead of `</body>`), or at the end if the page has no such place.
    static func stamp(_ html: Data, link: String, code: String, issuer: String) -> Data {
        let page = String(decoding: html, as: UTF8.self)
        let qr = QRCodeSVG.svg(link, label: "Mã QR xác minh văn bản: \(link)") ?? ""
        let block = """
            <div class="verification" style="margin-top:8mm;border-top:1px solid #000;padding-top:3mm;page-break-inside:avoid;font-size:11pt">
            <table role="presentation" style="border:0;border-collapse:collapse;width:100%;margin:0"><tr>
            <td style="border:0;padding:0 4mm 0 0;width:30mm;vertical-align:middle">\(qr)</td>
            <td style="border:0;padding:0;vertical-align:middle;overflow-wrap:anywhere"><p style="margin:0">Văn bản điện tử do \(HTML.escape(issuer)) ký số.</p>
            <p style="margin:0">Xác minh tại: <a href="\(HTML.escape(link))">\(HTML.escape(link))</a></p>
            <p style="margin:0">Mã xác minh: <b>\(HTML.escape(code))</b></p></td>
            </tr></table>
            </div>

            """
        // The sheet is the page's <main> (its last element closes before </body>); a page
        // without one ends its sheet with its last </div>.
        if let body = page.range(of: "</body>", options: .backwards),
           let sheetEnd = page.range(of: "</main>", options: .backwards, range: page.startIndex..<body.lowerBound)
            ?? page.range(of: "</div>", options: .backwards, range: page.startIndex..<body.lowerBound) {
            var stamped = page
            stamped.insert(contentsOf: block, at: sheetEnd.lowerBound)
            return Data(stamped.utf8)
        }
        return Data((page + block).utf8)
    }
}
