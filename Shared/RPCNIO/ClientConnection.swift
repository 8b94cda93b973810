import DVCProto
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import RPCCore
import Synchronization

/// One TCP connection to one peer, carrying many calls at once.
final class ClientConnection: Sendable {
    let channel: any Channel
    let peer: PeerAddress
    private let handler: NIOLoopBound<ClientConnectionHandler>
    private let flags: ConnectionFlags
    private let nextCallID = Atomic<UInt32>(1)

    private init(channel: any Channel, peer: PeerAddress, handler: ClientConnectionHandler, flags: ConnectionFlags) {
        self.channel = channel
        self.peer = peer
        self.handler = NIOLoopBound(handler, eventLoop: channel.eventLoop)
        self.flags = flags
    }

    static func connect(
        to peer: PeerAddress,
        configuration: RPCClientConfiguration,
        group: any EventLoopGroup,
        logger: Logger
    ) -> EventLoopFuture<ClientConnection> {
        let flags = ConnectionFlags()
        let tls = configuration.tls
        return ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // With TLS the connection is ready once the server's preface came back
                    // through the handshake: a server that refuses this client's certificate
                    // then fails the connect, not a call.
                    let tlsHandler = try tls.map { try $0.makeClientHandler(host: peer.host) }
                    let ready = tlsHandler == nil ? nil : channel.eventLoop.makePromise(of: Void.self)
                    let handler = ClientConnectionHandler(peer: peer.description, configuration: configuration,
                                                          state: flags, logger: logger, ready: ready)
                    if let tlsHandler {
                        try channel.pipeline.syncOperations.addHandler(tlsHandler)
                    }
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(FrameDecoder(maximumFrameLength: configuration.maximumFrameLength)),
                        IdleStateHandler(readTimeout: TimeAmount(configuration.keepaliveInterval)),
                        handler
                    )
                }
            }
            .connect(host: peer.host, port: peer.port)
            .flatMap { channel in
                channel.pipeline.handler(type: ClientConnectionHandler.self).flatMap { handler in
                    let connection = ClientConnection(channel: channel, peer: peer, handler: handler, flags: flags)
                    guard let ready = handler.readyFuture else { return channel.eventLoop.makeSucceededFuture(connection) }
                    let timer = channel.eventLoop.scheduleTask(in: TimeAmount(configuration.connectTimeout)) {
                        channel.pipeline.fireErrorCaught(TLSConnectFailure("no answer from \(peer) within \(configuration.connectTimeout) of connecting (TLS handshake and preface)"))
                    }
                    return ready.map { connection }.flatMapErrorThrowing { error in
                        channel.close(promise: nil)
                        throw error
                    }.always { _ in timer.cancel() }
                }
            }
    }

    var acceptsNewCalls: Bool { flags.acceptsNewCalls }

    /// Runs one call on this connection. The request is encoded on the caller's thread; only
    /// the bookkeeping and the write happen on the event loop.
    func call(
        method: String,
        request: any ProtoMessage,
        options: CallOptions,
        decode: @escaping ClientConnectionHandler.Decoder
    ) async throws(CallFailure) -> any ProtoMessage {
        guard flags.acceptsNewCalls else {
            throw .notSent(RPCError(.unavailable, flags.closeReason ?? "connection to \(peer) is going away"))
        }
        let callID = allocateCallID()
        var header = RpcV1.RequestHeader()
        header.method = method
        header.timeoutMs = options.timeoutMilliseconds
        header.metadata = options.metadata

        let handler = handler
        let eventLoop = channel.eventLoop
        let timeout = options.timeout
        let cancellation = CallCancellation()
        let result: Result<any ProtoMessage, CallFailure> = await withTaskCancellationHandler {
            await withUnsafeContinuation { continuation in
                if eventLoop.inEventLoop {
                    // A caller already on this loop (see EventLoopTaskExecutor) encodes straight
                    // into the connection's outbound buffer.
                    handler.value.start(callID: callID, frame: .message(header: header, request: request),
                                        timeout: timeout, decode: decode) {
                        continuation.resume(returning: $0)
                    }
                } else {
                    // Others encode on their own thread, then hop once.
                    var buffer = channel.allocator.buffer(capacity: 128)
                    buffer.writeFrame(type: .request, callID: callID, header: header, payload: request)
                    let frame = buffer
                    eventLoop.execute {
                        // A cancel queued before this hop found no call to cancel.
                        guard !cancellation.isCancelled else {
                            continuation.resume(returning: .failure(.status(RPCError(.cancelled, "the call was cancelled by the caller"))))
                            return
                        }
                        handler.value.start(callID: callID, frame: .encoded(frame), timeout: timeout, decode: decode) {
                            continuation.resume(returning: $0)
                        }
                    }
                }
            }
        } onCancel: {
            cancellation.cancel()
            eventLoop.execute { handler.value.cancel(callID: callID) }
        }
        return try result.get()
    }

    /// Call ids are unique among the calls in flight: a counter that skips 0 on wrap-around.
    private func allocateCallID() -> UInt32 {
        while true {
            let id = nextCallID.wrappingAdd(1, ordering: .relaxed).oldValue
            if id != 0 { return id }
        }
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// Set by a call's cancellation handler, which may run before the call has reached the event
/// loop (a task cancelled already, or cancelled during the hop): the loop then checks it.
private final class CallCancellation: Sendable {
    private let cancelled = Atomic<Bool>(false)

    func cancel() { cancelled.store(true, ordering: .releasing) }
    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }
}
