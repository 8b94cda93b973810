import Foundation

/// The platform's clock: times are stored and sent as integer Unix milliseconds (UTC); these
/// read the clock and convert at the edges. Every service's "now" comes from `now()`.
public enum UnixMillis {
    /// Now, in Unix milliseconds.
    public static func now() -> Int64 {
        from(Date())
    }

    /// `date` in Unix milliseconds (rounded down).
    public static func from(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// The instant `millis` Unix milliseconds name.
    public static func date(_ millis: Int64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }
}
