#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A protobuf message as a plain Swift value.
///
/// Every message of the platform's protos gets a generated struct conforming to this protocol
/// (see `proto/generate.sh`). Encoding and decoding go through protobuf-c; callers never see a C
/// pointer.
public protocol ProtoMessage: Sendable, Hashable {
    /// The message's full protobuf name, e.g. `dvc.rpc.v1.RequestHeader`.
    static var protoName: String { get }

    /// A message with every field at its default value.
    init()

    /// Decodes protobuf bytes.
    ///
    /// - Throws: ``ProtoDecodingError`` when the bytes are not a valid encoding of this message,
    ///   or when a string field holds invalid UTF-8 or a NUL byte (refused, never repaired).
    init(protobuf bytes: UnsafeRawBufferPointer) throws(ProtoDecodingError)

    /// Encodes the message: `sink` is called once with the encoded size and a function that
    /// writes exactly that many bytes at a pointer it is given. This lets a caller encode
    /// straight into its own buffer (a NIO `ByteBuffer`, an array) with no intermediate copy.
    func encode(_ sink: (_ size: Int, _ pack: (UnsafeMutableRawPointer) -> Void) -> Void)
}

extension ProtoMessage {
    /// Decodes protobuf bytes from any contiguous collection.
    public init(protobuf bytes: some ContiguousBytes) throws(ProtoDecodingError) {
        let result: Result<Self, ProtoDecodingError> = bytes.withUnsafeBytes { raw in
            Result { () throws(ProtoDecodingError) -> Self in try Self(protobuf: raw) }
        }
        self = try result.get()
    }

    /// The encoded bytes.
    public var protobufBytes: [UInt8] {
        var bytes: [UInt8] = []
        encode { size, pack in
            bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                if let base = buffer.baseAddress { pack(base) }
                count = size
            }
        }
        return bytes
    }

    /// The encoded bytes as `Data`.
    public var protobufData: Data { Data(protobufBytes) }

    /// The number of bytes the encoding takes.
    public var encodedSize: Int {
        var result = 0
        encode { size, _ in result = size }
        return result
    }
}
