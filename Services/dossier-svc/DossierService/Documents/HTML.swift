import Foundation
import OneStop

/// A fragment of HTML. Built by string interpolation in which every interpolated `String` is
/// escaped (a citizen who types `<script>` into a form field gets the text `<script>` on the
/// printed slip); only other `HTML` values are inserted as markup.
struct HTML: ExpressibleByStringInterpolation, CustomStringConvertible, Sendable {
    private(set) var markup: String

    init(stringLiteral literal: String) { markup = literal }
    init(stringInterpolation: StringInterpolation) { markup = stringInterpolation.markup }

    var description: String { markup }

    struct StringInterpolation: StringInterpolationProtocol {
        var markup = ""
        init(literalCapacity: Int, interpolationCount: Int) { markup.reserveCapacity(literalCapacity * 2) }
        mutating func appendLiteral(_ literal: String) { markup += literal }
        /// Text: escaped.
        mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text) }
        mutating func appendInterpolation(_ number: Int) { markup += String(number) }
        /// Markup: as it is.
        mutating func appendInterpolation(_ fragment: HTML) { markup += fragment.markup }
        mutating func appendInterpolation(_ fragments: [HTML]) { for fragment in fragments { markup += fragment.markup } }
    }

    /// `&`, `<`, `>`, `"` and `'` as character references (safe in text and in quoted
    /// attributes); NUL and other C0 controls but tab and line feed become U+FFFD.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\t", "\n": escaped.unicodeScalars.append(scalar)
            case "\r": break
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: escaped += "\u{FFFD}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}

// MARK: The parts every one-stop document shares

extension HTML {
    /// A whole printable page: A4 (portrait, or landscape for the tracking book), the form's
    /// number of the circular's appendix, the agency and document number on the left, the
    /// national heading and the place and date on the right, the title, then `body`. The sheet is
    /// the page's main landmark; on a screen narrower than the sheet it flows to the screen's
    /// width, so a phone never scrolls sideways (WCAG 2.1, 1.4.10; docs/accessibility.md).
    static func document(
        form: OneStopForm, forms: OneStopFormSet, agency: OneStopDocuments.Agency, number: DocumentNumber, issuedAt: Date,
        subtitle: HTML = "", landscape: Bool = false, body: HTML
    ) -> HTML {
        let label = "Mẫu số \(number.form)"
        let title = forms.name(of: form).uppercased(with: Locale(identifier: "vi_VN"))
        let parent: HTML = agency.parentName.isEmpty ? "" : "<div class=\"parent\">\(agency.parentName)</div>\n"
        return """
            <!DOCTYPE html>
            <html lang="vi">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(label): \(title) \(number.description)</title>
            <style>
            \(stylesheet(landscape: landscape))
            </style>
            </head>
            <body>
            <main class="page\(landscape ? " landscape" : "")">
            <p class="form-no"><b>\(label)</b> <span>(\(forms.citation))</span></p>
            <table class="heading">
            <tr>
            <td class="agency">
            \(parent)<div class="name">\(agency.name)</div>
            <div class="rule short"></div>
            <div class="number">Số: \(number.description)</div>
            </td>
            <td class="nation">
            <div class="republic">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div>
            <div class="motto">Độc lập - Tự do - Hạnh phúc</div>
            <div class="rule long"></div>
            <div class="place-date">\(agency.place.isEmpty ? "" : agency.place + ", ")\(VietnameseDateFormat.date(issuedAt))</div>
            </td>
            </tr>
            </table>
            <h1>\(title)</h1>
            \(subtitle)
            \(body)
            </main>
            </body>
            </html>

            """
    }

    /// The subtitle naming the dossier by its receipt code, with `note` on a line below it.
    static func receiptCodeSubtitle(_ receiptCode: String, note: HTML = "") -> HTML {
        "<p class=\"subtitle\">Mã hồ sơ: <b>\(receiptCode)</b>\(note)</p>"
    }

