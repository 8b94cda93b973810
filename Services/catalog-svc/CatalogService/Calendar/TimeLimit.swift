/// A procedure's processing time limit (thời hạn giải quyết), in working time.
public enum TimeLimit: Sendable, Hashable, CustomStringConvertible {
    /// N working days: N × the agency's office-day minutes, counted through office hours,
    /// so "3 ngày làm việc" from 16:00 ends at 16:00 three working days later.
    case workingDays(Int)
    /// N working hours, counted through office hours.
    case workingHours(Int)

    /// Working minutes the limit is worth at an agency with `officeHours`. Saturates at
    /// `Int.max`/`Int.min` instead of overflowing, so an absurd request is refused by the
    /// calendar's bounds rather than trapping.
    public func minutes(in officeHours: OfficeHours) -> Int {
        let (count, factor) = switch self {
        case .workingDays(let days): (days, officeHours.minutesPerDay)
        case .workingHours(let hours): (hours, 60)
        }
        let (product, overflow) = count.multipliedReportingOverflow(by: factor)
        guard !overflow else { return count < 0 ? Int.min : Int.max }
        return product
    }

    public var description: String {
        switch self {
        case .workingDays(let days): return "\(days) working days"
        case .workingHours(let hours): return "\(hours) working hours"
        }
    }
}
