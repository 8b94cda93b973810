import NIOCore
import Synchronization

/// How many connections each remote IP address has open on one server, so that one address
/// cannot take every file descriptor the process has (`maximumConnectionsPerAddress`).
final class ConnectionsPerAddress: Sendable {
    private let limit: Int
    private let counts = Mutex<[String: Int]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts one more connection from `address`; false (and nothing counted) when the address
    /// already has `limit` open.
    func open(_ address: String) -> Bool {
        counts.withLock { counts in
            let open = counts[address, default: 0]
            guard limit <= 0 || open < limit else { return false }
            counts[address] = open + 1
            return true
        }
    }

    func close(_ address: String) {
        counts.withLock { counts in
            let open = counts[address, default: 0] - 1
            counts[address] = open > 0 ? open : nil
        }
    }

    func count(_ address: String) -> Int {
        counts.withLock { $0[address, default: 0] }
    }
}

/// The only handler of a refused connection: closes it once it is active (closing it inside
/// the child channel initializer, before it is registered, would fail the accept instead).
final class CloseOnActive: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        context.close(promise: nil)
    }
}
