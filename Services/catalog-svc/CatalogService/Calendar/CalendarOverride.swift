import DVCProto

/// One day whose status the government's yearly arrangement sets, whatever the rules say:
/// an extra day off (a swapped weekday, a Tết day the rules place elsewhere) or a working
/// day (a make-up Saturday, a weekday the rules would give back but the arrangement does not).
///
/// These are data, stored by catalog-svc and edited by an admin, because the government
/// announces them year by year (often only weeks ahead) and no rule predicts them.
public struct CalendarOverride: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var date: LocalDate
    /// true: a working day (e.g. a Saturday worked to make up a bridge day); false: a day off.
    public var working: Bool
    /// Why, naming the announcement it comes from.
    public var reason: String

    public init(date: LocalDate, working: Bool, reason: String) {
        self.date = date
        self.working = working
        self.reason = reason
    }

    /// From the wire form; nil when the date is not a valid "yyyy-MM-dd".
    public init?(_ proto: CatalogV1.CalendarOverride) {
        guard let date = LocalDate(proto.date) else { return nil }
        self.init(date: date, working: proto.working, reason: proto.reason)
    }

    /// The wire form (`dvc.catalog.v1.CalendarOverride`).
    public var proto: CatalogV1.CalendarOverride {
        var message = CatalogV1.CalendarOverride()
        message.date = date.description
        message.working = working
        message.reason = reason
        return message
    }

    public static func < (lhs: CalendarOverride, rhs: CalendarOverride) -> Bool { lhs.date < rhs.date }

    public var description: String { "\(date) \(working ? "working" : "off"): \(reason)" }
}
