import DVCProto
import Foundation
import RPCCore
import RPCNIO
import Testing

/// What a client does when its connections die or cannot be made: fail pending calls at once,
/// fail fast while every peer is down, and reconnect once a peer is back.
@Suite(.timeLimit(.minutes(1))) struct ConnectionLossTests {
    @Test("pending calls fail with UNAVAILABLE as soon as the connection drops, not when the sleep ends")
    func pendingCallsFailPromptly() async throws {
        let configuration = TestServer.configuration { $0.drainTimeout = .milliseconds(100) }
        let server = try await TestServer.start(configuration: configuration)
        defer { Task { await server.stop() } }
        try await withClient([server.peer]) { client in
            let calls = (0..<3).map { index in
                Task {
                    try await client.unary(ProbeMethods.sleep, simpleRequest(token: "p\(index)", sleepMs: 5000),
                                           options: CallOptions(timeout: .seconds(10)))
                }
            }
            #expect(await eventually { await server.probe.startedCount == 3 })
            let start = ContinuousClock.now
            // Closes every channel once the 100 ms drain timeout passes.
            await server.stop()
            for call in calls {
                let code = await statusCode { try await withTimeout(.seconds(2), "a dropped call") { try await call.value } }
                #expect(code == .unavailable)
            }
            let elapsed = ContinuousClock.now - start
            #expect(elapsed < .seconds(1), "the calls failed after \(elapsed)")
        }
    }

    @Test("every peer down: calls fail fast with UNAVAILABLE")
    func allPeersDown() async throws {
        let peers = [PeerAddress(host: "127.0.0.1", port: try await refusingPort()),
                     PeerAddress(host: "127.0.0.1", port: try await refusingPort())]
        try await withClient(peers) { client in
            for round in 0..<3 {
                let (code, elapsed) = await timed {
                    await statusCode {
                        try await client.unary(ProbeMethods.sleep, simpleRequest(token: "x"),
                                               options: CallOptions(timeout: .seconds(5), idempotent: true))
                    }
                }
                #expect(code == .unavailable, "round \(round)")
                #expect(elapsed < .milliseconds(500), "round \(round) took \(elapsed)")
            }
        }
    }

    @Test("after the server comes back on the same port, the client reconnects")
    func reconnects() async throws {
        var configuration = RPCClientConfiguration()
        configuration.initialBackoff = .milliseconds(50)
        configuration.maximumBackoff = .milliseconds(200)
        let original = try await TestServer.start()
        let port = original.port
        try await withClient([original.peer], configuration: configuration) { client in
            let first = try await client.unary(ProbeMethods.sleep, simpleRequest(token: "one"),
                                               options: CallOptions(timeout: .seconds(2)))
            #expect(first.payload == Data("one".utf8))

            await original.stop()
            let down = await statusCode {
                try await client.unary(ProbeMethods.sleep, simpleRequest(token: "down"),
                                       options: CallOptions(timeout: .seconds(2)))
            }
            #expect(down == .unavailable)

            let revived = try await TestServer.start(port: port)
            defer { Task { await revived.stop() } }
            let back = await eventually(within: .seconds(3)) {
                let response = try? await client.unary(ProbeMethods.sleep, simpleRequest(token: "back"),
                                                       options: CallOptions(timeout: .seconds(1)))
                return response?.payload == Data("back".utf8)
            }
            #expect(back, "the client never reconnected")
            #expect(await revived.probe.hasCompleted("back"))
        }
    }
}
