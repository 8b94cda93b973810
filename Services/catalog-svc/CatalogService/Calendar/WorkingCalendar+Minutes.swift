extension WorkingCalendar {
    /// Office minutes between two instants: each working day's office spans clipped to the
    /// interval. What a dossier's clock counted, or what a supplement pause kept it from counting.
    public func workingMinutes(fromUnixMs start: Int64, toUnixMs end: Int64) -> Int {
        guard end > start else { return 0 }
        let first = Self.local(unixMs: start)
        let last = Self.local(unixMs: end)
        var total: Int64 = 0
        var date = first.date
        while date <= last.date {
            if isWorkingDay(date) {
                let dayStart = date == first.date ? first.msOfDay : 0
                let dayEnd = date == last.date ? last.msOfDay : Int64(24 * 60 * 60_000)
                for span in officeHours.spans {
                    let low = max(dayStart, Int64(span.startMinute) * 60_000)
                    let high = min(dayEnd, Int64(span.endMinute) * 60_000)
                    if high > low { total += high - low }
                }
            }
            date = date.adding(days: 1)
        }
        return Int(total / 60_000)
    }
}