    /// "Label: value" on its own line; nothing when `value` is empty and `optional`.
    static func field(_ label: String, _ value: String, optional: Bool = false, strong: Bool = false) -> HTML {
        if optional && value.isEmpty { return "" }
        let shown: HTML = strong ? "<b>\(value)</b>" : "\(value)"
        return "<p class=\"field\"><span class=\"label\">\(label):</span> <span class=\"value\">\(shown)</span></p>\n"
    }

    /// The applicant's particulars, the lines the circular's forms ask for.
    static func applicant(_ applicant: OneStopDocuments.Applicant, label: String = "Ông/Bà") -> HTML {
        """
        \(field(label, applicant.name, strong: true))\
        \(field("Số định danh cá nhân", applicant.identityNumber, optional: true))\
        \(field("Địa chỉ", applicant.address, optional: true))\
        \(contact(applicant))
        """
    }

    /// "Số điện thoại: … – Thư điện tử: …" on one line (either may be missing; nothing if both are).
    static func contact(_ applicant: OneStopDocuments.Applicant) -> HTML {
        var parts: [HTML] = []
        if !applicant.phone.isEmpty {
            parts.append("<span class=\"label\">Số điện thoại:</span> <span class=\"value\">\(applicant.phone)</span>")
        }
        if !applicant.email.isEmpty {
            parts.append("<span class=\"label\">Thư điện tử:</span> <span class=\"value\">\(applicant.email)</span>")
        }
        switch parts.count {
        case 0: return ""
        case 1: return "<p class=\"field\">\(parts[0])</p>\n"
        default: return "<p class=\"field\">\(parts[0]) – \(parts[1])</p>\n"
        }
    }

    /// One signature block per entry: role in bold, the hint in italics, room to sign, the name.
    static func signatures(_ blocks: [(role: String, hint: String, name: String)]) -> HTML {
        let cells: [HTML] = blocks.map { block in
            """
            <td class="signature"><div class="role">\(block.role)</div>\
            <div class="hint">\(block.hint)</div><div class="signer">\(block.name)</div></td>

            """
        }
        return "<table class=\"signatures\"><tr>\n\(cells)</tr></table>\n"
    }

    /// A bordered table: a header row, then one row per entry of `rows` (one cell per column).
    /// On a screen narrower than its columns it scrolls inside its own box, which TAB reaches so
    /// the arrow keys scroll it (a register's columns cannot reflow into one: WCAG 1.4.10 lets a
    /// data table scroll on its own).
    static func grid(columns: [(title: String, width: String, centered: Bool)], rows: [[HTML]], empty: String) -> HTML {
        let head: [HTML] = columns.map { column in
            column.width.isEmpty ? "<th>\(column.title)</th>" : "<th style=\"width:\(column.width)\">\(column.title)</th>"
        }
        var body: [HTML] = rows.map { cells in
            let tds: [HTML] = zip(columns, cells).map { column, cell in
                column.centered ? "<td class=\"center\">\(cell)</td>" : "<td>\(cell)</td>"
            }
            return "<tr>\(tds)</tr>\n"
        }
        if rows.isEmpty { body = ["<tr><td class=\"empty\" colspan=\"\(columns.count)\">\(empty)</td></tr>\n"] }
        return """
            <div class="grid-wrap" role="region" tabindex="0" aria-label="Bảng (cuộn ngang nếu màn hình hẹp)">
            <table class="grid">
            <thead><tr>\(head)</tr></thead>
            <tbody>
            \(body)</tbody>
            </table>
            </div>

            """
    }

