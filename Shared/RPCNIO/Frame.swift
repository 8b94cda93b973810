import NIOCore

/// The frame types of wire protocol v1 (docs/protocol.md, "Frames").
public enum FrameType: UInt8, Sendable {
    case request = 1
    case response = 2
    case cancel = 3
    case ping = 4
    case pong = 5
    case goAway = 6
}

/// One frame as it travels: `length u32 | type u8 | flags u8 | call_id u32 | header_length u32 |
/// header | payload`, integers big-endian. `header` and `payload` are slices of the receive
/// buffer, not copies.
public struct Frame: Sendable, Equatable {
    public var type: FrameType
    public var callID: UInt32
    public var header: ByteBuffer
    public var payload: ByteBuffer

    public init(type: FrameType, callID: UInt32, header: ByteBuffer, payload: ByteBuffer) {
        self.type = type
        self.callID = callID
        self.header = header
        self.payload = payload
    }

    /// Bytes of the fixed part after `length`: type, flags, call_id, header_length.
    public static let fixedLength = 10
    /// Bytes before the header: length plus the fixed part.
    public static let prefixLength = 4 + fixedLength
}

/// The 8-byte preface both sides send first: ASCII `DVCRPC`, then version 1.
public enum Preface {
    public static let bytes: [UInt8] = Array("DVCRPC".utf8) + [0x00, 0x01]
    /// What the server writes before closing on any other preface.
    public static let rejection = "DVCRPC: bad preface\n"
}

/// What the frame decoder produces: first the peer's preface, then frames.
public enum InboundFrame: Sendable, Equatable {
    case preface
    case frame(Frame)
}
