// libFuzzer target `proto-decode`: arbitrary bytes decoded as a message through DVCProto's
// real decode path (WireValidator, protobuf-c's unpack into the arena, conversion to Swift
// values; the module's sources are compiled into this target by scripts/fuzz.sh).
//
// Input layout: byte 0 picks the message type, by index into ProtoRegistry.messageNames
// (sorted, so the index is stable until a message is added); the rest is the encoding. Every
// message of the protos is a candidate: requests of every service and the RPC headers arrive
// from the network at servers, responses and events at clients and receivers.
//
// Checked for every input: decoding either yields a value or throws a ProtoDecodingError
// (with a description); a decoded value re-encodes to bytes whose size encodedSize announced,
// which decode again to an equal value that encodes to the same bytes.

import DVCProto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func protoDecodeFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let type = ProtoDecodeCheck.types[Int(data[0]) % ProtoDecodeCheck.types.count]
    ProtoDecodeCheck.check(type, UnsafeRawBufferPointer(start: data + 1, count: size - 1))
    return 0
}

/// Seeds for the corpus, written by the real encoder: run the fuzzer binary with
/// DVC_FUZZ_WRITE_SEEDS=<folder> and it writes them and exits (scripts/fuzz.sh --seeds).
@_cdecl("LLVMFuzzerInitialize")
public func protoDecodeFuzzInitialize(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    if let folder = getenv("DVC_FUZZ_WRITE_SEEDS") {
        ProtoSeeds.write(to: String(cString: folder))
        exit(0)
    }
    return 0
}

enum ProtoDecodeCheck {
    static let types: [any ProtoMessage.Type] = ProtoRegistry.messageNames.compactMap { ProtoRegistry.message($0) }

    static func check<M: ProtoMessage>(_ type: M.Type, _ bytes: UnsafeRawBufferPointer) {
        let value: M
        do throws(ProtoDecodingError) {
            value = try M(protobuf: bytes)
        } catch {
            // What the server puts in the INVALID_ARGUMENT answer.
            _ = error.description
            return
        }
        let encoded = value.protobufBytes
        guard value.encodedSize == encoded.count else {
            fatalError("\(M.protoName): encodedSize \(value.encodedSize), encoded \(encoded.count) bytes")
        }
        let again: M
        do throws(ProtoDecodingError) {
            again = try M(protobuf: encoded)
        } catch {
            fatalError("\(M.protoName): our own encoding does not decode: \(error); bytes \(encoded)")
        }
        // A NaN makes a value unequal to itself; the bytes comparison below still holds then.
        if value == value, again != value {
            fatalError("\(M.protoName): round trip changed the value: \(value) became \(again)")
        }
        guard again.protobufBytes == encoded else {
            fatalError("\(M.protoName): encoding is not stable: \(encoded) then \(again.protobufBytes)")
        }
    }
}
