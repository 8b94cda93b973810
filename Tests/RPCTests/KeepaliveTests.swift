import DVCProto
import NIOCore
import NIOPosix
import RPCCore
import RPCNIO
import Testing

/// PING/PONG and the server's keepalive (docs/protocol.md, "Keepalive"): either side may ping and
/// the peer echoes the 8 bytes; idle connections are pinged and closed when no PONG comes back in
/// time.
@Suite(.timeLimit(.minutes(1))) struct KeepaliveTests {
    @Test("PING with 8 bytes gets PONG with the same 8 bytes and call_id 0")
    func pingPong() async throws {
        try await withServer { server in
            let connection = try await RawConnection.handshake(port: server.port)
            defer { Task { await connection.close() } }
            for bytes: [UInt8] in [[1, 2, 3, 4, 5, 6, 7, 8], [0, 0, 0, 0, 0, 0, 0, 0], [0xFF, 0xFE, 0, 1, 0x80, 0x7F, 9, 9]] {
                try await connection.send(RawFrame.ping(bytes))
                let pong = try await connection.readFrame()
                #expect(pong == RawFrame.pong(bytes), "\(pong)")
                #expect(pong.bytes() == [0, 0, 0, 18, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0] + bytes)
            }
        }
    }

    @Test("a PING while a call is in flight is answered first; the call is unaffected")
    func pingDuringCall() async throws {
        try await withServer { server in
            let connection = try await RawConnection.handshake(port: server.port)
            defer { Task { await connection.close() } }
            try await connection.send(RawFrame.request(1, method: ProbeMethods.sleep.path,
                                                       payload: simpleRequest(token: "p", sleepMs: 200)))
            try await connection.send(RawFrame.ping([9, 8, 7, 6, 5, 4, 3, 2]))
            #expect(try await connection.readFrame() == RawFrame.pong([9, 8, 7, 6, 5, 4, 3, 2]))
            let response = try await connection.readFrame()
            #expect(response.callID == 1)
            #expect(try response.responseHeader().code == 0)
        }
    }

    static let keepalive = TestServer.configuration {
        $0.keepaliveInterval = .milliseconds(100)
        $0.keepaliveTimeout = .milliseconds(100)
    }

    @Test("keepalive: a client that never answers PING is disconnected; one that answers stays")
    func keepalive() async throws {
        try await withServer(configuration: Self.keepalive) { server in
            let silent = try await RawConnection.handshake(port: server.port)
            let lively = try await RawConnection.handshake(port: server.port)
            defer { Task { await silent.close(); await lively.close() } }

            // The lively one answers every PING for a while, much longer than interval + timeout.
            let end = ContinuousClock.now + .milliseconds(700)
            var pings = 0
            while ContinuousClock.now < end {
                guard let frame = try? await lively.readFrame(within: .milliseconds(300)) else { continue }
                #expect(frame.frameType == .ping)
                #expect(frame.callID == 0)
                #expect(frame.payload.count == 8)
                try await lively.send(RawFrame.pong(frame.payload))
                pings += 1
            }
            #expect(pings >= 2, "the server pinged \(pings) times in 700 ms with a 100 ms interval")
            #expect(!lively.isClosed)

            // The silent one was pinged, then closed.
            let written = try await silent.readUntilClosed(within: .seconds(1))
            let first = try #require(RawFrame.parse(written))
            #expect(first.frame.frameType == .ping)

            // The lively connection still serves calls.
            try await lively.send(RawFrame.request(1, method: ProbeMethods.sleep.path,
                                                   payload: simpleRequest(token: "alive")))
            let response = try await lively.readFrameAnsweringPings()
            #expect(response.callID == 1)
            #expect(try response.responseHeader().code == 0)
        }
    }

    @Test("keepalive: a connection with traffic is never pinged into closing")
    func busyConnection() async throws {
        try await withServer(configuration: Self.keepalive) { server in
            let connection = try await RawConnection.handshake(port: server.port)
            defer { Task { await connection.close() } }
            // A call every 50 ms for 500 ms: reads keep the connection from going idle.
            for round in 0..<10 {
                try await connection.send(RawFrame.request(UInt32(round + 1), method: ProbeMethods.sleep.path,
                                                           payload: simpleRequest(token: "b\(round)")))
                let response = try await connection.readFrameAnsweringPings()
                #expect(response.callID == UInt32(round + 1))
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(!connection.isClosed)
        }
    }
}

/// A peer whose host vanished: TCP accepted, then nothing ever comes back (no PONG, no
/// response, no FIN, no RST), as when a link goes down.
@Suite(.timeLimit(.minutes(1))) struct VanishedPeerTests {
    /// Accepts connections and reads everything, never writing a byte.
    final class Blackhole: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
    }

    @Test("calls on a silent connection probe it: an unanswered probe fails them with UNAVAILABLE long before their deadlines")
    func probeFindsAVanishedPeer() async throws {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Blackhole()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { listener.close(promise: nil) }
        var configuration = RPCClientConfiguration()
        configuration.probeAfterSilence = .milliseconds(500)
        configuration.probeTimeout = .milliseconds(500)
        let client = RPCClient(peers: [PeerAddress(host: "127.0.0.1", port: try #require(listener.localAddress?.port))],
                               configuration: configuration)
        let options = CallOptions(timeout: .seconds(20))
        // The first call opens the connection; nothing answers it: the watchdog probes while it waits.
        let opened = ContinuousClock.now
        let first = Task {
            defer { _ = opened }
            return try await client.unary(ProbeMethods.sleep, simpleRequest(token: "a"), options: options)
        }
        try await Task.sleep(for: .milliseconds(800))
        let started = ContinuousClock.now
        await #expect(throws: RPCError.self) {
            do {
                _ = try await client.unary(ProbeMethods.sleep, simpleRequest(token: "b"), options: options)
            } catch let error as RPCError {
                #expect(error.code == .unavailable, "\(error)")
                throw error
            }
        }
        let waited = ContinuousClock.now - started
        #expect(waited < .seconds(3), "the vanished peer was found after \(waited), not by the probe")
        let firstResult = await first.result
        let firstWaited = ContinuousClock.now - opened
        #expect(firstWaited < .seconds(3), "a call waiting on a silent connection was failed after \(firstWaited)")
        #expect((try? firstResult.get()) == nil)
        if case .failure(let error as RPCError) = firstResult { #expect(error.code == .unavailable, "\(error)") }
        await client.close()
    }
}
