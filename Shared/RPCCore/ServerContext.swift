import Logging

/// What a handler knows about the call it serves.
public struct ServerContext: Sendable {
    /// `/package.Service/Method`.
    public var method: String
    /// The caller's metadata.
    public var metadata: Metadata
    /// When the caller stops waiting; nil when it set no deadline.
    public var deadline: ContinuousClock.Instant?
    /// The request id of this call: the caller's `x-request-id`, or a new one.
    public var requestID: String
    /// The trace this call belongs to, with a new span id for this hop.
    public var trace: TraceContext
    /// The peer's address, for logs.
    public var remoteAddress: String
    /// A logger that stamps every line with the request id, trace id and method. Built on
    /// first use: most calls never log, and stamping costs three dictionary inserts.
    public var logger: Logger {
        get { loggerOverride ?? Self.stamp(baseLogger, requestID: requestID, trace: trace, method: method) }
        set { loggerOverride = newValue }
    }
    private var loggerOverride: Logger?
    private let baseLogger: Logger

    /// The level of the server's logger, to skip building log lines nobody will see.
    public var logLevel: Logger.Level { loggerOverride?.logLevel ?? baseLogger.logLevel }

    private static func stamp(_ logger: Logger, requestID: String, trace: TraceContext, method: String) -> Logger {
        var logger = logger
        logger[metadataKey: "request_id"] = "\(requestID)"
        logger[metadataKey: "trace_id"] = "\(trace.traceID)"
        logger[metadataKey: "method"] = "\(method)"
        return logger
    }
    /// Metadata to send back in the response header (set by handlers or interceptors).
    public var responseMetadata: ResponseMetadata

    public init(
        method: String,
        metadata: Metadata,
        deadline: ContinuousClock.Instant?,
        requestID: String,
        trace: TraceContext,
        remoteAddress: String,
        logger: Logger,
        responseMetadata: ResponseMetadata = ResponseMetadata()
    ) {
        self.method = method
        self.metadata = metadata
        self.deadline = deadline
        self.requestID = requestID
        self.trace = trace
        self.remoteAddress = remoteAddress
        self.baseLogger = logger
        self.responseMetadata = responseMetadata
    }

    /// The time left before the deadline, for calls made on behalf of this one (they must never
    /// get more). Nil when there is no deadline.
    public var remainingTime: Duration? {
        deadline.map { max(.zero, $0 - ContinuousClock.now) }
    }

    /// Call options for a downstream call made on behalf of this request: the remaining time,
    /// the request id and the trace context carried on.
    public func downstreamOptions(_ options: CallOptions = CallOptions()) -> CallOptions {
        var options = options
        if let remaining = remainingTime {
            options.timeout = options.timeout.map { min($0, remaining) } ?? remaining
        }
        options.metadata[MetadataKey.requestID] = requestID
        options.metadata[MetadataKey.traceparent] = trace.child().traceparent
        return options
    }
}

/// Response metadata a handler can add to; shared by reference because the context is a value
/// passed through interceptors.
public final class ResponseMetadata: @unchecked Sendable {
    private let lock = NSLockLike()
    private var storage: Metadata = [:]

    public init() {}

    public subscript(key: String) -> String? {
        get { lock.withLock { storage[key] } }
        set { lock.withLock { storage[key] = newValue } }
    }

    public var all: Metadata { lock.withLock { storage } }
}
