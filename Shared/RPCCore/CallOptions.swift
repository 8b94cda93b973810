/// How a client makes one call.
public struct CallOptions: Sendable {
    /// Time the call may take; nil for no deadline. Sent as `RequestHeader.timeout_ms`.
    public var timeout: Duration?
    /// Metadata sent with the request.
    public var metadata: Metadata
    /// The method is safe to run twice (a read, or a write with an idempotency key): when its
    /// connection dies after it was sent, the client may retry it on another peer. A call that
    /// was never written to any connection is always retried.
    public var idempotent: Bool

    public init(timeout: Duration? = nil, metadata: Metadata = [:], idempotent: Bool = false) {
        self.timeout = timeout
        self.metadata = metadata
        self.idempotent = idempotent
    }

    /// The wire value of the timeout: whole milliseconds, rounded up so a tiny timeout is not
    /// sent as "no deadline", and capped at what fits in u32.
    public var timeoutMilliseconds: UInt32 {
        guard let timeout else { return 0 }
        let (seconds, attoseconds) = timeout.components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 1 }
        let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return UInt32(clamping: max(1, millis))
    }
}
