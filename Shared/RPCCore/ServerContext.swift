import Logging
import Synchronization

/// What a handler knows about the call it serves.
///
/// A value passed through interceptors to the handler; what it carries lives in one object
/// per call, so passing it along costs a reference count, not a copy of every field.
public struct ServerContext: Sendable {
    fileprivate final class Storage: Sendable {
        let method: String
        let metadata: Metadata
        let deadline: ContinuousClock.Instant?
        let requestID: String
        let trace: TraceContext
        let remoteAddress: String
        let peerCertificate: PeerCertificate?
        let logger: Logger
        let responseMetadata = Mutex<Metadata>([:])
        let values = Mutex<[ObjectIdentifier: any Sendable]>([:])

        init(method: String, metadata: Metadata, deadline: ContinuousClock.Instant?, requestID: String,
             trace: TraceContext, remoteAddress: String, peerCertificate: PeerCertificate?, logger: Logger) {
            self.method = method
            self.metadata = metadata
            self.deadline = deadline
            self.requestID = requestID
            self.trace = trace
            self.remoteAddress = remoteAddress
            self.peerCertificate = peerCertificate
            self.logger = logger
        }
    }

    private let storage: Storage
    private var loggerOverride: Logger?

    /// `/package.Service/Method`.
    public var method: String { storage.method }
    /// The caller's metadata.
    public var metadata: Metadata { storage.metadata }
    /// When the caller stops waiting; nil when it set no deadline.
    public var deadline: ContinuousClock.Instant? { storage.deadline }
    /// The request id of this call: the caller's `x-request-id`, or a new one.
    public var requestID: String { storage.requestID }
    /// The trace this call belongs to, with a new span id for this hop.
    public var trace: TraceContext { storage.trace }
    /// The peer's address, for logs.
    public var remoteAddress: String { storage.remoteAddress }
    /// The caller's verified client certificate under mutual TLS; nil otherwise.
    public var peerCertificate: PeerCertificate? { storage.peerCertificate }

    /// A logger that stamps every line with the request id, trace id and method. Built on
    /// first use: most calls never log, and stamping costs three dictionary inserts.
    public var logger: Logger {
        get { loggerOverride ?? Self.stamp(storage.logger, requestID: requestID, trace: trace, method: method) }
        set { loggerOverride = newValue }
    }

    /// The level of the server's logger, to skip building log lines nobody will see.
    public var logLevel: Logger.Level { loggerOverride?.logLevel ?? storage.logger.logLevel }

    private static func stamp(_ logger: Logger, requestID: String, trace: TraceContext, method: String) -> Logger {
        var logger = logger
        logger[metadataKey: "request_id"] = "\(requestID)"
        logger[metadataKey: "trace_id"] = "\(trace.traceID)"
        logger[metadataKey: "method"] = "\(method)"
        return logger
    }

    /// What an interceptor established for the handlers after it (the authenticated caller,
    /// say), keyed by a type so two modules cannot collide; shared by every copy of this context.
    public subscript<Key: ServerContextKey>(_ key: Key.Type) -> Key.Value? {
        get { storage.values.withLock { $0[ObjectIdentifier(key)] as? Key.Value } }
        nonmutating set { storage.values.withLock { $0[ObjectIdentifier(key)] = newValue } }
    }

    /// Metadata to send back in the response header (set by handlers or interceptors); shared
    /// by every copy of this context.
    public var responseMetadata: ResponseMetadata { ResponseMetadata(storage) }

    /// - Parameter logger: the server's logger; `logger` adds the call's ids to it.
    public init(
        method: String,
        metadata: Metadata,
        deadline: ContinuousClock.Instant?,
        requestID: String,
        trace: TraceContext,
        remoteAddress: String,
        peerCertificate: PeerCertificate? = nil,
        logger: Logger
    ) {
        storage = Storage(method: method, metadata: metadata, deadline: deadline, requestID: requestID,
                          trace: trace, remoteAddress: remoteAddress, peerCertificate: peerCertificate, logger: logger)
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

/// Response metadata of one call, which a handler or interceptor can add to.
public struct ResponseMetadata: Sendable {
    private let storage: ServerContext.Storage

    fileprivate init(_ storage: ServerContext.Storage) {
        self.storage = storage
    }

    public subscript(key: String) -> String? {
        get { storage.responseMetadata.withLock { $0[key] } }
        nonmutating set { storage.responseMetadata.withLock { $0[key] = newValue } }
    }

    public var all: Metadata { storage.responseMetadata.withLock { $0 } }
}

/// The key of a value an interceptor attaches to a call (`ServerContext[Key.self]`).
public protocol ServerContextKey {
    associatedtype Value: Sendable
}
