import NIOCore
import NIOEmbedded
import RPCCore
import RPCNIO
import Testing

/// Every rule FrameDecoder enforces (docs/protocol.md, "Protocol errors"): each broken one throws a
/// ProtocolViolation with the status the server will put in its GOAWAY and a message naming the
/// rule.
@Suite struct FrameDecoderRuleTests {
    /// Feeds `bytes` after a good preface (unless `preface` is false) and returns the violation.
    static func violation(
        _ bytes: [UInt8],
        preface: Bool = true,
        maximumFrameLength: Int = 1 << 24
    ) -> ProtocolViolation? {
        var decoder = FrameDecoder(maximumFrameLength: maximumFrameLength)
        var buffer = ByteBuffer(bytes: (preface ? Preface.bytes : []) + bytes)
        do {
            while let _ = try decoder.decodeOne(&buffer) {}
            return nil
        } catch let violation as ProtocolViolation {
            return violation
        } catch {
            Issue.record("not a ProtocolViolation: \(error)")
            return nil
        }
    }

    static func expectViolation(
        _ bytes: [UInt8],
        preface: Bool = true,
        maximumFrameLength: Int = 1 << 24,
        code: StatusCode,
        naming words: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let found = violation(bytes, preface: preface, maximumFrameLength: maximumFrameLength)
        guard let found else {
            Issue.record("no violation for \(bytes.prefix(32))", sourceLocation: sourceLocation)
            return
        }
        #expect(found.code == code, sourceLocation: sourceLocation)
        #expect(found.message.contains(words), "message: \(found.message)", sourceLocation: sourceLocation)
    }

    // MARK: preface

    @Test("the good preface, whole or one byte at a time, then nothing more")
    func goodPreface() throws {
        var decoder = FrameDecoder(maximumFrameLength: 1024)
        var buffer = ByteBuffer()
        for byte in Preface.bytes.dropLast() {
            buffer.writeInteger(byte)
            #expect(try decoder.decodeOne(&buffer) == nil)
        }
        buffer.writeInteger(Preface.bytes.last!)
        #expect(try decoder.decodeOne(&buffer) == .preface)
        #expect(buffer.readableBytes == 0)
        #expect(try decoder.decodeOne(&buffer) == nil)
    }

    static let badPrefaces: [(String, [UInt8])] = [
        ("wrong magic", Array("XVCRPC".utf8) + [0, 1]),
        ("version 2", Array("DVCRPC".utf8) + [0, 2]),
        ("lower case", Array("dvcrpc".utf8) + [0, 1]),
        ("HTTP request", Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)),
        ("TLS ClientHello", [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC]),
        ("a frame without preface", RawFrame.ping([1, 2, 3, 4, 5, 6, 7, 8]).bytes()),
    ]

    @Test("bad prefaces are refused", arguments: badPrefaces)
    func badPreface(_ name: String, _ bytes: [UInt8]) {
        Self.expectViolation(bytes, preface: false, code: .internalError, naming: "bad preface")
    }

    @Test("an HTTP request is refused at its first byte, before 8 bytes have arrived")
    func httpRefusedEarly() {
        Self.expectViolation(Array("G".utf8), preface: false, code: .internalError, naming: "bad preface")
        Self.expectViolation(Array("GET".utf8), preface: false, code: .internalError, naming: "bad preface")
        // A prefix of the good preface just waits.
        #expect(Self.violation(Array("DVCR".utf8), preface: false) == nil)
    }

    // MARK: fixed fields

    @Test("non-zero flags", arguments: [UInt8(1), 0x80, 0xFF])
    func nonZeroFlags(_ flags: UInt8) {
        var frame = RawFrame.ping([0, 0, 0, 0, 0, 0, 0, 0])
        frame.flags = flags
        Self.expectViolation(frame.bytes(), code: .internalError, naming: "flags")
    }

    @Test("unknown frame types", arguments: [UInt8(0), 7, 0xFF])
    func unknownType(_ type: UInt8) {
        let frame = RawFrame(type: type, callID: 1)
        Self.expectViolation(frame.bytes(), code: .internalError, naming: "unknown frame type \(type)")
    }

    @Test("flags and type are refused from the fixed part alone, before the body arrives")
    func fixedPartCheckedEarly() {
        var frame = RawFrame(type: 1, callID: 1, header: Array(repeating: 0, count: 100))
        frame.flags = 4
        Self.expectViolation(Array(frame.bytes().prefix(14)), code: .internalError, naming: "flags")
        Self.expectViolation(Array(RawFrame(type: 9, callID: 1, payload: [1, 2, 3]).bytes().prefix(14)),
                             code: .internalError, naming: "unknown frame type")
    }

    // MARK: lengths

    @Test("a length over the limit is RESOURCE_EXHAUSTED, from the 4 length bytes alone")
    func oversize() {
        // Only the length field is sent: the decoder must not wait for the 2 KiB body.
        Self.expectViolation(bigEndian(2049), maximumFrameLength: 2048, code: .resourceExhausted,
                             naming: "exceeds the limit")
        Self.expectViolation(bigEndian(UInt32.max), code: .resourceExhausted, naming: "exceeds the limit")
        // Exactly the limit is allowed.
        let atLimit = RawFrame(type: 4, callID: 0, payload: Array(repeating: 0, count: 2038))
        #expect(atLimit.bytes().count == 2052)
        #expect(Self.violation(atLimit.bytes(), maximumFrameLength: 2048) == nil)
    }

    @Test("the 16 MiB default: 16 MiB is taken, one byte more is not")
    func defaultLimit() {
        let limit = RPCServerConfiguration().maximumFrameLength
        #expect(limit == 16 * 1024 * 1024)
        #expect(Self.violation(bigEndian(UInt32(limit)) + [4, 0, 0, 0, 0, 0, 0, 0, 0, 0], maximumFrameLength: limit) == nil)
        Self.expectViolation(bigEndian(UInt32(limit + 1)), maximumFrameLength: limit, code: .resourceExhausted,
                             naming: "exceeds the limit")
    }

    @Test("a length below 10", arguments: [UInt32(0), 1, 9])
    func lengthBelowMinimum(_ length: UInt32) {
        Self.expectViolation(bigEndian(length), code: .internalError, naming: "below the minimum")
    }

    @Test("a header_length that runs past the frame")
    func headerPastFrame() {
        let frame = RawFrame(type: 1, callID: 1, header: [1, 2, 3], payload: [4, 5])
        Self.expectViolation(frame.bytes(headerLength: 6), code: .internalError, naming: "header_length")
        Self.expectViolation(frame.bytes(headerLength: UInt32.max), code: .internalError, naming: "header_length")
        // All of the rest as header is fine.
        #expect(Self.violation(frame.bytes(headerLength: 5)) == nil)
    }

    // MARK: in the pipeline

    @Test("in a pipeline the violation reaches errorCaught, and nothing is decoded after it")
    func throughTheHandler() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maximumFrameLength: 64)))
        defer { _ = try? channel.finish() }
        #expect(throws: Never.self) { try channel.writeInbound(ByteBuffer(bytes: Preface.bytes)) }
        #expect(try channel.readInbound(as: InboundFrame.self) == .preface)
        #expect {
            try channel.writeInbound(ByteBuffer(bytes: bigEndian(65)))
        } throws: { error in
            (error as? ProtocolViolation)?.code == .resourceExhausted
        }
        #expect(try channel.readInbound(as: InboundFrame.self) == nil)
    }
}
