#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CProtobufC
import CProtos

/// What the generated code of a message provides to the shared encode and decode paths.
protocol CBackedMessage: ProtoMessage {
    associatedtype CStruct
    static var cDescriptor: MessageDescriptorRef { get }
    /// Builds the C struct, with everything it points to taken from `arena`.
    func _cCopy(_ arena: Arena) -> UnsafeMutablePointer<CStruct>
    /// Copies a C struct that protobuf-c unpacked into a Swift value.
    init(_c: UnsafePointer<CStruct>)
}

/// A message descriptor of protobuf-c's generated code.
///
/// Swift cannot take the address of the C global itself (`withUnsafePointer` gives a copy), so
/// the generated code reads it from an initialised message's `base.descriptor`. The descriptors
/// are immutable C data, safe to share across threads.
struct MessageDescriptorRef: @unchecked Sendable {
    let pointer: UnsafePointer<ProtobufCMessageDescriptor>

    init(_ make: () -> UnsafePointer<ProtobufCMessageDescriptor>?) {
        guard let pointer = make() else { fatalError("protobuf-c message has no descriptor") }
        self.pointer = pointer
    }
}

/// The encode and decode paths every generated message uses: the only code that calls
/// protobuf-c's pack and unpack functions.
enum CRuntime {
    /// Bytes of stack given to each encode and decode before the heap is used: enough for the
    /// RPC headers and most requests.
    private static let stackBytes = 2048

    static func encode<M: CBackedMessage>(
        _ message: M,
        _ sink: (_ size: Int, _ pack: (UnsafeMutableRawPointer) -> Void) -> Void
    ) {
        withUnsafeTemporaryAllocation(byteCount: stackBytes, alignment: 16) { stack in
            let arena = Arena(initialBlock: stack)
            withExtendedLifetime(arena) {
                let c = message._cCopy(arena)
                let base = UnsafeMutableRawPointer(c).assumingMemoryBound(to: ProtobufCMessage.self)
                let size = protobuf_c_message_get_packed_size(base)
                sink(size) { out in
                    let written = protobuf_c_message_pack(base, out.assumingMemoryBound(to: UInt8.self))
                    precondition(written == size, "protobuf-c packed \(written) bytes, announced \(size)")
                }
            }
        }
    }

    static func decode<M: CBackedMessage>(
        _ type: M.Type,
        _ bytes: UnsafeRawBufferPointer
    ) throws(ProtoDecodingError) -> M {
        let descriptor = M.cDescriptor.pointer
        // protobuf-c accepts strings that are not UTF-8 and keeps only what precedes a NUL
        // byte; proto3 says strings are UTF-8, and a citizen's data must never be changed
        // silently. So the wire bytes are checked before protobuf-c sees them.
        try WireValidator.validate(bytes, descriptor: descriptor, messageName: M.protoName)
        let data = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let result: M? = withUnsafeTemporaryAllocation(byteCount: stackBytes, alignment: 16) { stack in
            let arena = Arena(initialBlock: stack)
            return withExtendedLifetime(arena) { () -> M? in
                var allocator = arena.protobufCAllocator()
                guard let unpacked = protobuf_c_message_unpack(descriptor, &allocator, bytes.count, data) else {
                    return nil
                }
                // Paired with the unpack as protobuf-c requires; with the arena's allocator it
                // only walks the message, and the arena releases the memory.
                defer { protobuf_c_message_free_unpacked(unpacked, &allocator) }
                return UnsafeRawPointer(unpacked).withMemoryRebound(to: M.CStruct.self, capacity: 1) {
                    M(_c: $0)
                }
            }
        }
        guard let result else { throw ProtoDecodingError(reason: .malformed, message: M.protoName) }
        return result
    }

    /// A C string protobuf-c unpacked; already checked to be UTF-8 without NUL bytes.
    @inline(__always)
    static func string(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer)
    }

    /// A map's entries in the order of protobuf's deterministic serialisation in C++ and Go:
    /// string keys by their UTF-8 bytes, integer keys by value.
    ///
    /// Not Swift's `String` `<`: it compares canonical forms, so it puts a decomposed "e\u{301}"
    /// after "f" where every other implementation puts it before; worse, it is no strict weak
    /// order (Swift 6.3: neither "e\u{301}" < "\u{E9}x" nor the reverse holds), so the sorted
    /// result followed the dictionary's iteration order and one map encoded to different bytes.
    /// Keys of one dictionary are never canonically equivalent, hence never equal byte for
    /// byte: the byte order is total.
    static func sortedByKey<Value>(_ map: [String: Value]) -> [(key: String, value: Value)] {
        map.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    static func sortedByKey<Key: FixedWidthInteger, Value>(_ map: [Key: Value]) -> [(key: Key, value: Value)] {
        map.sorted { $0.key < $1.key }
    }

    static func sortedByKey<Value>(_ map: [Bool: Value]) -> [(key: Bool, value: Value)] {
        map.sorted { !$0.key && $1.key }
    }

    @inline(__always)
    static func data(_ binary: ProtobufCBinaryData) -> Data {
        guard binary.len > 0, let base = binary.data else { return Data() }
        return Data(bytes: base, count: binary.len)
    }
}
