import DVCProto
import Foundation
import NIOCore
import NIOEmbedded
import NIOTestUtils
import RPCCore
import RPCNIO
import Testing

/// `ByteBuffer.writeFrame` and `FrameDecoder`: every frame type survives the round trip, the
/// bytes match the frame table of docs/protocol.md, and the decoder gives the same frames whether
/// the bytes come one at a time or all at once.
@Suite struct FrameCodecTests {
    static func requestHeader() -> RpcV1.RequestHeader {
        var header = RpcV1.RequestHeader()
        header.method = "/dvc.testing.v1.TestService/UnaryCall"
        header.timeoutMs = 1500
        header.metadata = ["x-request-id": "abc", "x-test-echo-t\u{EA}n": "Nguy\u{1EC5}n \u{1F389}"]
        return header
    }

    static func simpleRequest() -> TestingV1.SimpleRequest {
        var request = TestingV1.SimpleRequest()
        request.payload = Data([0, 1, 2, 0xFF])
        request.responseSize = 7
        return request
    }

    static func failedHeader() -> RpcV1.ResponseHeader {
        var header = RpcV1.ResponseHeader()
        header.code = StatusCode.invalidArgument.wireValue
        header.message = "H\u{1ED3} s\u{1A1} kh\u{F4}ng h\u{1EE3}p l\u{1EC7}"
        header.violations = [FieldViolation(field: "applicant.full_name", description: "required")]
        return header
    }

