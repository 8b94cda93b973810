import NIOCore
import RPCCore

/// Splits the byte stream into the peer's preface and then frames, enforcing every framing rule
/// of docs/protocol.md that can be checked without call state: the preface, the frame length limit
/// (checked from the 4-byte length alone, before any of the body is buffered), the minimum
/// length, the frame type, the flags and the header length.
///
/// Rules that need call state (call_id 0, duplicates in flight) are the connection handler's.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = InboundFrame

    private let maximumFrameLength: Int
    private var prefaceSeen = false
    /// Whether the bytes waiting in the buffer are the start of a frame not yet complete.
    private var partialFrame = false

    /// Told to the handlers after the decoder when a frame starts arriving and when it is
    /// complete, so that the server can time a frame that never completes (a peer trickling
    /// bytes looks busy to keepalive). Not sent for the preface, which has its own timer.
    public enum Progress: Sendable {
        case frameStarted
        case frameCompleted
    }

    public init(maximumFrameLength: Int) {
        self.maximumFrameLength = maximumFrameLength
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let output = try decodeOne(&buffer) else {
            if prefaceSeen, !partialFrame, buffer.readableBytes > 0 {
                partialFrame = true
                context.fireUserInboundEventTriggered(Progress.frameStarted)
            }
            return .needMoreData
        }
        if partialFrame {
            partialFrame = false
            context.fireUserInboundEventTriggered(Progress.frameCompleted)
        }
        context.fireChannelRead(wrapInboundOut(output))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        // A frame cut off by the peer hanging up is simply dropped: there is nobody left to
        // answer.
        while let output = try decodeOne(&buffer) {
            context.fireChannelRead(wrapInboundOut(output))
        }
        return .needMoreData
    }

    /// The next preface or frame in `buffer`, nil when more bytes are needed. Exposed for tests
    /// and fuzzing, which drive it without a channel.
    public mutating func decodeOne(_ buffer: inout ByteBuffer) throws -> InboundFrame? {
        if !prefaceSeen {
            // Compare what has arrived so far, so that an HTTP request or other stray protocol
            // is refused at its first byte rather than after eight.
            let available = min(buffer.readableBytes, Preface.bytes.count)
            guard let seen = buffer.getBytes(at: buffer.readerIndex, length: available),
                  seen[...] == Preface.bytes[..<available]
            else { throw ProtocolViolation.badPreface }
            guard available == Preface.bytes.count else { return nil }
            buffer.moveReaderIndex(forwardBy: Preface.bytes.count)
            prefaceSeen = true
            return .preface
        }

        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        if Int(length) > maximumFrameLength {
            throw ProtocolViolation(.resourceExhausted,
                                    "frame length \(length) exceeds the limit of \(maximumFrameLength) bytes")
        }
        if Int(length) < Frame.fixedLength {
            throw ProtocolViolation(.internalError,
                                    "frame length \(length) is below the minimum of \(Frame.fixedLength)")
        }
        // Check the fixed fields as soon as they are here, before waiting for the body.
        guard buffer.readableBytes >= Frame.prefixLength else { return nil }
        let base = buffer.readerIndex
        let rawType = buffer.getInteger(at: base + 4, as: UInt8.self)!
        let flags = buffer.getInteger(at: base + 5, as: UInt8.self)!
        let callID = buffer.getInteger(at: base + 6, as: UInt32.self)!
        let headerLength = buffer.getInteger(at: base + 10, as: UInt32.self)!
        guard let type = FrameType(rawValue: rawType) else {
            throw ProtocolViolation(.internalError, "unknown frame type \(rawType)")
        }
        guard flags == 0 else {
            throw ProtocolViolation(.internalError, "flags must be 0 in protocol v1, got \(flags)")
        }
        guard UInt64(headerLength) <= UInt64(length) - UInt64(Frame.fixedLength) else {
            throw ProtocolViolation(.internalError,
                                    "header_length \(headerLength) runs past the frame of length \(length)")
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }

        buffer.moveReaderIndex(forwardBy: Frame.prefixLength)
        let header = buffer.readSlice(length: Int(headerLength))!
        let payload = buffer.readSlice(length: Int(length) - Frame.fixedLength - Int(headerLength))!
        return .frame(Frame(type: type, callID: callID, header: header, payload: payload))
    }
}
