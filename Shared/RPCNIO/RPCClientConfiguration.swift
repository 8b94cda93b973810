import RPCCore

/// How an RPC client connects, balances and retries.
public struct RPCClientConfiguration: Sendable {
    /// Largest frame accepted from a server.
    public var maximumFrameLength: Int = 16 * 1024 * 1024
    /// A TCP connect that takes longer fails, and the peer is skipped.
    public var connectTimeout: Duration = .seconds(1)
    /// First wait before reconnecting to a peer that failed; doubles up to `maximumBackoff`.
    public var initialBackoff: Duration = .milliseconds(100)
    public var maximumBackoff: Duration = .seconds(5)
    /// A connection with nothing read for this long is pinged...
    public var keepaliveInterval: Duration = .seconds(30)
    /// ...and closed when the PONG does not come back within this.
    public var keepaliveTimeout: Duration = .seconds(10)
    /// A call started on a connection that has read nothing for this long also sends a PING...
    public var probeAfterSilence: Duration = .seconds(2)
    /// ...and the connection is closed, failing its calls with UNAVAILABLE (idempotent ones are
    /// tried again elsewhere), when the PONG does not come back within this. A peer whose host
    /// vanished (link down, no RST ever comes) is found in seconds instead of at each call's
    /// deadline.
    public var probeTimeout: Duration = .seconds(2)
    /// Interceptors around every call, the first one outermost.
    public var interceptors: [any ClientInterceptor] = []
    /// TLS to every peer: the client presents its certificate (if it has one) and verifies the
    /// server's against the CA and the address dialled; nil for plain TCP. A connection is
    /// ready only once the server has answered the preface, so a refused certificate fails
    /// the connect (UNAVAILABLE naming the reason), not a call already sent.
    public var tls: RPCTLS?

    public init() {}
}
