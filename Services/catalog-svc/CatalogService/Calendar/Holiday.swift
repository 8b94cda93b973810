import DVCProto

/// One day off that is not an ordinary weekend day, with why it is off.
public struct Holiday: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Where a day off comes from. The raw values are what `dvc.catalog.v1.Holiday.source`
    /// carries ("fixed", "lunar", "override"), plus "compensatory" for a day given back
    /// under art. 111(3) because a holiday fell on a weekend.
    public enum Source: String, Sendable, Hashable, CaseIterable {
        /// A fixed solar date of art. 112(1): 1/1, 30/4, 1/5, 2/9 and its adjacent day.
        case fixed
        /// From the lunar calendar: the Tết days and the Hùng Kings' day.
        case lunar
        /// The next working day given back for a holiday that fell on Saturday or Sunday.
        case compensatory
        /// Declared by the government's yearly arrangement (an admin-edited override).
        case override
    }

    public var date: LocalDate
    public var name: String
    public var source: Source

    public init(date: LocalDate, name: String, source: Source) {
        self.date = date
        self.name = name
        self.source = source
    }

    /// The wire form (`dvc.catalog.v1.Holiday`).
    public var proto: CatalogV1.Holiday {
        var message = CatalogV1.Holiday()
        message.date = date.description
        message.name = name
        message.source = source.rawValue
        return message
    }

    public static func < (lhs: Holiday, rhs: Holiday) -> Bool { lhs.date < rhs.date }

    public var description: String { "\(date) \(name) (\(source.rawValue))" }
}
