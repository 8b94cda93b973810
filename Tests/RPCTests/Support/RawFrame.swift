import DVCProto
import Foundation
import RPCNIO

/// A frame as bytes, built and parsed by hand, independently of `ByteBuffer.writeFrame` and
/// `FrameDecoder`, so that tests can send frames that break the rules and check what the
/// server wrote byte for byte.
struct RawFrame: Equatable, CustomStringConvertible {
    var type: UInt8
    var flags: UInt8 = 0
    var callID: UInt32
    var header: [UInt8] = []
    var payload: [UInt8] = []

    var frameType: FrameType? { FrameType(rawValue: type) }

    var description: String {
        "frame(type \(type), flags \(flags), call \(callID), header \(header.count) B, payload \(payload.count) B)"
    }

    /// The bytes on the wire. `length` and `headerLength` override the true values, to lie.
    func bytes(length: UInt32? = nil, headerLength: UInt32? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out += bigEndian(length ?? UInt32(10 + header.count + payload.count))
        out.append(type)
        out.append(flags)
        out += bigEndian(callID)
        out += bigEndian(headerLength ?? UInt32(header.count))
        out += header
        out += payload
        return out
    }

    static func request(
        _ callID: UInt32,
        method: String,
        timeoutMs: UInt32 = 0,
        metadata: [String: String] = [:],
        payload: some ProtoMessage
    ) -> RawFrame {
        request(callID, method: method, timeoutMs: timeoutMs, metadata: metadata, rawPayload: payload.protobufBytes)
    }

    static func request(
        _ callID: UInt32,
        method: String,
        timeoutMs: UInt32 = 0,
        metadata: [String: String] = [:],
        rawPayload: [UInt8]
    ) -> RawFrame {
        var header = RpcV1.RequestHeader()
        header.method = method
        header.timeoutMs = timeoutMs
        header.metadata = metadata
        return RawFrame(type: FrameType.request.rawValue, callID: callID, header: header.protobufBytes,
                        payload: rawPayload)
    }

    static func ping(_ payload: [UInt8]) -> RawFrame {
        RawFrame(type: FrameType.ping.rawValue, callID: 0, payload: payload)
    }

    static func pong(_ payload: [UInt8]) -> RawFrame {
        RawFrame(type: FrameType.pong.rawValue, callID: 0, payload: payload)
    }

    static func cancel(_ callID: UInt32) -> RawFrame {
        RawFrame(type: FrameType.cancel.rawValue, callID: callID)
    }

    /// Parses one frame from the front of `bytes`; nil when they do not hold a whole one.
    static func parse(_ bytes: [UInt8]) -> (frame: RawFrame, consumed: Int)? {
        guard bytes.count >= 4 else { return nil }
        let length = Int(readBigEndian(bytes, at: 0))
        guard length >= 10, bytes.count >= 4 + length else { return nil }
        let headerLength = Int(readBigEndian(bytes, at: 10))
        guard headerLength <= length - 10 else { return nil }
        let header = Array(bytes[14..<(14 + headerLength)])
        let payload = Array(bytes[(14 + headerLength)..<(4 + length)])
        let frame = RawFrame(type: bytes[4], flags: bytes[5], callID: readBigEndian(bytes, at: 6),
                             header: header, payload: payload)
        return (frame, 4 + length)
    }

    /// The RESPONSE header, decoded.
    func responseHeader() throws -> RpcV1.ResponseHeader {
        try RpcV1.ResponseHeader(protobuf: header)
    }

    /// The GOAWAY header, decoded.
    func goAway() throws -> RpcV1.GoAway {
        try RpcV1.GoAway(protobuf: header)
    }
}

func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
}

func readBigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
}

