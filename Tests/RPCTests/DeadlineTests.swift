import DVCProto
import Foundation
import Logging
import RPCCore
import RPCNIO
import Testing

/// Deadlines (docs/protocol.md, "Deadlines"): the server stops the work and answers
/// DEADLINE_EXCEEDED once `timeout_ms` has passed; calls made on behalf of a request carry the
/// remaining time, never more.
@Suite(.timeLimit(.minutes(1))) struct DeadlineTests {
    @Test("a slow handler is cut off: DEADLINE_EXCEEDED in time, and the handler's task is cancelled")
    func clientSeesDeadline() async throws {
        try await withServer { server in
            try await withClient([server.peer]) { client in
                let (code, elapsed) = await timed {
                    await statusCode {
                        try await client.unary(ProbeMethods.sleep, simpleRequest(token: "slow", sleepMs: 5000),
                                               options: CallOptions(timeout: .milliseconds(100)))
                    }
                }
                #expect(code == .deadlineExceeded)
                #expect(elapsed >= .milliseconds(95), "gave up before the deadline: \(elapsed)")
                #expect(elapsed < .milliseconds(400), "took \(elapsed)")
                #expect(await server.probe.hasStarted("slow"))
                #expect(await eventually(within: .seconds(1)) { await server.probe.wasCancelled("slow") },
                        "the handler was not cancelled")
                #expect(await !server.probe.hasCompleted("slow"))
            }
        }
    }

    @Test("the server enforces timeout_ms by itself: DEADLINE_EXCEEDED, the handler cancelled")
    func serverEnforcesDeadline() async throws {
        try await withServer { server in
            let connection = try await RawConnection.handshake(port: server.port)
            defer { Task { await connection.close() } }
            let start = ContinuousClock.now
            try await connection.send(RawFrame.request(1, method: ProbeMethods.sleep.path, timeoutMs: 100,
                                                       payload: simpleRequest(token: "raw-slow", sleepMs: 5000)))
            let response = try await connection.readFrame()
            let elapsed = ContinuousClock.now - start
            #expect(response.callID == 1)
            let header = try response.responseHeader()
            #expect(StatusCode(wireValue: header.code) == .deadlineExceeded, "\(header.code) \(header.message)")
            #expect(response.payload.isEmpty)
            #expect(elapsed >= .milliseconds(95) && elapsed < .milliseconds(400), "answered after \(elapsed)")
            #expect(await eventually(within: .seconds(1)) { await server.probe.wasCancelled("raw-slow") })

            // The connection goes on, and the cancelled handler's late result never shows up.
            try await connection.send(RawFrame.request(2, method: ProbeMethods.sleep.path,
                                                       payload: simpleRequest(token: "next", sleepMs: 50)))
            let next = try await connection.readFrame()
            #expect(next.callID == 2)
            #expect(try next.responseHeader().code == 0)
        }
    }

    @Test("TestService.UnaryCall honours the deadline too")
    func interopHonoursDeadline() async throws {
        try await withServer { server in
            try await withClient([server.peer]) { client in
                var request = TestingV1.SimpleRequest()
                request.sleepMs = 3000
                let (code, elapsed) = await timed {
                    await statusCode {
                        try await client.unary(TestingV1.TestService.unaryCall, request,
                                               options: CallOptions(timeout: .milliseconds(100)))
                    }
                }
                #expect(code == .deadlineExceeded)
                #expect(elapsed < .milliseconds(400))
                // A call that fits its deadline is answered.
                request.sleepMs = 20
                request.payload = Data("in time".utf8)
                let response = try await client.unary(TestingV1.TestService.unaryCall, request,
                                                      options: CallOptions(timeout: .seconds(2)))
                #expect(response.payload == Data("in time".utf8))
            }
        }
    }

    @Test("downstream calls get the remaining time, never more; request id and trace carried on")
    func propagation() async throws {
        try await withServer { server in
            try await withClient([server.peer]) { client in
                let traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
                _ = try await client.unary(ProbeMethods.context, simpleRequest(token: "d", sleepMs: 200),
                                           options: CallOptions(timeout: .milliseconds(1000),
                                                                metadata: ["x-request-id": "req-42",
                                                                           "traceparent": traceparent]))
                let seen = try #require(await server.probe.context("d"))
                let remaining = try #require(seen.remainingTime)
                #expect(remaining <= .milliseconds(800), "remaining \(remaining) after a 200 ms sleep of 1 s")
                #expect(remaining > .zero)
                let downstream = try #require(seen.downstream.timeout)
                #expect(downstream <= remaining, "downstream \(downstream) > remaining \(remaining)")
                #expect(downstream > remaining - .milliseconds(50))
                #expect(try #require(seen.downstreamAskingForAMinute.timeout) <= remaining)
                #expect(seen.downstreamAskingForLittle.timeout == .milliseconds(5))
                #expect(seen.downstream.metadata["x-request-id"] == "req-42")
                let childTrace = try #require(seen.downstream.metadata["traceparent"].flatMap(TraceContext.init))
                #expect(childTrace.traceID == "0af7651916cd43dd8448eb211c80319c")
                #expect(childTrace.spanID != seen.spanID)
            }
        }
    }

    @Test("without a deadline there is no remaining time, and downstream keeps its own")
    func noDeadline() async throws {
        try await withServer { server in
            try await withClient([server.peer]) { client in
                _ = try await client.unary(ProbeMethods.context, simpleRequest(token: "none"))
                let seen = try #require(await server.probe.context("none"))
                #expect(seen.remainingTime == nil)
                #expect(seen.downstream.timeout == nil)
                #expect(seen.downstreamAskingForAMinute.timeout == .seconds(60))
            }
        }
    }

    @Test("ServerContext.downstreamOptions: the remaining time caps every timeout, zero once passed")
    func downstreamOptionsUnit() {
        func context(deadline: ContinuousClock.Instant?) -> ServerContext {
            ServerContext(method: "/a.B/C", metadata: [:], deadline: deadline, requestID: "r",
                          trace: .random(), remoteAddress: "test", logger: Logger(label: "test"))
        }
        let soon = context(deadline: .now + .milliseconds(300))
        for asked in [nil, Duration.seconds(1), .milliseconds(301), .seconds(3600)] {
            let timeout = soon.downstreamOptions(CallOptions(timeout: asked)).timeout
            #expect(timeout != nil && timeout! <= .milliseconds(300), "asked \(String(describing: asked)), got \(String(describing: timeout))")
        }
        #expect(soon.downstreamOptions(CallOptions(timeout: .milliseconds(10))).timeout == .milliseconds(10))

        let passed = context(deadline: .now - .seconds(1))
        #expect(passed.remainingTime == .zero)
        let options = passed.downstreamOptions(CallOptions(timeout: .seconds(5)))
        #expect(options.timeout == .zero)
        // On the wire a spent deadline is 1 ms, never 0 (which would mean "no deadline").
        #expect(options.timeoutMilliseconds == 1)
    }

    @Test("timeout_ms on the wire: rounded up, 0 only for no deadline")
    func wireTimeout() {
        #expect(CallOptions().timeoutMilliseconds == 0)
        #expect(CallOptions(timeout: .microseconds(1)).timeoutMilliseconds == 1)
        #expect(CallOptions(timeout: .milliseconds(250)).timeoutMilliseconds == 250)
        #expect(CallOptions(timeout: .microseconds(250_001)).timeoutMilliseconds == 251)
        #expect(CallOptions(timeout: .seconds(10_000_000)).timeoutMilliseconds == UInt32.max)
    }
}
