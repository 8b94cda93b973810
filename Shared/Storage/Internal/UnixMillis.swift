import Foundation

/// The kit stores times as integer Unix milliseconds (UTC); these convert at the edges.
enum UnixMillis {
    static func now() -> Int64 {
        from(Date())
    }

    static func from(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    static func date(_ millis: Int64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }
}
