import NIOCore
import Synchronization

/// The open connections of a server, so that a drain can reach every one of them and know when
/// the last has closed.
final class ServerDrainState: Sendable {
    /// Sent down each connection's pipeline to start its drain.
    struct BeginDrain: Sendable {}

    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var draining = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func connectionOpened(_ channel: any Channel) {
        let draining = state.withLock { state in
            state.channels[ObjectIdentifier(channel)] = channel
            return state.draining
        }
        // A connection accepted while draining is drained at once.
        if draining { channel.pipeline.fireUserInboundEventTriggered(BeginDrain()) }
    }

    func connectionClosed(_ channel: any Channel) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.channels[ObjectIdentifier(channel)] = nil
            guard state.channels.isEmpty else { return [] }
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Sends GOAWAY on every connection.
    func beginDrain() {
        let channels = state.withLock { state in
            state.draining = true
            return Array(state.channels.values)
        }
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(BeginDrain())
        }
    }

    /// Closes every connection still open, whatever it is doing.
    func closeAll() {
        let channels = state.withLock { Array($0.channels.values) }
        for channel in channels { channel.close(promise: nil) }
    }

    /// Returns once no connection is open.
    func waitUntilAllClosed() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.channels.isEmpty { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    var openConnections: Int { state.withLock { $0.channels.count } }
}