    /// One frame of each type, written by `writeFrame`, with what it must decode to.
    static func everyFrameType() -> [(name: String, encoded: ByteBuffer, type: FrameType, callID: UInt32)] {
        var cases: [(String, ByteBuffer, FrameType, UInt32)] = []
        var buffer = ByteBuffer()
        buffer.writeFrame(type: .request, callID: 1, header: requestHeader(), payload: simpleRequest())
        cases.append(("REQUEST", buffer, .request, 1))

        buffer = ByteBuffer()
        var okHeader = RpcV1.ResponseHeader()
        okHeader.metadata = ["x-test-echo-a": "b"]
        var response = TestingV1.SimpleResponse()
        response.payload = Data(repeating: 0, count: 300)
        buffer.writeFrame(type: .response, callID: 0xFFFF_FFFF, header: okHeader, payload: response)
        cases.append(("RESPONSE ok", buffer, .response, 0xFFFF_FFFF))

        buffer = ByteBuffer()
        buffer.writeFrame(type: .response, callID: 2, header: failedHeader(), payload: nil)
        cases.append(("RESPONSE failed", buffer, .response, 2))

        buffer = ByteBuffer()
        buffer.writeFrame(type: .cancel, callID: 3, header: nil, payload: nil)
        cases.append(("CANCEL", buffer, .cancel, 3))

        buffer = ByteBuffer()
        buffer.writeFrame(type: .ping, callID: 0, rawPayload: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8]))
        cases.append(("PING", buffer, .ping, 0))

        buffer = ByteBuffer()
        buffer.writeFrame(type: .pong, callID: 0, rawPayload: ByteBuffer(bytes: [8, 7, 6, 5, 4, 3, 2, 1]))
        cases.append(("PONG", buffer, .pong, 0))

        buffer = ByteBuffer()
        var goAway = RpcV1.GoAway()
        goAway.code = StatusCode.internalError.wireValue
        goAway.message = "unknown frame type 9"
        buffer.writeFrame(type: .goAway, callID: 0, header: goAway, payload: nil)
        cases.append(("GOAWAY", buffer, .goAway, 0))
        return cases
    }

    static func decoderAfterPreface(maximumFrameLength: Int = 1 << 24) throws -> FrameDecoder {
        var decoder = FrameDecoder(maximumFrameLength: maximumFrameLength)
        var preface = ByteBuffer(bytes: Preface.bytes)
        #expect(try decoder.decodeOne(&preface) == .preface)
        return decoder
    }

    @Test("every frame type: the bytes follow the table, and decode back to the same frame")
    func roundTripEveryType() throws {
        for (name, encoded, type, callID) in Self.everyFrameType() {
            // The bytes, read by hand.
            let bytes = Array(encoded.readableBytesView)
            let parsed = try #require(RawFrame.parse(bytes), "\(name): not one whole frame")
            #expect(parsed.consumed == bytes.count, "\(name)")
            #expect(Int(readBigEndian(bytes, at: 0)) == bytes.count - 4, "\(name): length")
            #expect(parsed.frame.type == type.rawValue, "\(name): type")
            #expect(parsed.frame.flags == 0, "\(name): flags")
            #expect(parsed.frame.callID == callID, "\(name): call_id")

            // The decoder.
            var decoder = try Self.decoderAfterPreface()
            var input = encoded
            let decoded = try decoder.decodeOne(&input)
            guard case .frame(let frame) = decoded else {
                Issue.record("\(name): decoded \(String(describing: decoded))")
                continue
            }
            #expect(input.readableBytes == 0, "\(name): bytes left over")
            #expect(frame.type == type)
            #expect(frame.callID == callID)
            #expect(Array(frame.header.readableBytesView) == parsed.frame.header, "\(name): header")
            #expect(Array(frame.payload.readableBytesView) == parsed.frame.payload, "\(name): payload")
        }
    }

    @Test("headers and payloads decode to the messages that were written")
    func messagesSurvive() throws {
        var decoder = try Self.decoderAfterPreface()
        var buffer = ByteBuffer()
        buffer.writeFrame(type: .request, callID: 42, header: Self.requestHeader(), payload: Self.simpleRequest())
        buffer.writeFrame(type: .response, callID: 42, header: Self.failedHeader(), payload: nil)
        var goAway = RpcV1.GoAway()
        goAway.message = "draining"
        buffer.writeFrame(type: .goAway, callID: 0, header: goAway, payload: nil)

        guard case .frame(let request)? = try decoder.decodeOne(&buffer),
              case .frame(let response)? = try decoder.decodeOne(&buffer),
              case .frame(let away)? = try decoder.decodeOne(&buffer)
        else {
            Issue.record("three frames expected")
            return
        }
        #expect(try RpcV1.RequestHeader(buffer: request.header) == Self.requestHeader())
        #expect(try TestingV1.SimpleRequest(buffer: request.payload) == Self.simpleRequest())
        #expect(try RpcV1.ResponseHeader(buffer: response.header) == Self.failedHeader())
        #expect(response.payload.readableBytes == 0)
        #expect(try RpcV1.GoAway(buffer: away.header) == goAway)
        #expect(away.payload.readableBytes == 0)
        #expect(try decoder.decodeOne(&buffer) == nil)
    }

    @Test("CANCEL, PING, PONG and GOAWAY carry no header beyond their own, and PING's 8 bytes")
    func fixedShapes() throws {
        var cancel = ByteBuffer()
        cancel.writeFrame(type: .cancel, callID: 9, header: nil, payload: nil)
        #expect(Array(cancel.readableBytesView) == [0, 0, 0, 10, 3, 0, 0, 0, 0, 9, 0, 0, 0, 0])

        var ping = ByteBuffer()
        ping.writeFrame(type: .ping, callID: 0, rawPayload: ByteBuffer(bytes: [0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4]))
        #expect(Array(ping.readableBytesView)
            == [0, 0, 0, 18, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4])
    }

    /// What the verifier drives: FrameDecoder once its peer's preface is behind it, since the
    /// verifier replays inputs in shuffled order and the preface comes only once.
    struct FramesAfterPreface: ByteToMessageDecoder {
        typealias InboundOut = Frame
        var decoder: FrameDecoder

        init() {
            decoder = try! FrameCodecTests.decoderAfterPreface()
        }

        mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
            switch try decoder.decodeOne(&buffer) {
            case nil:
                return .needMoreData
            case .preface?:
                throw ProtocolViolation(.internalError, "a second preface")
            case .frame(let frame)?:
                context.fireChannelRead(wrapInboundOut(frame))
                return .continue
            }
        }

        mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
            -> DecodingState
        {
            while try decode(context: context, buffer: &buffer) == .continue {}
            return .needMoreData
        }
    }

    @Test("NIO's ByteToMessageDecoderVerifier: drip-fed, all at once, and one frame at a time")
    func verifier() throws {
        let pairs: [(ByteBuffer, [Frame])] = try Self.everyFrameType().map { _, encoded, _, _ in
            var copy = encoded
            var decoder = try Self.decoderAfterPreface()
            guard case .frame(let frame)? = try decoder.decodeOne(&copy) else {
                throw RawConnectionError("frame did not decode")
            }
            return (encoded, [frame])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { FramesAfterPreface() }
    }

    /// Feeds a stream to the real pipeline decoder (preface first) and returns what came out.
    static func decodeThroughChannel(_ chunks: [ByteBuffer]) throws -> [InboundFrame] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maximumFrameLength: 1 << 24)))
        for chunk in chunks {
            try channel.writeInbound(chunk)
        }
        var out: [InboundFrame] = []
        while let item = try channel.readInbound(as: InboundFrame.self) {
            out.append(item)
        }
        #expect(try channel.finish().isClean)
        return out
    }

    @Test("through ByteToMessageHandler: byte at a time and all at once give the same frames")
    func byteAtATimeEqualsAllAtOnce() throws {
        var stream = ByteBuffer(bytes: Preface.bytes)
        for (_, encoded, _, _) in Self.everyFrameType() {
            stream.writeImmutableBuffer(encoded)
        }
        let allAtOnce = try Self.decodeThroughChannel([stream])
        let bytes = Array(stream.readableBytesView)
        let oneByOne = try Self.decodeThroughChannel(bytes.map { ByteBuffer(bytes: [$0]) })
        // Chunks of 13 bytes cut across every boundary of the frame layout.
        let chunked = try Self.decodeThroughChannel(stride(from: 0, to: bytes.count, by: 13).map {
            ByteBuffer(bytes: bytes[$0..<min($0 + 13, bytes.count)])
        })
        #expect(allAtOnce.count == 1 + Self.everyFrameType().count)
        #expect(allAtOnce.first == .preface)
        #expect(oneByOne == allAtOnce)
        #expect(chunked == allAtOnce)
    }
}
