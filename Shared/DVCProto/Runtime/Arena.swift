#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CProtobufC
import CProtos

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A bump allocator for the C structs built while encoding one message.
///
/// Filling a protobuf-c struct needs a C string per string field, an array per repeated field
/// and a struct per nested message, all alive until `pack` returns. Taking them from a few
/// large blocks freed at once costs far less than a `malloc`/`free` pair per field, and makes
/// a leak impossible: nothing outlives the arena.
final class Arena {
    private var blocks: [UnsafeMutableRawPointer] = []
    private var cursor: UnsafeMutableRawPointer?
    private var remaining = 0
    private let blockSize: Int

    init(blockSize: Int = 4096) {
        self.blockSize = blockSize
    }

    /// An arena whose first block is memory the caller owns (a stack buffer from
    /// `withUnsafeTemporaryAllocation`): encoding or decoding a small message then needs no
    /// heap allocation at all. The arena must not outlive `initialBlock`.
    init(initialBlock: UnsafeMutableRawBufferPointer, blockSize: Int = 4096) {
        self.blockSize = blockSize
        cursor = initialBlock.baseAddress
        remaining = initialBlock.count
    }

    deinit {
        for block in blocks { free(block) }
    }

    func allocateBytes(_ count: Int, alignment: Int) -> UnsafeMutableRawPointer {
        if let cursor {
            let misalignment = Int(bitPattern: cursor) & (alignment - 1)
            let padding = misalignment == 0 ? 0 : alignment - misalignment
            if padding + count <= remaining {
                let result = cursor + padding
                self.cursor = result + count
                remaining -= padding + count
                return result
            }
        }
        if count + alignment > blockSize / 2 || alignment > 16 {
            // Large items (a big bytes field) get a block of their own, so the current block's
            // free space is not thrown away.
            guard let block = malloc(max(count, 1)) else { fatalError("out of memory") }
            blocks.append(block)
            return block
        }
        guard let block = malloc(blockSize) else { fatalError("out of memory") }
        blocks.append(block)
        cursor = block
        remaining = blockSize
        return allocateBytes(count, alignment: alignment)
    }

    func allocate<T>(_ type: T.Type) -> UnsafeMutablePointer<T> {
        allocateBytes(MemoryLayout<T>.stride, alignment: MemoryLayout<T>.alignment)
            .bindMemory(to: T.self, capacity: 1)
    }

    func allocateArray<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        allocateBytes(MemoryLayout<T>.stride * count, alignment: MemoryLayout<T>.alignment)
            .bindMemory(to: T.self, capacity: count)
    }

    /// A NUL-terminated copy of `string`'s UTF-8 bytes.
    func cString(_ string: String) -> UnsafeMutablePointer<CChar> {
        var string = string
        return string.withUTF8 { utf8 in
            let raw = allocateBytes(utf8.count + 1, alignment: 1)
            if let base = utf8.baseAddress {
                raw.copyMemory(from: base, byteCount: utf8.count)
            }
            raw.storeBytes(of: 0, toByteOffset: utf8.count, as: UInt8.self)
            return raw.bindMemory(to: CChar.self, capacity: utf8.count + 1)
        }
    }

    /// A copy of `bytes` as protobuf-c's binary data.
    func binary(_ bytes: Data) -> ProtobufCBinaryData {
        bytes.withUnsafeBytes { raw in
            guard raw.count > 0, let base = raw.baseAddress else {
                return ProtobufCBinaryData(len: 0, data: nil)
            }
            let copy = allocateBytes(raw.count, alignment: 1)
            copy.copyMemory(from: base, byteCount: raw.count)
            return ProtobufCBinaryData(len: raw.count, data: copy.assumingMemoryBound(to: UInt8.self))
        }
    }
}

extension Arena {
    /// A protobuf-c allocator taking memory from this arena, for `protobuf_c_message_unpack`.
    /// Its free is a no-op: everything goes when the arena does. The allocator refers to the
    /// arena without retaining it; keep the arena alive while protobuf-c uses it.
    func protobufCAllocator() -> ProtobufCAllocator {
        ProtobufCAllocator(
            alloc: { data, size in
                Unmanaged<Arena>.fromOpaque(data!).takeUnretainedValue().allocateBytes(max(size, 1), alignment: 16)
            },
            free: { _, _ in },
            allocator_data: Unmanaged.passUnretained(self).toOpaque()
        )
    }
}
