import DVCProto
import NIOCore
import RPCCore

/// What ServerConnectionHandler and ClientConnectionHandler do with a decoded frame before any
/// handler runs, repeated with the same public calls: decoding the header message, reading
/// the reserved metadata, and decoding a REQUEST's payload as its method's request type.
/// Every failure here must be a thrown ProtoDecodingError (the call gets INVALID_ARGUMENT) or
/// a nil, never a crash.
enum FrameHandling {
    static func handle(_ frame: Frame) {
        switch frame.type {
        case .request:
            // call_id 0 is a protocol error the server checks itself; the header is decoded
            // only for other frames, as in ServerConnectionHandler.startCall.
            guard frame.callID != 0 else { return }
            guard let header = try? RpcV1.RequestHeader(buffer: frame.header) else { return }
            if let id = header.metadata[MetadataKey.requestID] { _ = RequestID.isAcceptable(id) }
            if let traceparent = header.metadata[MetadataKey.traceparent] {
                _ = TraceContext(traceparent: traceparent)?.traceparent
            }
            if let method = ProtoRegistry.method(header.method) {
                _ = try? frame.payload.withUnsafeReadableBytes { raw throws(ProtoDecodingError) in
                    try method.requestType.init(protobuf: raw)
                }
            }
        case .response:
            guard frame.header.readableBytes > 0,
                  let header = try? RpcV1.ResponseHeader(buffer: frame.header) else { return }
            _ = StatusCode(wireValue: header.code)
        case .goAway:
            if let goAway = try? RpcV1.GoAway(buffer: frame.header) { _ = StatusCode(wireValue: goAway.code) }
        case .cancel, .ping, .pong:
            break
        }
    }
}
