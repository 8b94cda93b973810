import DVCProto
import Foundation
import RPCCore
import RPCNIO
import Testing

/// A client that breaks the framing rules (docs/protocol.md, "Protocol errors") over real TCP: the
/// server refuses a bad preface with one line, answers every other protocol error with GOAWAY
/// naming the rule, closes, and keeps serving everyone else.
@Suite(.timeLimit(.minutes(1))) struct ServerProtocolErrorTests {
    static let sleep = ProbeMethods.sleep.path

    static let badPrefaces: [[UInt8]] = [
        Array("DVCRPC".utf8) + [0, 2],
        Array("HELLO!!!".utf8),
        Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n".utf8),
    ]

    @Test("a bad preface gets `DVCRPC: bad preface` and the connection closes", arguments: badPrefaces)
    func badPreface(_ bytes: [UInt8]) async throws {
        try await withServer { server in
            let connection = try await RawConnection.connect(port: server.port)
            defer { Task { await connection.close() } }
            try await connection.send(bytes)
            let answer = try await connection.readUntilClosed()
            #expect(String(decoding: answer, as: UTF8.self) == Preface.rejection)
            #expect(Preface.rejection == "DVCRPC: bad preface\n")
        }
    }

    /// Sends `bytes` after the handshake; expects GOAWAY (call_id 0, no payload) with `code`
    /// and a message containing `words`, then the close.
    static func expectGoAway(
        after frames: [[UInt8]],
        configuration: RPCServerConfiguration = TestServer.configuration(),
        code: StatusCode,
        naming words: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await withServer(configuration: configuration) { server in
            let connection = try await RawConnection.handshake(port: server.port)
            defer { Task { await connection.close() } }
            for bytes in frames {
                try await connection.send(bytes)
            }
            var rest = try await connection.readUntilClosed()
            // Responses to earlier, valid calls may come first; the GOAWAY is the last frame.
            var last: RawFrame?
            while let (frame, consumed) = RawFrame.parse(rest) {
                last = frame
                rest.removeFirst(consumed)
            }
            #expect(rest.isEmpty, "trailing bytes after the last frame", sourceLocation: sourceLocation)
            let goAway = try #require(last, "no frame before the close", sourceLocation: sourceLocation)
            #expect(goAway.frameType == .goAway, "\(goAway)", sourceLocation: sourceLocation)
            #expect(goAway.callID == 0, sourceLocation: sourceLocation)
            #expect(goAway.payload.isEmpty, sourceLocation: sourceLocation)
            let header = try goAway.goAway()
            #expect(StatusCode(wireValue: header.code) == code, "GOAWAY \(header.code): \(header.message)",
                    sourceLocation: sourceLocation)
            #expect(header.message.contains(words), "GOAWAY message: \(header.message)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test("non-zero flags: GOAWAY INTERNAL naming the flags")
    func flags() async throws {
        var frame = RawFrame.request(1, method: Self.sleep, payload: simpleRequest(token: "x"))
        frame.flags = 1
        try await Self.expectGoAway(after: [frame.bytes()], code: .internalError, naming: "flags")
    }

    @Test("unknown frame type: GOAWAY INTERNAL naming the type")
    func unknownType() async throws {
        try await Self.expectGoAway(after: [RawFrame(type: 42, callID: 1).bytes()], code: .internalError,
                                    naming: "unknown frame type 42")
    }

    @Test("call_id 0 on a REQUEST: GOAWAY INTERNAL")
    func callIDZero() async throws {
        let frame = RawFrame.request(0, method: ProbeMethods.sleep.path, payload: simpleRequest(token: "zero"))
        try await Self.expectGoAway(after: [frame.bytes()], code: .internalError, naming: "call_id 0")
    }

    @Test("a call_id already in flight: GOAWAY INTERNAL naming the duplicate")
    func duplicateCallID() async throws {
        let first = RawFrame.request(7, method: Self.sleep, payload: simpleRequest(token: "first", sleepMs: 5000))
        let second = RawFrame.request(7, method: Self.sleep, payload: simpleRequest(token: "second"))
        try await Self.expectGoAway(after: [first.bytes(), second.bytes()], code: .internalError,
                                    naming: "duplicate call_id 7")
    }

    @Test("a call_id may be reused once its call is answered")
    func reuseAfterAnswer() async throws {
        try await withServer { server in
            let connection = try await RawConnection.handshake(port: server.port)
            defer { Task { await connection.close() } }
            for round in 0..<3 {
                try await connection.send(RawFrame.request(5, method: Self.sleep,
                                                           payload: simpleRequest(token: "r\(round)")))
                let response = try await connection.readFrame()
                #expect(response.callID == 5)
                #expect(try response.responseHeader().code == 0)
                #expect(response.payload == TestingV1.SimpleResponse.with(payload: "r\(round)").protobufBytes)
            }
        }
    }

    @Test("a frame over the limit: GOAWAY RESOURCE_EXHAUSTED after only its 4 length bytes")
    func oversize() async throws {
        let configuration = TestServer.configuration { $0.maximumFrameLength = 4096 }
        try await Self.expectGoAway(after: [bigEndian(4097)], configuration: configuration,
                                    code: .resourceExhausted, naming: "exceeds the limit")
    }

    @Test("a length below 10: GOAWAY INTERNAL")
    func lengthBelowMinimum() async throws {
        try await Self.expectGoAway(after: [bigEndian(3) + [4, 0, 0]], code: .internalError,
                                    naming: "below the minimum")
    }

    @Test("a header_length past the frame: GOAWAY INTERNAL")
    func headerPastFrame() async throws {
        let frame = RawFrame.request(1, method: Self.sleep, payload: simpleRequest(token: "h"))
        try await Self.expectGoAway(after: [frame.bytes(headerLength: UInt32(frame.header.count + frame.payload.count + 1))],
                                    code: .internalError, naming: "header_length")
    }

    @Test("frames only a server may send: GOAWAY INTERNAL", arguments: [FrameType.response, .goAway])
    func serverOnlyFrames(_ type: FrameType) async throws {
        try await Self.expectGoAway(after: [RawFrame(type: type.rawValue, callID: 1).bytes()],
                                    code: .internalError, naming: "may not send")
    }

    @Test("a valid call before the violation is answered, then GOAWAY")
    func answeredThenGoAway() async throws {
        try await withServer { server in
            let connection = try await RawConnection.handshake(port: server.port)
            defer { Task { await connection.close() } }
            try await connection.send(RawFrame.request(1, method: Self.sleep, payload: simpleRequest(token: "ok")))
            let response = try await connection.readFrame()
            #expect(response.frameType == .response)
            #expect(try response.responseHeader().code == 0)
            try await connection.send(RawFrame(type: 99, callID: 0).bytes())
            let goAway = try await connection.readFrame()
            #expect(goAway.frameType == .goAway)
            #expect(try goAway.goAway().message.contains("unknown frame type 99"))
            #expect(try await connection.readUntilClosed().isEmpty)
        }
    }

    @Test("a protocol error on one connection leaves the others working")
    func otherConnectionsUnaffected() async throws {
        try await withServer { server in
            let good = try await RawConnection.handshake(port: server.port)
            let bad = try await RawConnection.handshake(port: server.port)
            defer { Task { await good.close(); await bad.close() } }
            try await good.send(RawFrame.request(1, method: Self.sleep,
                                                 payload: simpleRequest(token: "slow", sleepMs: 200)))
            try await bad.send(RawFrame(type: 0, callID: 0).bytes())
            _ = try await bad.readUntilClosed()
            let response = try await good.readFrame()
            #expect(response.callID == 1)
            #expect(try response.responseHeader().code == 0)
            #expect(!good.isClosed)
        }
    }

    @Test("a truncated frame and a hang-up: the server survives and serves other connections")
    func truncatedThenHangUp() async throws {
        try await withServer { server in
            for cut in [1, 3, 4, 10, 14, 20] {
                let connection = try await RawConnection.handshake(port: server.port)
                let frame = RawFrame.request(1, method: Self.sleep, payload: simpleRequest(token: "cut"))
                try await connection.send(Array(frame.bytes().prefix(cut)))
                await connection.close()
            }
            // Also hang up in the middle of the preface.
            let early = try await RawConnection.connect(port: server.port)
            try await early.send(Array(Preface.bytes.prefix(3)))
            await early.close()

            let after = try await RawConnection.handshake(port: server.port)
            defer { Task { await after.close() } }
            try await after.send(RawFrame.request(3, method: Self.sleep, payload: simpleRequest(token: "after")))
            let response = try await after.readFrame()
            #expect(response.callID == 3)
            #expect(try response.responseHeader().code == 0)
            #expect(await server.probe.hasCompleted("after"))
            #expect(await !server.probe.hasStarted("cut"))
        }
    }
}

extension TestingV1.SimpleResponse {
    static func with(payload token: String) -> Self {
        var response = Self()
        response.payload = .init(token.utf8)
        return response
    }
}
