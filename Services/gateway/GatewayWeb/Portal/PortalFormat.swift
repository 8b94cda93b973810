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
