import DVCProto
import Foundation
import RPCCore
import RPCNIO
import Testing

/// CANCEL (docs/protocol.md, "Cancellation"): the client gives up on a call; the server stops the
/// work it can and stays healthy.
@Suite(.timeLimit(.minutes(1))) struct CancelTests {
    @Test("cancelling the caller's task: CANCELLED at once, the handler cancelled, the next call answered")
    func cancelClientTask() async throws {
        try await withServer { server in
            try await withClient([server.peer]) { client in
                let call = Task {
                    try await client.unary(ProbeMethods.sleep, simpleRequest(token: "doomed", sleepMs: 5000),
                                           options: CallOptions(timeout: .seconds(10)))
                }
                #expect(await eventually { await server.probe.hasStarted("doomed") })
                let start = ContinuousClock.now
                call.cancel()
                let code = await statusCode { try await withTimeout(.seconds(2), "cancelled call") { try await call.value } }
                #expect(code == .cancelled)
                #expect(ContinuousClock.now - start < .milliseconds(500))
                #expect(await eventually(within: .seconds(1)) { await server.probe.wasCancelled("doomed") },
                        "the server's handler did not see the cancellation")
                #expect(await !server.probe.hasCompleted("doomed"))

                let response = try await client.unary(ProbeMethods.sleep, simpleRequest(token: "next"),
                                                      options: CallOptions(timeout: .seconds(2)))
                #expect(response.payload == Data("next".utf8))
            }
        }
    }

    @Test("a call made from an already cancelled task ends at once with CANCELLED")
    func alreadyCancelled() async throws {
        try await withServer { server in
            try await withClient([server.peer]) { client in
                // Connect first, so the call below is not held up by connecting.
                _ = try await client.unary(ProbeMethods.sleep, simpleRequest(token: "warm"))
                let call = Task {
                    withUnsafeCurrentTask { $0?.cancel() }
                    return try await client.unary(ProbeMethods.sleep, simpleRequest(token: "pre", sleepMs: 2000),
                                                  options: CallOptions(timeout: .seconds(5)))
                }
                let (code, elapsed) = await timed {
                    await statusCode { try await withTimeout(.seconds(4), "a cancelled call") { try await call.value } }
                }
                #expect(code == .cancelled)
                #expect(elapsed < .milliseconds(500), "the call ran for \(elapsed)")
                if await server.probe.hasStarted("pre") {
                    #expect(await eventually(within: .seconds(1)) { await server.probe.wasCancelled("pre") })
                }
            }
        }
    }

    @Test("a raw CANCEL frame stops the handler; the server sends nothing for it and serves on")
    func rawCancel() async throws {
        try await withServer { server in
            let connection = try await RawConnection.handshake(port: server.port)
            defer { Task { await connection.close() } }
            try await connection.send(RawFrame.request(9, method: ProbeMethods.sleep.path,
                                                       payload: simpleRequest(token: "c", sleepMs: 5000)))
            #expect(await eventually { await server.probe.hasStarted("c") })
            try await connection.send(RawFrame.cancel(9))
            #expect(await eventually(within: .seconds(1)) { await server.probe.wasCancelled("c") })
            // A CANCEL for a call not in flight is ignored.
            try await connection.send(RawFrame.cancel(12345))

            try await connection.send(RawFrame.request(10, method: ProbeMethods.sleep.path,
                                                       payload: simpleRequest(token: "d", sleepMs: 10)))
            let next = try await connection.readFrame()
            // Nothing came for call 9 (the server may send nothing): the next frame is call 10's.
            #expect(next.callID == 10)
            #expect(try next.responseHeader().code == 0)
            // Call id 9 is free again.
            try await connection.send(RawFrame.request(9, method: ProbeMethods.sleep.path,
                                                       payload: simpleRequest(token: "e")))
            let again = try await connection.readFrame()
            #expect(again.callID == 9)
            #expect(try again.responseHeader().code == 0)
        }
    }
}
