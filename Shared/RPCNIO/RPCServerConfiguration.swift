import RPCCore

/// Limits and timers of an RPC server; the defaults are the ones docs/protocol.md gives.
public struct RPCServerConfiguration: Sendable {
    /// Largest frame accepted (the `length` field); above it: GOAWAY RESOURCE_EXHAUSTED.
    public var maximumFrameLength: Int = 16 * 1024 * 1024
    /// Calls in flight per connection; calls beyond it get RESOURCE_EXHAUSTED.
    public var maximumCallsInFlight: Int = 1024
    /// A connection with nothing read for this long is pinged.
    public var keepaliveInterval: Duration = .seconds(30)
    /// A ping unanswered for this long closes the connection.
    public var keepaliveTimeout: Duration = .seconds(10)
    /// A new connection must have completed its preface (and its TLS handshake) within this,
    /// or it is closed: a peer that connects and says nothing, or trickles the preface a byte
    /// at a time, would otherwise hold a connection for ever.
    public var prefaceTimeout: Duration = .seconds(10)
    /// A frame whose first bytes have arrived must be complete within this, or the connection
    /// gets GOAWAY DEADLINE_EXCEEDED and closes. Keepalive does not catch a trickled frame: each
    /// byte counts as a read. 30 s moves a 16 MiB frame at 4 Mbit/s.
    public var incompleteFrameTimeout: Duration = .seconds(30)
    /// Connections open at once from one remote IP address; one more is closed as soon as it is
    /// accepted, with a warning in the log. The platform's callers keep one connection per
    /// client and peer, so a few per process; 0 means no limit.
    public var maximumConnectionsPerAddress: Int = 128
    /// After GOAWAY, an idle connection stays open until its client closes it (the platform's
    /// client does so as soon as it has nothing pending) or this long, so that requests already
    /// on their way get UNAVAILABLE instead of a lost connection.
    public var goAwayGrace: Duration = .seconds(2)
    /// How long a drain waits for calls in flight before closing connections anyway.
    public var drainTimeout: Duration = .seconds(10)
    /// Interceptors around every handler, the first one outermost.
    public var interceptors: [any ServerInterceptor] = []
    /// TLS on every connection (mutual unless `RPCTLS.requireClientCertificate` is false);
    /// nil for plain TCP.
    public var tls: RPCTLS?

    public init() {}
}
