import Foundation
import RPCCore

/// The period of an export: whole days in Hà Nội time (UTC+7, no daylight saving), `from` and
/// `to` both included, as the `from`/`to` query parameters give them (`2026-11-01`). At most
/// 366 days, so one export is at most a year of an agency and stays a download, not a backup.
struct ExportPeriod: Equatable, Sendable {
    /// [startMs, endMs) in Unix milliseconds.
    var startMs: Int64
    var endMs: Int64
    var from: String
    var to: String

    static let maxDays = 366
    static let zone = TimeZone(secondsFromGMT: 7 * 3600)!

    init(from: String?, to: String?) throws {
        guard let from, !from.isEmpty else { throw RPCError.invalidArgument(field: "from", "the first day, as yyyy-MM-dd") }
        guard let to, !to.isEmpty else { throw RPCError.invalidArgument(field: "to", "the last day, as yyyy-MM-dd") }
        guard let start = Self.midnight(from) else { throw RPCError.invalidArgument(field: "from", "a day as yyyy-MM-dd, e.g. 2026-11-01") }
        guard let last = Self.midnight(to) else { throw RPCError.invalidArgument(field: "to", "a day as yyyy-MM-dd, e.g. 2026-11-30") }
        guard last >= start else { throw RPCError.invalidArgument(field: "to", "the last day is not before the first") }
        let day: Int64 = 86_400_000
        guard (last - start) / day < Int64(Self.maxDays) else {
            throw RPCError.invalidArgument(field: "to", "at most \(Self.maxDays) days in one export")
        }
        self.from = from
        self.to = to
        startMs = start
        endMs = last + day
    }

    /// 00:00 of a `yyyy-MM-dd` day in Hà Nội, or nil for anything else (a day that does not
    /// exist, like 2026-02-30, included).
    static func midnight(_ text: String) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (2000...2099).contains(year) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components),
              calendar.dateComponents([.year, .month, .day], from: date) == components else { return nil }
        return Int64(date.timeIntervalSince1970 * 1000)
    }

    /// An instant as ISO 8601 in Hà Nội time ("2026-11-03T09:15:00+07:00"); "" for 0 (not yet).
    static func timestamp(_ unixMs: Int64) -> String {
        guard unixMs != 0 else { return "" }
        return Date(timeIntervalSince1970: Double(unixMs) / 1000).formatted(Date.ISO8601FormatStyle(timeZoneSeparator: .colon, timeZone: zone))
    }
}
