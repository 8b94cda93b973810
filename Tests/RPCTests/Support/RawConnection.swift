import NIOCore
import NIOPosix
import RPCNIO
import Synchronization

/// A TCP client that speaks wire protocol v1 byte by byte and nothing more: it sends exactly
/// the bytes a test gives it (malformed ones included) and hands back exactly what the server
/// wrote. Every wait has a time limit.
final class RawConnection: Sendable {
    private struct Inbox {
        var bytes: [UInt8] = []
        var closed = false
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let inbox: Mutex<Inbox>

        init() { inbox = Mutex(Inbox()) }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            inbox.withLock { $0.bytes += buffer.readableBytesView }
        }

        func channelInactive(context: ChannelHandlerContext) {
            inbox.withLock { $0.closed = true }
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // A reset by the server: keep what arrived, note the close.
            context.close(promise: nil)
        }
    }

    private let channel: any Channel
    private let collector: Collector

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    /// Opens a TCP connection to 127.0.0.1:`port`; sends nothing.
    static func connect(port: Int) async throws -> RawConnection {
        let collector = Collector()
        let channel = try await withTimeout(.seconds(2), "connect to \(port)") {
            try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(collector)
                    }
                }
                .connect(host: "127.0.0.1", port: port)
                .get()
        }
        return RawConnection(channel: channel, collector: collector)
    }

    /// Connects, sends the preface and checks the server's.
    static func handshake(port: Int) async throws -> RawConnection {
        let connection = try await connect(port: port)
        try await connection.send(Preface.bytes)
        let answer = try await connection.read(Preface.bytes.count)
        guard answer == Preface.bytes else {
            throw RawConnectionError("the server answered the preface with \(answer)")
        }
        return connection
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    func send(_ frame: RawFrame) async throws {
        try await send(frame.bytes())
    }

    /// Exactly `count` bytes, once they have arrived.
    func read(_ count: Int, within limit: Duration = .seconds(2)) async throws -> [UInt8] {
        try await waitFor("\(count) bytes", within: limit) { inbox in
            guard inbox.bytes.count >= count else { return nil }
            defer { inbox.bytes.removeFirst(count) }
            return Array(inbox.bytes.prefix(count))
        }
    }

    /// The next whole frame the server wrote.
    func readFrame(within limit: Duration = .seconds(2)) async throws -> RawFrame {
        try await waitFor("a frame", within: limit) { inbox in
            guard let (frame, consumed) = RawFrame.parse(inbox.bytes) else { return nil }
            inbox.bytes.removeFirst(consumed)
            return frame
        }
    }

    /// The next frame that is not a PING (keepalive pings are answered on the way).
    func readFrameAnsweringPings(within limit: Duration = .seconds(2)) async throws -> RawFrame {
        let end = ContinuousClock.now + limit
        while true {
            let frame = try await readFrame(within: end - ContinuousClock.now)
            guard frame.frameType == .ping else { return frame }
            try await send(RawFrame.pong(frame.payload))
        }
    }

    /// Everything the server wrote until it closed the connection.
    func readUntilClosed(within limit: Duration = .seconds(2)) async throws -> [UInt8] {
        try await waitFor("the server to close", within: limit) { inbox in
            guard inbox.closed else { return nil }
            defer { inbox.bytes.removeAll() }
            return inbox.bytes
        }
    }

    /// Whether the server has closed the connection (without waiting).
    var isClosed: Bool { collector.inbox.withLock { $0.closed } }

    /// Bytes received and not read yet.
    var unreadBytes: [UInt8] { collector.inbox.withLock { $0.bytes } }

    func close() async {
        try? await channel.close()
    }

    private func waitFor<T>(
        _ what: String,
        within limit: Duration,
        _ take: (inout Inbox) -> T?
    ) async throws -> T {
        let end = ContinuousClock.now + limit
        while true {
            let (value, closed) = collector.inbox.withLock { inbox in (take(&inbox), inbox.closed) }
            if let value { return value }
            if closed {
                throw RawConnectionError("the server closed the connection while the test waited for \(what)")
            }
            guard ContinuousClock.now < end else { throw TimedOut(what: what, limit: limit) }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}

struct RawConnectionError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
