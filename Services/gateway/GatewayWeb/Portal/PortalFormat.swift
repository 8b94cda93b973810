import Foundation

/// How the portal writes times, money and sizes, in Vietnamese conventions and Hà Nội time.
enum PortalFormat {
    /// "09:30, 15/12/2026" in Hà Nội time (UTC+7, no daylight saving).
    static func dateTime(_ unixMs: Int64) -> String {
        guard unixMs > 0 else { return "—" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "vi_VN")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "HH:mm, dd/MM/yyyy"
        return formatter.string(from: Date(timeIntervalSince1970: Double(unixMs) / 1000))
    }

    /// "15/12/2026" in Hà Nội time; "—" for none.
    static func date(_ unixMs: Int64) -> String {
        guard unixMs > 0 else { return "—" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "vi_VN")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "dd/MM/yyyy"
        return formatter.string(from: Date(timeIntervalSince1970: Double(unixMs) / 1000))
    }

    /// A form value as Vietnamese write it: a date input's "2026-12-15" as "15/12/2026", a
    /// date-and-time input's "2026-12-15T09:30" as "09:30, 15/12/2026"; anything else as typed.
    static func formValue(_ value: String) -> String {
        let text = value.trimmingCharacters(in: .whitespaces)
        let bytes = Array(text.utf8)
        func isDigit(_ i: Int) -> Bool { i < bytes.count && (48...57).contains(bytes[i]) }
        guard bytes.count >= 10, [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy(isDigit), bytes[4] == 45, bytes[7] == 45 else { return value }
        let year = String(text.prefix(4)), month = String(text.dropFirst(5).prefix(2)), day = String(text.dropFirst(8).prefix(2))
        guard let m = Int(month), (1...12).contains(m), let d = Int(day), (1...31).contains(d) else { return value }
        if bytes.count == 10 { return "\(day)/\(month)/\(year)" }
        if bytes.count >= 16, bytes[10] == 84 || bytes[10] == 32, isDigit(11), isDigit(12), bytes[13] == 58, isDigit(14), isDigit(15) {
            return "\(text.dropFirst(11).prefix(5)), \(day)/\(month)/\(year)"
        }
        return value
    }

    /// "1.250.000 đồng": dots between thousands, as Vietnamese write amounts.
    static func money(_ amountVnd: Int64) -> String {
        let digits = String(amountVnd.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(".") }
            grouped.append(digit)
        }
        return "\(amountVnd < 0 ? "-" : "")\(grouped) đồng"
    }

    /// "120 KB", "3,4 MB".
    static func size(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) byte" }
        if bytes < 1024 * 1024 { return "\(bytes / 1024) KB" }
        let tenths = bytes * 10 / (1024 * 1024)
        return "\(tenths / 10),\(tenths % 10) MB"
    }
}
