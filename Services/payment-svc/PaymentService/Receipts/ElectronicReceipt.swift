import DVCProto
import Foundation
import Storage

/// The electronic receipt (biên lai điện tử) of a paid fee: numbered "BL/{year}/{agency}-{n}"
/// from the agency's sequence of the year (local, UTC+7), taken and stored in the transaction
/// that records the payment, so a number is never given twice nor skipped by a crash.
enum ElectronicReceipt {
    static let mediaType = "text/html; charset=utf-8"

    /// Takes the next number, renders the receipt, stores it, and returns the number.
    static func issue(for payment: PaymentV1.Payment, atMs: Int64, _ db: any SQLConnection) throws -> String {
        let issuedAt = Date(timeIntervalSince1970: Double(atMs) / 1000)
        let year = Self.year(of: issuedAt)
        // The previous value named by its table: both dialects read it so in an upsert.
        let sequence = try Int.fetchOne(db, sql: """
            INSERT INTO receipt_sequence (agency_code, year, last) VALUES (?, ?, 1)
            ON CONFLICT (agency_code, year) DO UPDATE SET last = receipt_sequence.last + 1
            RETURNING last
            """, arguments: [payment.agencyCode, year]) ?? 1
        let number = "BL/\(year)/\(payment.agencyCode)-\(sequence)"
        try db.execute(sql: "INSERT INTO receipt (number, payment_id, issued_at_ms, content) VALUES (?, ?, ?, ?)",
                       arguments: [number, payment.id, atMs, Data(html(payment, number: number, issuedAt: issuedAt).utf8)])
        return number
    }

    static func year(of date: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        return calendar.component(.year, from: date)
    }

    /// 1234567 → "1.234.567 đồng".
    static func amount(_ vnd: Int64) -> String {
        let digits = Array(String(vnd))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(".") }
            out.append(digit)
        }
        return out + " đồng"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func html(_ payment: PaymentV1.Payment, number: String, issuedAt: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "vi_VN")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "HH:mm 'ngày' dd/MM/yyyy"
        let lines = payment.feeLines.map { line in
            "<tr><td>\(escape(line.description))</td><td>\(line.quantity)</td><td class=\"so\">\(amount(line.subtotalVnd))</td></tr>"
        }.joined()
        return """
            <!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Biên lai \(escape(number))</title>
            <style>body{font-family:"Times New Roman",serif;max-width:180mm;margin:auto}td,th{border:1px solid #000;padding:4px}
            table{border-collapse:collapse;width:100%}.so{text-align:right}</style></head><body>
            <p style="text-align:center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập - Tự do - Hạnh phúc</b></p>
            <h1 style="text-align:center">BIÊN LAI THU PHÍ, LỆ PHÍ</h1>
            <p style="text-align:center">Số: \(escape(number))</p>
            <p>Đơn vị thu: \(escape(payment.agencyCode))</p>
            <p>Người nộp: công dân có số định danh \(escape(payment.applicantId))</p>
            <p>Hồ sơ: \(escape(payment.dossierId)) — thủ tục \(escape(payment.procedureCode))</p>
            <table><tr><th>Nội dung</th><th>Số lượng</th><th>Số tiền</th></tr>\(lines)
            <tr><th colspan="2">Tổng cộng</th><th class="so">\(amount(payment.amountVnd))</th></tr></table>
            \(payment.category.isEmpty ? "" : "<p>Đối tượng: \(escape(payment.category)) — căn cứ: \(escape(payment.legalGround))\(payment.evidence.isEmpty ? "" : "; giấy tờ: \(escape(payment.evidence))")</p>")
            <p>Hình thức thanh toán: \(payment.provider == PaymentLedger.counterProvider
                ? "nộp tại quầy, cán bộ thu \(escape(payment.recordedBy))"
                : "trực tuyến qua \(escape(payment.provider.uppercased())), mã giao dịch \(escape(payment.providerTransactionId))")</p>
            <p>Thời gian: \(formatter.string(from: issuedAt))</p>
            </body></html>
            """
    }
}
