import DVCProto
import Foundation
import RPCCore
import RPCNIO
import Testing

/// RPCClient over two peers: calls spread over both, and move to the other one when a peer
/// goes away, when that is safe (never sent, or idempotent).
@Suite(.timeLimit(.minutes(1))) struct FailoverTests {
    @Test("both peers are listed and used; after one shuts down every call goes to the other")
    func failoverOnShutdown() async throws {
        let first = try await TestServer.start()
        let second = try await TestServer.start()
        defer { Task { await first.stop(); await second.stop() } }
        try await withClient([first.peer, second.peer]) { client in
            #expect(client.peers == [first.peer, second.peer])
            for index in 0..<4 {
                _ = try await client.unary(ProbeMethods.sleep, simpleRequest(token: "before-\(index)"),
                                           options: CallOptions(timeout: .seconds(2)))
            }
            #expect(await first.probe.startedCount == 2, "round robin over both peers")
            #expect(await second.probe.startedCount == 2)

            await first.stop()
            // Right away the client may not have seen the close yet and write a call to the dying
            // connection: idempotent calls are retried on the other peer.
            for index in 0..<4 {
                let response = try await client.unary(ProbeMethods.sleep, simpleRequest(token: "idem-\(index)"),
                                                      options: CallOptions(timeout: .seconds(2), idempotent: true))
                #expect(response.payload == Data("idem-\(index)".utf8))
                #expect(await second.probe.hasStarted("idem-\(index)"))
            }
            // Once the close has reached the client, calls that are not idempotent move too: they
            // are never sent to the closed peer.
            try await Task.sleep(for: .milliseconds(100))
            for index in 0..<4 {
                let response = try await client.unary(ProbeMethods.sleep, simpleRequest(token: "after-\(index)"),
                                                      options: CallOptions(timeout: .seconds(2)))
                #expect(response.payload == Data("after-\(index)".utf8))
                #expect(await second.probe.hasStarted("after-\(index)"))
            }
            #expect(await first.probe.startedCount == 2)
        }
    }

    @Test("calls that are not idempotent, sent while a peer drains, are answered there or moved, never lost")
    func notIdempotentDuringDrain() async throws {
        let first = try await TestServer.start()
        let second = try await TestServer.start()
        defer { Task { await first.stop(); await second.stop() } }
        try await withClient([first.peer, second.peer]) { client in
            // Both connections open before the drain starts.
            for index in 0..<2 {
                _ = try await client.unary(ProbeMethods.sleep, simpleRequest(token: "warm-\(index)"),
                                           options: CallOptions(timeout: .seconds(2)))
            }
            let stopping = Task { await first.stop() }
            // Calls race the GOAWAY: a REQUEST that reaches the draining peer after it is
            // refused with UNAVAILABLE marked not-processed, and the client sends it elsewhere.
            for index in 0..<40 {
                let token = "race-\(index)"
                let response = try await client.unary(ProbeMethods.sleep, simpleRequest(token: token),
                                                      options: CallOptions(timeout: .seconds(2)))
                #expect(response.payload == Data(token.utf8))
                let ranOnce = await first.probe.hasStarted(token) != second.probe.hasStarted(token)
                #expect(ranOnce, "\(token) ran on exactly one peer")
            }
            await stopping.value
        }
    }

    /// A peer whose connections are cut while a call sleeps there: the drain timeout closes them.
    static func cutting() -> RPCServerConfiguration {
        TestServer.configuration { $0.drainTimeout = .milliseconds(100) }
    }

    @Test("an idempotent call cut off with its connection is retried on the other peer")
    func idempotentMoves() async throws {
        let first = try await TestServer.start(configuration: Self.cutting())
        let second = try await TestServer.start()
        defer { Task { await first.stop(); await second.stop() } }
        try await withClient([first.peer, second.peer]) { client in
            // A fresh client starts at the first peer.
            let call = Task {
                try await client.unary(ProbeMethods.sleep, simpleRequest(token: "retry-me", sleepMs: 600),
                                       options: CallOptions(timeout: .seconds(5), idempotent: true))
            }
            #expect(await eventually { await first.probe.hasStarted("retry-me") })
            await first.stop()
            let response = try await withTimeout(.seconds(3), "the retried call") { try await call.value }
            #expect(response.payload == Data("retry-me".utf8))
            #expect(await first.probe.wasCancelled("retry-me"))
            #expect(await second.probe.hasCompleted("retry-me"))
        }
    }

    @Test("a call that is not idempotent, cut off after it was sent, fails with UNAVAILABLE and is not retried")
    func notIdempotentFails() async throws {
        let first = try await TestServer.start(configuration: Self.cutting())
        let second = try await TestServer.start()
        defer { Task { await first.stop(); await second.stop() } }
        try await withClient([first.peer, second.peer]) { client in
            let call = Task {
                try await client.unary(ProbeMethods.sleep, simpleRequest(token: "once", sleepMs: 600),
                                       options: CallOptions(timeout: .seconds(5)))
            }
            #expect(await eventually { await first.probe.hasStarted("once") })
            await first.stop()
            let code = await statusCode { try await withTimeout(.seconds(3), "the cut call") { try await call.value } }
            #expect(code == .unavailable)
            #expect(await !second.probe.hasStarted("once"), "a call that may have run was run again")
        }
    }

    @Test("a peer that refuses connections is skipped")
    func refusingPeerSkipped() async throws {
        let dead = PeerAddress(host: "127.0.0.1", port: try await refusingPort())
        let alive = try await TestServer.start()
        defer { Task { await alive.stop() } }
        try await withClient([dead, alive.peer]) { client in
            let (_, elapsed) = try await timed {
                for index in 0..<6 {
                    let response = try await client.unary(ProbeMethods.sleep, simpleRequest(token: "s\(index)"),
                                                          options: CallOptions(timeout: .seconds(2)))
                    #expect(response.payload == Data("s\(index)".utf8))
                }
            }
            #expect(elapsed < .seconds(1), "six calls took \(elapsed)")
            #expect(await alive.probe.startedCount == 6)
        }
    }
}
