// libFuzzer target `frame-decoder`: arbitrary bytes through the real FrameDecoder
// (Shared/RPCNIO/FrameDecoder.swift, compiled into this target by scripts/fuzz.sh), then what
// the server and client do with each decoded frame's header and metadata.
//
// Input layout: byte 0 chooses the frame length limit (bits 0-1) and whether the good preface
// is put in front of the stream (bit 2, so the fuzzer need not rediscover it for every input);
// byte 1 seeds how the stream is cut into chunks, since TCP delivers it in arbitrary pieces;
// the rest is the stream.
//
// Checked for every input: the decoder only ever yields the preface once and first, then
// frames, or throws a ProtocolViolation (any other error, crash or hang is a finding); every
// call that yields something consumes exactly that frame's bytes and a call that yields
// nothing consumes nothing; no frame exceeds the limit; a frame written back out gives the
// bytes it was read from; and cutting the stream into chunks changes nothing compared with
// handing it over whole.

import DVCProto
import NIOCore
import RPCCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func frameDecoderFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    FrameStreamCheck(UnsafeBufferPointer(start: data, count: size)).run()
    return 0
}

/// Seeds for the corpus, written by the real encoder: run the fuzzer binary with
/// DVC_FUZZ_WRITE_SEEDS=<folder> and it writes them and exits (scripts/fuzz.sh --seeds).
@_cdecl("LLVMFuzzerInitialize")
public func frameDecoderFuzzInitialize(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    if let folder = getenv("DVC_FUZZ_WRITE_SEEDS") {
        FrameSeeds.write(to: String(cString: folder))
        exit(0)
    }
    return 0
}

/// One fuzz input: the decoder configuration it selects, and the stream fed twice (in chunks
/// and whole) with the outcomes compared.
struct FrameStreamCheck {
    /// What one pass through the decoder produced: the frames as (type, call_id, header,
    /// payload) bytes, and the violation that ended it, if any.
    struct Outcome: Equatable {
        var frames: [[UInt8]] = []
        var violation: ProtocolViolation?
    }

    /// The limits the input can select: the smallest frame, a small limit so that inputs can
    /// cross it, a medium one, and the default of docs/protocol.md (16 MiB), which an input can
    /// announce but never fill: the decoder must wait without buffering ahead.
    static let limits = [Frame.fixedLength, 64, 4096, 1 << 24]

    let maximumFrameLength: Int
    let chunkSeed: UInt8
    let stream: [UInt8]

    init(_ input: UnsafeBufferPointer<UInt8>) {
        maximumFrameLength = Self.limits[Int(input[0] & 3)]
        chunkSeed = input[1]
        let rest = Array(input[2...])
        stream = input[0] & 4 != 0 ? Preface.bytes + rest : rest
    }

    func run() {
        let whole = decode(chunks: [stream[...]])
        let pieces = decode(chunks: chunks())
        guard whole == pieces else {
            fatalError("chunking changed the outcome: whole \(whole), in chunks \(pieces)")
        }
    }

    /// The stream cut at points drawn from the input's seed; seed 0 means one byte at a time,
    /// the hardest case for a streaming decoder.
    private func chunks() -> [ArraySlice<UInt8>] {
        var state = UInt32(chunkSeed) &* 2_654_435_761 | 1
        let largest = Int(chunkSeed % 31) + 1
        var out: [ArraySlice<UInt8>] = []
        var start = stream.startIndex
        while start < stream.endIndex {
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            let count = chunkSeed == 0 ? 1 : Int(state % UInt32(largest)) + 1
            let end = min(start + count, stream.endIndex)
            out.append(stream[start..<end])
            start = end
        }
        return out
    }

    private func decode(chunks: [ArraySlice<UInt8>]) -> Outcome {
        var decoder = FrameDecoder(maximumFrameLength: maximumFrameLength)
        var buffer = ByteBuffer()
        var outcome = Outcome()
        var prefaceSeen = false
        for chunk in chunks {
            buffer.writeBytes(chunk)
            while true {
                // NIO reads only readable bytes: keep a view of them to compare the frame with.
                let unread = buffer
                let before = buffer.readerIndex
                let output: InboundFrame?
                do {
                    output = try decoder.decodeOne(&buffer)
                } catch let violation as ProtocolViolation {
                    // The connection is closed: nothing after this is read.
                    outcome.violation = violation
                    return outcome
                } catch {
                    fatalError("FrameDecoder threw something other than a ProtocolViolation: \(error)")
                }
                let consumed = buffer.readerIndex - before
                guard let output else {
                    guard consumed == 0 else { fatalError("consumed \(consumed) bytes without a frame") }
                    break
                }
                let read = unread.getBytes(at: before, length: consumed) ?? []
                switch output {
                case .preface:
                    guard !prefaceSeen, outcome.frames.isEmpty, read == Preface.bytes else {
                        fatalError("preface out of place or wrong: \(read)")
                    }
                    prefaceSeen = true
                case .frame(let frame):
                    guard prefaceSeen else { fatalError("a frame before the preface") }
                    let written = Self.write(frame)
                    guard written == read else { fatalError("frame \(frame) written back differs from \(read)") }
                    guard consumed - 4 <= maximumFrameLength else {
                        fatalError("a frame of \(consumed - 4) bytes passed the limit of \(maximumFrameLength)")
                    }
                    FrameHandling.handle(frame)
                    outcome.frames.append(written)
                }
            }
        }
        // The peer hangs up: what is left is a cut-off frame, dropped (FrameDecoder.decodeLast).
        return outcome
    }

    /// The frame in wire form, built here independently of the project's encoder.
    private static func write(_ frame: Frame) -> [UInt8] {
        var out = ByteBuffer()
        out.writeInteger(UInt32(Frame.fixedLength + frame.header.readableBytes + frame.payload.readableBytes))
        out.writeInteger(frame.type.rawValue)
        out.writeInteger(UInt8(0))
        out.writeInteger(frame.callID)
        out.writeInteger(UInt32(frame.header.readableBytes))
        out.writeImmutableBuffer(frame.header)
        out.writeImmutableBuffer(frame.payload)
        return out.readBytes(length: out.readableBytes) ?? []
    }
}
