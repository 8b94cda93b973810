import DVCProto
import Logging
import NIOCore
import NIOPosix
import RPCCore
import Synchronization

/// A client of wire protocol v1 for a list of peers (replicas of one service).
///
/// One connection per peer carries all calls in flight to it. Calls are spread round-robin
/// over the peers; a peer that cannot be reached is skipped and retried after an exponential
/// backoff. A call fails over to the next peer when it was never sent, or when its connection
/// died after sending and the call is declared idempotent; otherwise it fails with UNAVAILABLE.
///
/// ```swift
/// let catalog = RPCClient(peers: [PeerAddress("127.0.0.1:7001")!])
/// let reply = try await catalog.unary(HealthV1.Health.check, HealthV1.HealthCheckRequest())
/// ```
public final class RPCClient: RPCClientProtocol {
    private enum PeerState {
        case idle
        case connecting(EventLoopFuture<ClientConnection>)
        case ready(ClientConnection)
        case backingOff(until: ContinuousClock.Instant)
    }

    private struct State {
        var peers: [PeerState]
        var backoff: [Duration]
        var nextPeer = 0
        var closed = false
    }

    public let peers: [PeerAddress]
    private let configuration: RPCClientConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state: Mutex<State>

    public init(
        peers: [PeerAddress],
        configuration: RPCClientConfiguration = RPCClientConfiguration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "dvc.rpc.client")
    ) {
        precondition(!peers.isEmpty, "an RPC client needs at least one peer")
        self.peers = peers
        self.configuration = configuration
        self.group = group
        self.logger = logger
        self.state = Mutex(State(peers: Array(repeating: .idle, count: peers.count),
                                 backoff: Array(repeating: configuration.initialBackoff, count: peers.count)))
    }

    public func unary<Request, Response>(
        _ method: ProtoMethod<Request, Response>,
        _ request: Request,
        options: CallOptions
    ) async throws -> Response {
        let decode: ClientConnectionHandler.Decoder = { buffer throws(ProtoDecodingError) in
            try Response(buffer: buffer)
        }
        let path = method.path
        let response: any ProtoMessage
        if configuration.interceptors.isEmpty {
            response = try await perform(path, request, options, decode)
        } else {
            let call: @Sendable (any ProtoMessage, ClientContext) async throws -> any ProtoMessage = {
                [self] request, context in
                try await self.perform(context.method, request, context.options, decode)
            }
            response = try await configuration.interceptors.wrap(call)(
                request, ClientContext(method: path, options: options))
        }
        // `decode` only produces `Response` values.
        return response as! Response
    }

    private func perform(
        _ method: String,
        _ request: any ProtoMessage,
        _ options: CallOptions,
        _ decode: @escaping ClientConnectionHandler.Decoder
    ) async throws -> any ProtoMessage {
        let deadline = options.timeout.map { ContinuousClock.now + $0 }
        var lastError: RPCError?
        let start = firstPeer()
        for offset in 0..<peers.count {
            let peerIndex = (start + offset) % peers.count
            var attemptOptions = options
            if let deadline {
                let remaining = deadline - ContinuousClock.now
                guard remaining > .zero else { throw RPCError(.deadlineExceeded, "deadline exceeded") }
                attemptOptions.timeout = remaining
            }
            let connection: ClientConnection
            do {
                connection = try await self.connection(to: peerIndex)
            } catch {
                lastError = error
                continue
            }
            do {
                return try await connection.call(method: method, request: request, options: attemptOptions,
                                                 decode: decode)
            } catch {
                switch error {
                case .notSent(let status):
                    lastError = status
                case .lost(let status):
                    guard options.idempotent else { throw status }
                    lastError = status
                case .status(let status):
                    throw status
                }
            }
        }
        throw lastError ?? RPCError(.unavailable, "no peer of \(peers.map(\.description).joined(separator: ",")) is reachable")
    }

    /// The peer a call tries first, in round-robin order; it then tries the others in turn.
    private func firstPeer() -> Int {
        let count = peers.count
        if count == 1 { return 0 }
        return state.withLock { state in
            defer { state.nextPeer = (state.nextPeer + 1) % count }
            return state.nextPeer
        }
    }

    private enum Next {
        case use(ClientConnection)
        case wait(EventLoopFuture<ClientConnection>)
        case unavailable(RPCError)
    }

    /// The connection to a peer: the open one, the one being opened, or a new one unless the
    /// peer is in its backoff period (then UNAVAILABLE at once, so callers fail fast).
    private func connection(to index: Int) async throws(RPCError) -> ClientConnection {
        let next: Next = state.withLock { state in
            if state.closed { return .unavailable(RPCError(.unavailable, "the client is closed")) }
            switch state.peers[index] {
            case .ready(let connection) where connection.acceptsNewCalls:
                return .use(connection)
            case .connecting(let future):
                return .wait(future)
            case .backingOff(let until) where ContinuousClock.now < until:
                return .unavailable(RPCError(.unavailable, "peer \(peers[index]) is unreachable; retrying after backoff"))
            case .ready, .idle, .backingOff:
                let future = startConnecting(index)
                state.peers[index] = .connecting(future)
                return .wait(future)
            }
        }
        switch next {
        case .use(let connection):
            return connection
        case .unavailable(let error):
            throw error
        case .wait(let future):
            do {
                return try await future.get()
            } catch {
                throw RPCError(.unavailable, "cannot connect to \(peers[index]): \(error)")
            }
        }
    }

    /// Called with the state lock held; the callbacks take it again later.
    private func startConnecting(_ index: Int) -> EventLoopFuture<ClientConnection> {
        let peer = peers[index]
        let future = ClientConnection.connect(to: peer, configuration: configuration, group: group, logger: logger)
        future.whenComplete { [self] result in
            switch result {
            case .success(let connection):
                let keep = state.withLock { state -> Bool in
                    guard !state.closed else { return false }
                    state.peers[index] = .ready(connection)
                    state.backoff[index] = configuration.initialBackoff
                    return true
                }
                if !keep { connection.close() }
                connection.channel.closeFuture.whenComplete { [self] _ in
                    state.withLock { state in
                        if case .ready(let current) = state.peers[index], current === connection {
                            state.peers[index] = .idle
                        }
                    }
                }
            case .failure(let error):
                let delay = state.withLock { state -> Duration in
                    let delay = state.backoff[index]
                    state.backoff[index] = min(delay * 2, configuration.maximumBackoff)
                    state.peers[index] = .backingOff(until: ContinuousClock.now + delay)
                    return delay
                }
                logger.info("peer unreachable; backing off",
                            metadata: ["peer": "\(peer)", "error": "\(error)", "retry_in": "\(delay)"])
            }
        }
        return future
    }

    /// Closes every connection; calls in flight fail with UNAVAILABLE.
    public func close() async {
        let connections = state.withLock { state -> [ClientConnection] in
            state.closed = true
            return state.peers.compactMap {
                if case .ready(let connection) = $0 { return connection }
                return nil
            }
        }
        for connection in connections {
            connection.close()
            try? await connection.channel.closeFuture.get()
        }
    }
}
