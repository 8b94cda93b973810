import DVCProto
import Foundation
import RPCCore
import RPCNIO
import Testing

/// Many calls in flight on one connection, answered in any order, matched by call_id.
@Suite(.timeLimit(.minutes(1))) struct MultiplexingTests {
    @Test("3 calls sleeping 300/100/0 ms on one connection finish in reverse order, each with its own answer")
    func reverseOrder() async throws {
        try await withServer { server in
            try await withClient([server.peer]) { client in
                let order = Collected<String>()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (token, sleep) in [("slow", UInt32(300)), ("middle", 100), ("fast", 0)] {
                        group.addTask {
                            let response = try await client.unary(
                                ProbeMethods.sleep, simpleRequest(token: token, sleepMs: sleep),
                                options: CallOptions(timeout: .seconds(5)))
                            #expect(response.payload == Data(token.utf8), "\(token) got someone else's answer")
                            order.append(token)
                        }
                        // Keep the sending order deterministic.
                        #expect(await eventually { await server.probe.hasStarted(token) })
                    }
                    try await group.waitForAll()
                }
                #expect(order.all == ["fast", "middle", "slow"])
            }
        }
    }

    @Test("on the wire: responses come back out of order, matched by call_id")
    func outOfOrderOnTheWire() async throws {
        try await withServer { server in
            let connection = try await RawConnection.handshake(port: server.port)
            defer { Task { await connection.close() } }
            let calls: [(UInt32, UInt32)] = [(100, 300), (7, 150), (0xFFFF_FFFF, 0)]
            for (callID, sleep) in calls {
                try await connection.send(RawFrame.request(callID, method: ProbeMethods.sleep.path,
                                                           payload: simpleRequest(token: "call-\(callID)", sleepMs: sleep)))
            }
            var seen: [UInt32] = []
            for _ in calls {
                let frame = try await connection.readFrame()
                #expect(frame.frameType == .response)
                #expect(try frame.responseHeader().code == 0)
                #expect(try TestingV1.SimpleResponse(protobuf: frame.payload).payload == Data("call-\(frame.callID)".utf8))
                seen.append(frame.callID)
            }
            #expect(seen == [0xFFFF_FFFF, 7, 100])
        }
    }

    @Test("a call_id reused after its call timed out gets its own answer, not the stale handler's")
    func reuseAfterDeadline() async throws {
        try await withServer { server in
            let connection = try await RawConnection.handshake(port: server.port)
            defer { Task { await connection.close() } }
            // The first handler ignores cancellation and finishes at ~300 ms, long after its
            // deadline has answered the call.
            try await connection.send(RawFrame.request(5, method: ProbeMethods.stubborn.path, timeoutMs: 50,
                                                       payload: simpleRequest(token: "stale", sleepMs: 300)))
            let expired = try await connection.readFrame()
            #expect(expired.callID == 5)
            #expect(StatusCode(wireValue: try expired.responseHeader().code) == .deadlineExceeded)
            // Call 5 is no longer in flight: the id may be used again.
            try await connection.send(RawFrame.request(5, method: ProbeMethods.sleep.path,
                                                       payload: simpleRequest(token: "fresh", sleepMs: 600)))
            let answer = try await connection.readFrame()
            #expect(answer.callID == 5)
            #expect(try answer.responseHeader().code == 0)
            #expect(try TestingV1.SimpleResponse(protobuf: answer.payload).payload == Data("fresh".utf8),
                    "the stale handler's result was sent as the answer to the new call")
            #expect(await server.probe.hasCompleted("stale"))
            #expect(await server.probe.hasCompleted("fresh"))
        }
    }

    @Test("50 concurrent calls on one client all get their own answers")
    func manyConcurrent() async throws {
        try await withServer { server in
            try await withClient([server.peer]) { client in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<50 {
                        group.addTask {
                            var request = TestingV1.SimpleRequest()
                            request.payload = Data("n\(index)".utf8)
                            request.sleepMs = UInt32(index % 5) * 10
                            let response = try await client.unary(TestingV1.TestService.unaryCall, request,
                                                                  options: CallOptions(timeout: .seconds(5)))
                            #expect(response.payload == request.payload)
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
    }
}
