import DVCProto
import RPCCore
import RPCNIO
import Testing

/// The per-connection limit of calls in flight: calls beyond it get RESOURCE_EXHAUSTED, the
/// others are served (docs/protocol.md, "Limits").
@Suite(.timeLimit(.minutes(1))) struct InFlightLimitTests {
    @Test("limit 4, 6 sleeping calls on one connection: 4 answered, 2 RESOURCE_EXHAUSTED")
    func sixOverFour() async throws {
        let configuration = TestServer.configuration { $0.maximumCallsInFlight = 4 }
        try await withServer(configuration: configuration) { server in
            try await withClient([server.peer]) { client in
                let codes = Collected<StatusCode?>()
                await withTaskGroup(of: Void.self) { group in
                    for index in 0..<6 {
                        group.addTask {
                            let code = await statusCode {
                                try await client.unary(ProbeMethods.sleep,
                                                       simpleRequest(token: "c\(index)", sleepMs: 400),
                                                       options: CallOptions(timeout: .seconds(5)))
                            }
                            codes.append(code)
                        }
                    }
                }
                let all = codes.all
                #expect(all.filter { $0 == nil }.count == 4, "\(all)")
                #expect(all.filter { $0 == .resourceExhausted }.count == 2, "\(all)")
                #expect(await server.probe.startedCount == 4)
            }
        }
    }

    @Test("on the wire: the call over the limit is refused at once, and served once room is made")
    func refusedThenRoom() async throws {
        let configuration = TestServer.configuration { $0.maximumCallsInFlight = 2 }
        try await withServer(configuration: configuration) { server in
            let connection = try await RawConnection.handshake(port: server.port)
            defer { Task { await connection.close() } }
            for callID in UInt32(1)...2 {
                try await connection.send(RawFrame.request(callID, method: ProbeMethods.sleep.path,
                                                           payload: simpleRequest(token: "s\(callID)", sleepMs: 300)))
            }
            try await connection.send(RawFrame.request(3, method: ProbeMethods.sleep.path,
                                                       payload: simpleRequest(token: "s3")))
            let refused = try await connection.readFrame()
            #expect(refused.callID == 3)
            let header = try refused.responseHeader()
            #expect(StatusCode(wireValue: header.code) == .resourceExhausted)
            #expect(header.message.contains("2"), "\(header.message)")
            for _ in 1...2 {
                let answered = try await connection.readFrame()
                #expect(try answered.responseHeader().code == 0)
            }
            try await connection.send(RawFrame.request(3, method: ProbeMethods.sleep.path,
                                                       payload: simpleRequest(token: "s3")))
            let served = try await connection.readFrame()
            #expect(served.callID == 3)
            #expect(try served.responseHeader().code == 0)
        }
    }
}
