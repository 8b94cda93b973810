import DVCProto
import Foundation
import RPCCore
import RPCNIO
import Testing

/// GOAWAY on graceful shutdown (docs/protocol.md, "GOAWAY and draining"): no new calls on the
/// connection, the calls in flight still get their answers, and the server closes once they are
/// done.
@Suite(.timeLimit(.minutes(1))) struct GoAwayDrainTests {
    @Test("a slow call survives shutdownGracefully; a new call gets UNAVAILABLE; shutdown completes")
    func drainWithClient() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        try await withClient([server.peer]) { client in
            let slow = Task {
                try await client.unary(ProbeMethods.sleep, simpleRequest(token: "slow", sleepMs: 500),
                                       options: CallOptions(timeout: .seconds(5)))
            }
            #expect(await eventually { await server.probe.hasStarted("slow") })
            let shutdown = Task { await server.server.shutdownGracefully() }
            // Let the GOAWAY reach the client.
            try await Task.sleep(for: .milliseconds(100))

            let code = await statusCode {
                try await client.unary(ProbeMethods.sleep, simpleRequest(token: "late"),
                                       options: CallOptions(timeout: .seconds(2)))
            }
            #expect(code == .unavailable)
            #expect(await !server.probe.hasStarted("late"))

            let response = try await withTimeout(.seconds(3), "the slow call") { try await slow.value }
            #expect(response.payload == Data("slow".utf8))
            try await withTimeout(.seconds(3), "shutdown") { await shutdown.value }
        }
    }

    @Test("on the wire: GOAWAY with code 0, a late REQUEST gets UNAVAILABLE, the slow call its answer, then close")
    func drainOnTheWire() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let connection = try await RawConnection.handshake(port: server.port)
        defer { Task { await connection.close() } }
        try await connection.send(RawFrame.request(1, method: ProbeMethods.sleep.path,
                                                   payload: simpleRequest(token: "slow", sleepMs: 400)))
        #expect(await eventually { await server.probe.hasStarted("slow") })
        let shutdown = Task { await server.server.shutdownGracefully() }

        let goAway = try await connection.readFrame()
        #expect(goAway.frameType == .goAway)
        #expect(goAway.callID == 0)
        #expect(try goAway.goAway().code == 0)

        try await connection.send(RawFrame.request(2, method: ProbeMethods.sleep.path,
                                                   payload: simpleRequest(token: "late")))
        let refused = try await connection.readFrame()
        #expect(refused.callID == 2)
        #expect(StatusCode(wireValue: try refused.responseHeader().code) == .unavailable)
        #expect(refused.payload.isEmpty)

        let answered = try await connection.readFrame()
        #expect(answered.callID == 1)
        #expect(try answered.responseHeader().code == 0)
        #expect(try await connection.readUntilClosed().isEmpty)
        try await withTimeout(.seconds(3), "shutdown") { await shutdown.value }
        #expect(await !server.probe.hasStarted("late"))

        // The listener is gone.
        await #expect(throws: (any Error).self) { _ = try await RawConnection.connect(port: server.port) }
    }

    @Test("an idle connection that its client keeps open is closed after the GOAWAY grace period")
    func idleConnectionCloses() async throws {
        let server = try await TestServer.start(configuration: TestServer.configuration {
            $0.goAwayGrace = .milliseconds(300)
        })
        let connection = try await RawConnection.handshake(port: server.port)
        defer { Task { await connection.close() } }
        let (_, elapsed) = try await timed {
            try await withTimeout(.seconds(3), "shutdown") { await server.server.shutdownGracefully() }
        }
        // Open for the grace period, so a REQUEST already on its way would still be answered...
        #expect(elapsed >= .milliseconds(290), "closed after \(elapsed)")
        // ...and not much longer.
        #expect(elapsed < .seconds(1.5), "closed after \(elapsed)")
        let goAway = RawFrame.parse(try await connection.readUntilClosed())
        #expect(goAway?.frame.frameType == .goAway)
    }

    @Test("an idle connection of the platform's client closes at once on shutdown: the client closes it")
    func idleClientConnectionCloses() async throws {
        let server = try await TestServer.start()
        try await withClient([server.peer]) { client in
            _ = try await client.unary(ProbeMethods.sleep, simpleRequest(token: "warm"),
                                       options: CallOptions(timeout: .seconds(2)))
            let (_, elapsed) = try await timed {
                try await withTimeout(.seconds(3), "shutdown") { await server.server.shutdownGracefully() }
            }
            // Far less than the 2 s grace: the client closed as soon as it read the GOAWAY.
            #expect(elapsed < .seconds(1), "closed after \(elapsed)")
        }
    }

    @Test("the drain timeout closes connections whose calls do not finish")
    func drainTimeout() async throws {
        let configuration = TestServer.configuration { $0.drainTimeout = .milliseconds(200) }
        let server = try await TestServer.start(configuration: configuration)
        let connection = try await RawConnection.handshake(port: server.port)
        defer { Task { await connection.close() } }
        try await connection.send(RawFrame.request(1, method: ProbeMethods.sleep.path,
                                                   payload: simpleRequest(token: "endless", sleepMs: 10_000)))
        #expect(await eventually { await server.probe.hasStarted("endless") })
        let (_, elapsed) = try await timed {
            try await withTimeout(.seconds(3), "shutdown") { await server.server.shutdownGracefully() }
        }
        #expect(elapsed >= .milliseconds(190) && elapsed < .seconds(1), "\(elapsed)")
        _ = try await connection.readUntilClosed()
        #expect(await eventually(within: .seconds(1)) { await server.probe.wasCancelled("endless") })
    }
}
