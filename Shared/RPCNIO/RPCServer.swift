import Logging
import NIOCore
import NIOPosix
import NIOSSL
import RPCCore
import Synchronization

/// A server of wire protocol v1 on TCP.
///
/// ```swift
/// var router = RPCRouter()
/// router.register(HealthService())
/// let server = RPCServer(router: router)
/// let address = try await server.bind(host: "127.0.0.1", port: 0)
/// ...
/// await server.shutdownGracefully()
/// ```
public final class RPCServer: Sendable {
    private let router: RPCRouter
    private let configuration: RPCServerConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let drain = ServerDrainState()
    private let listener = Mutex<(any Channel)?>(nil)
    private let perAddress: ConnectionsPerAddress

    public init(
        router: RPCRouter,
        configuration: RPCServerConfiguration = RPCServerConfiguration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "dvc.rpc.server")
    ) {
        // Interceptors are wrapped around each handler once, here, not on every call.
        self.router = router.intercepted(by: configuration.interceptors)
        self.configuration = configuration
        self.perAddress = ConnectionsPerAddress(limit: configuration.maximumConnectionsPerAddress)
        self.group = group
        self.logger = logger
    }

    /// Starts listening; returns the bound address (port 0 picks a free port).
    @discardableResult
    public func bind(host: String, port: Int) async throws -> SocketAddress {
        let router = router
        let configuration = configuration
        let drain = drain
        let logger = logger
        let perAddress = perAddress
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let address = channel.remoteAddress?.ipAddress ?? "unknown"
                    guard perAddress.open(address) else {
                        // Refused before any handler is added: no TLS handshake, no preface.
                        logger.warning("refusing connection: too many connections from this address",
                                       metadata: ["peer": "\(channel.remoteAddress?.description ?? address)",
                                                  "max_connections_per_address": "\(configuration.maximumConnectionsPerAddress)"])
                        try channel.pipeline.syncOperations.addHandler(CloseOnActive())
                        return
                    }
                    channel.closeFuture.whenComplete { _ in perAddress.close(address) }
                    drain.connectionOpened(channel)
                    if let tls = configuration.tls {
                        try channel.pipeline.syncOperations.addHandlers(
                            try tls.makeServerHandler(), TLSHandshakeLogger(logger: logger, denyList: tls.denyList))
                    }
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(FrameDecoder(maximumFrameLength: configuration.maximumFrameLength)),
                        IdleStateHandler(readTimeout: TimeAmount(configuration.keepaliveInterval)),
                        ServerConnectionHandler(router: router, configuration: configuration,
                                                drain: drain, logger: logger)
                    )
                }
            }
            .bind(host: host, port: port)
            .get()
        listener.withLock { $0 = channel }
        return channel.localAddress!
    }

    public var localAddress: SocketAddress? {
        listener.withLock { $0?.localAddress }
    }

    /// Stops accepting connections, sends GOAWAY on every open one, lets the calls in flight
    /// finish (answering new ones with UNAVAILABLE), and closes each connection once it is
    /// idle, or all of them when the drain timeout passes.
    public func shutdownGracefully() async {
        let channel = listener.withLock { channel in
            defer { channel = nil }
            return channel
        }
        try? await channel?.close()
        drain.beginDrain()
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { [drain] in
                await drain.waitUntilAllClosed()
                return true
            }
            group.addTask { [configuration] in
                try? await Task.sleep(for: configuration.drainTimeout)
                return false
            }
            let drained = await group.next()!
            group.cancelAll()
            if !drained {
                // Closed here, inside the group: the group waits for its waiter child, which
                // cannot be cancelled and only returns once the connections are closed.
                logger.warning("drain timeout passed; closing connections with calls still in flight",
                               metadata: ["connections": "\(drain.openConnections)"])
                drain.closeAll()
            }
        }
    }
}
