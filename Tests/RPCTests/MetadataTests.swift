import DVCProto
import Foundation
import RPCCore
import RPCNIO
import Testing

/// Metadata and the request id reach the handler; response metadata comes back.
@Suite(.timeLimit(.minutes(1))) struct MetadataTests {
    static let vietnamese = "Nguy\u{1EC5}n Th\u{1ECB} \u{C1}nh \u{1F389}"

    @Test("request metadata, the caller's request id and trace reach the handler's context")
    func reachesHandler() async throws {
        try await withServer { server in
            try await withClient([server.peer]) { client in
                let metadata = [
                    "x-request-id": "req-123",
                    "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                    "authorization": "Bearer t0ken",
                    "x-custom": Self.vietnamese,
                ]
                let response = try await client.unary(ProbeMethods.context, simpleRequest(token: "m"),
                                                      options: CallOptions(timeout: .milliseconds(250),
                                                                           metadata: metadata))
                #expect(response.payload == Data("m".utf8))
                let seen = try #require(await server.probe.context("m"))
                #expect(seen.method == ProbeMethods.context.path)
                #expect(seen.metadata == metadata)
                #expect(seen.requestID == "req-123")
                #expect(seen.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
                #expect(seen.spanID != "00f067aa0ba902b7", "each hop gets a span of its own")
                let remaining = try #require(seen.remainingTime)
                #expect(remaining <= .milliseconds(250) && remaining > .zero)
            }
        }
    }

    @Test("without an x-request-id, or with an unprintable one, the server makes one up")
    func generatedRequestID() async throws {
        try await withServer { server in
            try await withClient([server.peer]) { client in
                _ = try await client.unary(ProbeMethods.context, simpleRequest(token: "a"))
                _ = try await client.unary(ProbeMethods.context, simpleRequest(token: "b"),
                                           options: CallOptions(metadata: ["x-request-id": "bad\nid"]))
                let a = try #require(await server.probe.context("a"))
                let b = try #require(await server.probe.context("b"))
                for seen in [a, b] {
                    #expect(RequestID.isAcceptable(seen.requestID))
                    #expect(seen.requestID != "bad\nid")
                    #expect(seen.traceID.count == 32)
                }
                #expect(a.requestID != b.requestID)
                #expect(a.traceID != b.traceID)
            }
        }
    }

    @Test("response metadata comes back in the RESPONSE header")
    func responseMetadataOnTheWire() async throws {
        try await withServer { server in
            let connection = try await RawConnection.handshake(port: server.port)
            defer { Task { await connection.close() } }
            let metadata = ["x-test-echo-a": "1", "x-test-echo-t\u{EA}n": Self.vietnamese, "x-not-echoed": "2"]
            try await connection.send(RawFrame.request(1, method: TestingV1.TestService.unaryCall.path,
                                                       metadata: metadata, payload: simpleRequest(token: "e")))
            let response = try await connection.readFrame()
            let header = try response.responseHeader()
            #expect(header.code == 0)
            #expect(header.metadata == ["x-test-echo-a": "1", "x-test-echo-t\u{EA}n": Self.vietnamese])

            try await connection.send(RawFrame.request(2, method: ProbeMethods.context.path,
                                                       payload: simpleRequest(token: "probe")))
            #expect(try await connection.readFrame().responseHeader().metadata == ["x-probe-token": "probe"])
        }
    }

    @Test("a failed call brings back its response metadata to the client, with the exact status")
    func responseMetadataOnError() async throws {
        try await withServer { server in
            try await withClient([server.peer]) { client in
                var request = TestingV1.SimpleRequest()
                var status = TestingV1.EchoStatus()
                status.code = StatusCode.permissionDenied.wireValue
                status.message = "Kh\u{F4}ng \u{111}\u{1B0}\u{1EE3}c ph\u{E9}p \u{1F6AB}\n  end"
                request.responseStatus = status
                do {
                    _ = try await client.unary(TestingV1.TestService.unaryCall, request,
                                               options: CallOptions(metadata: ["x-test-echo-k": Self.vietnamese]))
                    Issue.record("the call should have failed")
                } catch let error as RPCError {
                    #expect(error.code == .permissionDenied)
                    #expect(error.message == status.message)
                    #expect(error.metadata == ["x-test-echo-k": Self.vietnamese])
                }
            }
        }
    }
}
