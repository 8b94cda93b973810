import DVCProto

/// An agency's office hours on a working day: half-open spans [start, end) of local
/// minutes after midnight (UTC+7), in order and not overlapping.
///
/// A time limit counts only inside these spans, so the lunch break and the night do not
/// count; that is how "N ngày làm việc" is reckoned at a one-stop desk.
public struct OfficeHours: Sendable, Hashable, CustomStringConvertible {
    public struct Span: Sendable, Hashable {
        public let startMinute: Int
        public let endMinute: Int
        public var minutes: Int { endMinute - startMinute }
    }

    public enum ValidationError: Error, Hashable, CustomStringConvertible {
        case empty
        case outOfDay(index: Int)
        case emptySpan(index: Int)
        case unorderedOrOverlapping(index: Int)

        public var description: String {
            switch self {
            case .empty: return "office hours need at least one span"
            case .outOfDay(let i): return "office hours span \(i) is outside 00:00–24:00"
            case .emptySpan(let i): return "office hours span \(i) ends before or when it starts"
            case .unorderedOrOverlapping(let i): return "office hours span \(i) starts before the previous one ends"
            }
        }
    }

    public let spans: [Span]

    /// The common hours of Hà Nội's agencies: 07:00–11:30 and 13:30–17:00, 480 minutes.
    public static let standard = try! OfficeHours([(7 * 60, 11 * 60 + 30), (13 * 60 + 30, 17 * 60)])

    /// Spans as (startMinute, endMinute) pairs; throws `ValidationError` when they are empty,
    /// out of 0…1440, empty themselves, or out of order/overlapping. Touching spans
    /// (one ends when the next starts) are allowed.
    public init(_ spans: [(startMinute: Int, endMinute: Int)]) throws {
        guard !spans.isEmpty else { throw ValidationError.empty }
        var previousEnd = -1
        for (i, span) in spans.enumerated() {
            guard span.startMinute >= 0, span.endMinute <= 24 * 60 else { throw ValidationError.outOfDay(index: i) }
            guard span.startMinute < span.endMinute else { throw ValidationError.emptySpan(index: i) }
            guard span.startMinute >= previousEnd else { throw ValidationError.unorderedOrOverlapping(index: i) }
            previousEnd = span.endMinute
        }
        self.spans = spans.map { Span(startMinute: $0.startMinute, endMinute: $0.endMinute) }
    }

    /// From an agency's `office_hours`; an agency with none set gets `standard`.
    public init(proto: [CatalogV1.OfficeHours]) throws {
        if proto.isEmpty {
            self = .standard
        } else {
            try self.init(proto.map { (Int($0.startMinute), Int($0.endMinute)) })
        }
    }

    /// The wire form.
    public var proto: [CatalogV1.OfficeHours] {
        spans.map {
            var message = CatalogV1.OfficeHours()
            message.startMinute = UInt32($0.startMinute)
            message.endMinute = UInt32($0.endMinute)
            return message
        }
    }

    /// Working minutes in one office day: what one "working day" of a time limit is worth.
    public var minutesPerDay: Int { spans.reduce(0) { $0 + $1.minutes } }

    /// "07:00–11:30, 13:30–17:00".
    public var description: String {
        spans.map { "\(Self.clock($0.startMinute))–\(Self.clock($0.endMinute))" }.joined(separator: ", ")
    }

    /// "HH:mm" of a minute of the day.
    static func clock(_ minute: Int) -> String {
        "\(LocalDate.zeroPad(minute / 60, 2)):\(LocalDate.zeroPad(minute % 60, 2))"
    }
}
