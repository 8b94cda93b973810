import NIOCore

/// Frames waiting to be written on one connection, gathered into a single buffer until the
/// event loop has run what it has queued.
///
/// Many calls finishing in the same loop tick then cost one buffer, one trip through the
/// pipeline and one `write` syscall, instead of one of each per frame; and frames are encoded
/// straight into that buffer.
struct OutboundFrames {
    private var buffer: ByteBuffer?
    /// A flush is already queued on the event loop.
    var flushScheduled = false

    /// Appends one or more frames written by `body`.
    mutating func append(allocator: ByteBufferAllocator, _ body: (inout ByteBuffer) -> Void) {
        if buffer == nil { buffer = allocator.buffer(capacity: 4096) }
        body(&buffer!)
    }

    /// Appends bytes already encoded elsewhere (a request encoded on its caller's thread).
    mutating func append(allocator: ByteBufferAllocator, encoded: ByteBuffer) {
        if buffer == nil {
            buffer = encoded
        } else {
            buffer!.writeImmutableBuffer(encoded)
        }
    }

    /// Bytes past which frames are written at once rather than at the end of the tick. With
    /// many calls in flight, writing in slices lets the peer start on the first answers while
    /// the rest are still being produced, instead of both sides taking turns being idle.
    static let eagerFlushBytes = 2048

    var shouldFlushEagerly: Bool { (buffer?.readableBytes ?? 0) >= Self.eagerFlushBytes }

    /// What is waiting, leaving nothing behind.
    mutating func take() -> ByteBuffer? {
        defer { buffer = nil }
        return buffer
    }
}
