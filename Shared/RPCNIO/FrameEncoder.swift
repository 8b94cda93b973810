import DVCProto
import NIOCore

extension ByteBuffer {
    /// Writes one frame, encoding the header and payload messages straight into the buffer
    /// with protobuf-c (no intermediate copies).
    public mutating func writeFrame(
        type: FrameType,
        callID: UInt32,
        header: (any ProtoMessage)?,
        payload: (any ProtoMessage)?
    ) {
        let start = writerIndex
        writeInteger(UInt32(0))  // length, patched below
        writeInteger(type.rawValue)
        writeInteger(UInt8(0))  // flags
        writeInteger(callID)
        writeInteger(UInt32(0))  // header_length, patched below
        let headerLength = header.map { writeProtoMessage($0) } ?? 0
        let payloadLength = payload.map { writeProtoMessage($0) } ?? 0
        setInteger(UInt32(Frame.fixedLength + headerLength + payloadLength), at: start)
        setInteger(UInt32(headerLength), at: start + 10)
    }

    /// Writes a frame whose payload is raw bytes (PING, PONG).
    public mutating func writeFrame(type: FrameType, callID: UInt32, rawPayload: ByteBuffer) {
        writeInteger(UInt32(Frame.fixedLength + rawPayload.readableBytes))
        writeInteger(type.rawValue)
        writeInteger(UInt8(0))
        writeInteger(callID)
        writeInteger(UInt32(0))
        writeImmutableBuffer(rawPayload)
    }

    /// Appends the message's protobuf encoding and returns its size.
    @discardableResult
    public mutating func writeProtoMessage(_ message: any ProtoMessage) -> Int {
        var written = 0
        message.encode { size, pack in
            guard size > 0 else { return }
            written = self.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
                pack(raw.baseAddress!)
                return size
            }
        }
        return written
    }
}

extension ProtoMessage {
    /// Decodes the message from a buffer's readable bytes without copying them.
    public init(buffer: ByteBuffer) throws(ProtoDecodingError) {
        let result: Result<Self, ProtoDecodingError> = buffer.withUnsafeReadableBytes { raw in
            Result { () throws(ProtoDecodingError) -> Self in try Self(protobuf: raw) }
        }
        self = try result.get()
    }
}
