import DVCProto
import Foundation
import RPCCore
import RPCNIO
import Testing

/// Errors that belong to one call, not to the connection: the call gets a status, and the
/// connection goes on serving (docs/protocol.md, "A call from start to end").
@Suite(.timeLimit(.minutes(1))) struct ServerCallErrorTests {
    static let unaryCall = TestingV1.TestService.unaryCall.path

    /// Sends `frame`, expects a RESPONSE to it with `code`, then checks that a valid call on
    /// the same connection still succeeds. Returns the failed response's header.
    static func failsAlone(
        _ frame: RawFrame,
        code: StatusCode,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> RpcV1.ResponseHeader {
        try await withServer { server in
            let connection = try await RawConnection.handshake(port: server.port)
            defer { Task { await connection.close() } }
            try await connection.send(frame)
            let response = try await connection.readFrame()
            #expect(response.frameType == .response, sourceLocation: sourceLocation)
            #expect(response.callID == frame.callID, sourceLocation: sourceLocation)
            let header = try response.responseHeader()
            #expect(StatusCode(wireValue: header.code) == code, "\(header.code): \(header.message)",
                    sourceLocation: sourceLocation)
            #expect(response.payload.isEmpty, "a failed RESPONSE carries no payload", sourceLocation: sourceLocation)

            // The connection is still usable.
            var request = TestingV1.SimpleRequest()
            request.payload = Data("still here".utf8)
            try await connection.send(RawFrame.request(frame.callID &+ 1, method: unaryCall, payload: request))
            let next = try await connection.readFrame()
            #expect(next.callID == frame.callID &+ 1, sourceLocation: sourceLocation)
            #expect(try next.responseHeader().code == 0, sourceLocation: sourceLocation)
            #expect(try TestingV1.SimpleResponse(protobuf: next.payload).payload == Data("still here".utf8),
                    sourceLocation: sourceLocation)
            #expect(!connection.isClosed, sourceLocation: sourceLocation)
            return header
        }
    }

    static let badHeaders: [[UInt8]] = [
        [0x0A, 0x10, 0x41],  // method: a string announced 16 bytes long, 1 there
        [0xFF, 0xFF, 0xFF],  // not protobuf at all
        ProtoWire.lengthDelimited(1, [0x2F, 0xC3, 0x28]),  // method: invalid UTF-8
    ]

    @Test("an undecodable header: INVALID_ARGUMENT for that call, the connection stays usable",
          arguments: badHeaders)
    func undecodableHeader(_ header: [UInt8]) async throws {
        let frame = RawFrame(type: FrameType.request.rawValue, callID: 11, header: header,
                             payload: simpleRequest().protobufBytes)
        let response = try await Self.failsAlone(frame, code: .invalidArgument)
        #expect(!response.violations.isEmpty)
        #expect(response.violations.allSatisfy { $0.field.hasPrefix("header") }, "\(response.violations)")
    }

    @Test("an undecodable payload: INVALID_ARGUMENT with a FieldViolation, the connection stays usable")
    func undecodablePayload() async throws {
        // Field 2 (`payload`) announced as 5 bytes, only 1 there.
        let frame = RawFrame.request(21, method: Self.unaryCall, rawPayload: [0x12, 0x05, 0x01])
        let header = try await Self.failsAlone(frame, code: .invalidArgument)
        #expect(header.violations.count == 1)
        #expect(header.violations.first?.field == "payload")
        #expect(header.message.contains("dvc.testing.v1.SimpleRequest"), "\(header.message)")
    }

    static let badStrings: [(String, [UInt8], String)] = [
        ("invalid UTF-8", [0xC3, 0x28], "not valid UTF-8"),
        ("lone continuation byte", [0x61, 0x80, 0x62], "not valid UTF-8"),
        ("NUL byte", [0x61, 0x00, 0x62], "NUL"),
    ]

    @Test("a string that is not UTF-8 or holds a NUL: INVALID_ARGUMENT naming the field", arguments: badStrings)
    func badString(_ name: String, _ text: [UInt8], _ words: String) async throws {
        // SimpleRequest.response_status (3) { code (1) = 3, message (2) = text }
        let status = ProtoWire.varintField(1, 3) + ProtoWire.lengthDelimited(2, text)
        let payload = ProtoWire.varintField(4, 1) + ProtoWire.lengthDelimited(3, status)
        let frame = RawFrame.request(31, method: Self.unaryCall, rawPayload: payload)
        let header = try await Self.failsAlone(frame, code: .invalidArgument)
        #expect(header.violations.map(\.field) == ["response_status.message"], "\(name)")
        #expect(header.violations.first?.description.contains(words) == true,
                "\(name): \(header.violations.first?.description ?? "")")
        #expect(header.message.contains("response_status.message"), "\(name): \(header.message)")
    }

    @Test("an unknown method of a served service: UNIMPLEMENTED saying the method is unknown")
    func unknownMethod() async throws {
        let frame = RawFrame.request(41, method: "/dvc.testing.v1.TestService/NoSuchCall", payload: simpleRequest())
        let header = try await Self.failsAlone(frame, code: .unimplemented)
        #expect(header.message.contains("method /dvc.testing.v1.TestService/NoSuchCall"), "\(header.message)")
    }

    @Test("an unknown service: UNIMPLEMENTED saying the service is not served")
    func unknownService() async throws {
        let frame = RawFrame.request(51, method: "/dvc.nowhere.v1.Nothing/Call", payload: simpleRequest())
        let header = try await Self.failsAlone(frame, code: .unimplemented)
        #expect(header.message.contains("service dvc.nowhere.v1.Nothing"), "\(header.message)")
    }

    @Test("a RESPONSE carries a payload only when its code is 0")
    func payloadOnlyWhenOK() async throws {
        try await withServer { server in
            let connection = try await RawConnection.handshake(port: server.port)
            defer { Task { await connection.close() } }

            var ok = TestingV1.SimpleRequest()
            ok.responseSize = 5
            try await connection.send(RawFrame.request(1, method: Self.unaryCall, payload: ok))
            let okResponse = try await connection.readFrame()
            #expect(try okResponse.responseHeader().code == 0)
            #expect(try TestingV1.SimpleResponse(protobuf: okResponse.payload).payload == Data(count: 5))

            var failing = TestingV1.SimpleRequest()
            failing.responseSize = 5
            failing.payload = Data("ignored".utf8)
            var status = TestingV1.EchoStatus()
            status.code = StatusCode.notFound.wireValue
            status.message = "Kh\u{F4}ng t\u{EC}m th\u{1EA5}y \u{1F50D}  \t(none)"
            failing.responseStatus = status
            try await connection.send(RawFrame.request(2, method: Self.unaryCall, payload: failing))
            let failed = try await connection.readFrame()
            let header = try failed.responseHeader()
            #expect(header.code == StatusCode.notFound.wireValue)
            #expect(header.message == status.message, "status messages come back byte for byte")
            #expect(failed.payload.isEmpty)
        }
    }
}
