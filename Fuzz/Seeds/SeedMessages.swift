import DVCProto

/// Valid encodings of every message type, made by the real encoder, for the seed corpora of
/// both fuzz targets. A fuzzer starting from valid messages reaches the deep paths (nested
/// messages, maps, repeated fields) in seconds instead of hours.
enum SeedMessages {
    /// Every message type of the protos, in ProtoRegistry.messageNames order: the index the
    /// proto-decode target's first input byte selects.
    static let types: [any ProtoMessage.Type] = ProtoRegistry.messageNames.compactMap { ProtoRegistry.message($0) }

    /// Vietnamese text in both Unicode forms and an emoji: multi-byte UTF-8 in every string.
    private static let texts: [[UInt8]] = [
        Array("Nguy\u{1EC5}n Th\u{1ECB} \u{C1}nh \u{1F1FB}\u{1F1F3}".utf8),
        Array("Nguye\u{302}\u{303}n Thi\u{323} A\u{301}nh".utf8),
    ]
    private static let fieldNumbers: [UInt64] = Array(1...16) + Array(20...33)

    /// An encoding with as many fields set as the decoder accepts, found without knowing the
    /// message's fields: for each field number, the first candidate that decodes. Re-encoded
    /// by the real encoder, so the bytes are what a peer of the platform sends.
    static func populated<M: ProtoMessage>(_ type: M.Type) -> [UInt8] {
        var bytes: [UInt8] = []
        for text in texts {
            for n in fieldNumbers {
                let nested = ProtoWire.lengthDelimited(1, text) + ProtoWire.varintField(2, 5) + ProtoWire.lengthDelimited(3, text)
                let candidates: [[UInt8]] = [
                    ProtoWire.lengthDelimited(n, text),
                    ProtoWire.lengthDelimited(n, nested),
                    ProtoWire.lengthDelimited(n, ProtoWire.lengthDelimited(1, text) + ProtoWire.lengthDelimited(2, text)),
                    ProtoWire.lengthDelimited(n, ProtoWire.lengthDelimited(1, text) + ProtoWire.varintField(2, 7)),
                    ProtoWire.lengthDelimited(n, ProtoWire.lengthDelimited(1, text) + ProtoWire.lengthDelimited(2, nested)),
                    ProtoWire.lengthDelimited(n, ProtoWire.lengthDelimited(1, text)),
                    ProtoWire.lengthDelimited(n, ProtoWire.varintField(1, 3)),
                    ProtoWire.lengthDelimited(n, [1, 0, 0x96, 0x01]),
                    ProtoWire.varintField(n, 2),
                    ProtoWire.tag(n, 1) + [0x18, 0x2D, 0x44, 0x54, 0xFB, 0x21, 0x09, 0x40],
                    ProtoWire.tag(n, 5) + [7, 0, 0, 0],
                ]
                for candidate in candidates where (try? M(protobuf: bytes + candidate)) != nil {
                    bytes += candidate
                    break
                }
            }
        }
        return (try? M(protobuf: bytes))?.protobufBytes ?? []
    }

    /// The RPC headers as the client and server fill them.
    static var requestHeader: RpcV1.RequestHeader {
        var header = RpcV1.RequestHeader()
        header.method = "/dvc.testing.v1.TestService/UnaryCall"
        header.timeoutMs = 1500
        header.metadata = [
            "x-request-id": "7f3a9c01",
            "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "idempotency-key": "submit-2026-0001",
            "authorization": "Bearer abc.def.ghi",
        ]
        return header
    }

    static var errorHeader: RpcV1.ResponseHeader {
        var header = RpcV1.ResponseHeader()
        header.code = 3
        header.message = "h\u{1ED3} s\u{01A1} kh\u{00F4}ng h\u{1EE3}p l\u{1EC7}"
        header.metadata = ["x-request-id": "7f3a9c01"]
        var violation = RpcV1.FieldViolation()
        violation.field = "applicant.name"
        violation.description = "required"
        header.violations = [violation]
        return header
    }

    static var goAway: RpcV1.GoAway {
        var goAway = RpcV1.GoAway()
        goAway.code = 8
        goAway.message = "frame length 20000000 exceeds the limit of 16777216 bytes"
        return goAway
    }
}