    /// A4 with the margins of Decree 30/2020/NĐ-CP (left 30 mm for binding), Times New Roman
    /// 13 pt; on screen, a white sheet of the same size.
    private static func stylesheet(landscape: Bool) -> HTML {
        let page: HTML = landscape
            ? "size: A4 landscape; margin: 15mm 15mm 15mm 20mm;"
            : "size: A4 portrait; margin: 20mm 15mm 20mm 30mm;"
        let sheet: HTML = landscape
            ? "width: 297mm; min-height: 210mm; padding: 15mm 15mm 15mm 20mm;"
            : "width: 210mm; min-height: 297mm; padding: 20mm 15mm 20mm 30mm;"
        return """
            @page { \(page) }
            html { font-family: "Times New Roman", "Liberation Serif", "Tinos", "DejaVu Serif", serif; font-size: 13pt; line-height: 1.3; color: #000; }
            body { margin: 0; }
            @media screen {
              body { background: #e8e8e8; padding: 8mm 0; }
              .page { \(sheet) box-sizing: border-box; margin: 0 auto; background: #fff; box-shadow: 0 0 3mm rgba(0,0,0,.25); }
            }
            @media print { .page { margin: 0; } }
            .form-no { text-align: right; font-size: 11pt; line-height: 1.2; margin: 0 0 3mm; }
            .form-no span { font-style: italic; font-size: 10pt; }
            table.heading { width: 100%; border-collapse: collapse; }
            table.heading td { vertical-align: top; text-align: center; padding: 0; }
            td.agency { width: 40%; }
            td.nation { width: 60%; }
            .parent { text-transform: uppercase; font-size: 12pt; }
            .name { text-transform: uppercase; font-weight: bold; font-size: 12pt; }
            .republic { font-weight: bold; font-size: 12pt; white-space: nowrap; }
            .motto { font-weight: bold; font-size: 13pt; }
            .rule { border-top: 1px solid #000; margin: 1mm auto 2mm; }
            .rule.short { width: 30%; }
            .rule.long { width: 58%; }
            .number { font-size: 13pt; }
            .place-date { font-style: italic; margin-top: 2mm; }
            h1 { text-align: center; font-size: 14pt; font-weight: bold; margin: 6mm 0 4mm; }
            .subtitle { text-align: center; margin: -3mm 0 4mm; }
            p { margin: 1.2mm 0; text-align: justify; }
            .value, .pre { white-space: pre-wrap; overflow-wrap: anywhere; }
            .indent { text-indent: 10mm; }
            .reason { white-space: pre-wrap; overflow-wrap: anywhere; margin-left: 10mm; font-style: italic; }
            ol.items { margin: 1mm 0 2mm; padding-left: 10mm; }
            ol.items li { white-space: pre-wrap; overflow-wrap: anywhere; }
            table.grid { width: 100%; table-layout: fixed; border-collapse: collapse; margin: 2mm 0 3mm; font-size: \(landscape ? "11pt" : "12pt"); }
            table.grid th, table.grid td { box-sizing: border-box; border: 1px solid #000; padding: 1.2mm 1.5mm; vertical-align: top; overflow-wrap: anywhere; }
            table.grid th { text-align: center; font-weight: bold; }
            table.grid td.center { text-align: center; }
            table.grid td.empty { text-align: center; font-style: italic; }
            table.grid tr { page-break-inside: avoid; }
            table.grid thead { display: table-header-group; }
            table.signatures { width: 100%; margin-top: 6mm; border-collapse: collapse; page-break-inside: avoid; }
            td.signature { vertical-align: top; text-align: center; }
            .signature .role { font-weight: bold; text-transform: uppercase; }
            .signature .hint { font-style: italic; font-size: 12pt; }
            .signature .signer { margin-top: 18mm; font-weight: bold; }
            .note { font-style: italic; font-size: 12pt; }
            /* A screen narrower than the sheet (a phone): the sheet flows to its width, last so it
               overrides the rules above. */
            @media screen and (max-width: \(landscape ? "300mm" : "215mm")) {
              body { padding: 0; }
              .page { width: auto; min-height: 0; padding: 4mm; box-shadow: none; }
              .republic { white-space: normal; }
              table.heading, table.heading tbody, table.heading tr, table.heading td { display: block; width: auto; }
              .page { overflow-wrap: anywhere; }
              .grid-wrap { overflow-x: auto; }
            }
            """
    }
}
