/// A W3C trace context (`traceparent: 00-<trace-id>-<parent-id>-<flags>`), enough to carry a
/// trace id through every hop and start a new span id at each.
public struct TraceContext: Hashable, Sendable {
    /// 32 lower-case hex digits.
    public var traceID: String
    /// 16 lower-case hex digits: the span of the current hop.
    public var spanID: String
    public var flags: String

    /// Parses a `traceparent` value; nil when it is malformed (then a new trace starts).
    public init?(traceparent: String) {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "00",
              parts[1].count == 32, parts[1].allSatisfy(\.isHexDigit), parts[1] != String(repeating: "0", count: 32),
              parts[2].count == 16, parts[2].allSatisfy(\.isHexDigit), parts[2] != String(repeating: "0", count: 16),
              parts[3].count == 2, parts[3].allSatisfy(\.isHexDigit)
        else { return nil }
        traceID = parts[1].lowercased()
        spanID = parts[2].lowercased()
        flags = parts[3].lowercased()
    }

    public init(traceID: String, spanID: String, flags: String = "01") {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
    }

    /// A new trace.
    public static func random(using generator: inout IDGenerator) -> TraceContext {
        TraceContext(traceID: generator.hex(words: 2), spanID: generator.hex(words: 1))
    }

    /// A new trace, from a generator of its own.
    public static func random() -> TraceContext {
        var generator = IDGenerator()
        return random(using: &generator)
    }

    /// The context for a call made on behalf of this one: same trace, new span.
    public func child(using generator: inout IDGenerator) -> TraceContext {
        TraceContext(traceID: traceID, spanID: generator.hex(words: 1), flags: flags)
    }

    public func child() -> TraceContext {
        var generator = IDGenerator()
        return child(using: &generator)
    }

    public var traceparent: String { "00-\(traceID)-\(spanID)-\(flags)" }

    /// The trace of the call this task serves (set by ``LoggingInterceptor`` around the
    /// handler), for what a handler records to be sent later, such as an outbox event: the
    /// event's consumer then logs under the same trace id. Nil outside a call.
    @TaskLocal public static var current: TraceContext?

    /// A child of ``current`` as a `traceparent` value, or "" outside a call.
    public static var currentChildTraceparent: String { current?.child().traceparent ?? "" }
}

/// Request ids: short, random, printable; kept as they are when the caller sends one.
public enum RequestID {
    public static func generate(using generator: inout IDGenerator) -> String {
        generator.hex(words: 1)
    }

    public static func generate() -> String {
        var generator = IDGenerator()
        return generate(using: &generator)
    }

    /// A caller-supplied id is kept only when it is short and printable, so a log line can
    /// never be forged or flooded through it.
    public static func isAcceptable(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && id.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
