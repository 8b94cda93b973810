import DVCProto
import Foundation
import NIOCore
import RPCCore
import RPCNIO
import Testing

/// Replays the frame-decoder fuzz target's corpus and every input it ever found a bug with
/// (Fuzz/corpus/frame-decoder, Fuzz/regressions/frame-decoder; scripts/fuzz.sh) through the
/// real FrameDecoder, as plain tests that run without libFuzzer.
///
/// An input is laid out as the fuzz target reads it (Fuzz/FrameDecoder/FrameDecoderFuzz.swift):
/// byte 0 picks the frame length limit (bits 0-1) and puts the good preface in front (bit 2),
/// byte 1 only steers the fuzz target's chunking, the rest is the stream. Here the stream is
/// fed whole and one byte at a time, the two extremes of the fuzz target's chunkings.
@Suite struct FrameFuzzRegressionTests {
    static let limits = [Frame.fixedLength, 64, 4096, 1 << 24]
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// What one pass produced: the decoded outputs, then the violation that ended it, if any.
    struct Outcome: Equatable {
        var outputs: [InboundFrame] = []
        var violation: ProtocolViolation?
    }

    static func inputs(_ folder: String) -> [URL] {
        let url = root.appendingPathComponent("Fuzz/\(folder)/frame-decoder")
        let files = (try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)) ?? []
        return files.filter { !$0.lastPathComponent.hasPrefix(".") }.sorted { $0.path < $1.path }
    }

    @Test("every corpus input yields frames or a ProtocolViolation, the same in any chunking")
    func corpus() throws {
        let files = Self.inputs("corpus")
        // An empty list would pass without checking anything: a moved folder must fail here.
        #expect(files.count >= 20, "Fuzz/corpus/frame-decoder holds \(files.count) files")
        try Self.replay(files)
    }

    @Test("every input that once broke the decoder yields frames or a ProtocolViolation")
    func regressions() throws {
        try Self.replay(Self.inputs("regressions"))
    }

    static func replay(_ files: [URL]) throws {
        for file in files {
            let input = [UInt8](try Data(contentsOf: file))
            guard input.count >= 2 else { continue }
            let limit = limits[Int(input[0] & 3)]
            let stream = (input[0] & 4 != 0 ? Preface.bytes : []) + input[2...]
            let whole = decode(stream, limit: limit, chunk: stream.count)
            let bytewise = decode(stream, limit: limit, chunk: 1)
            #expect(whole == bytewise, "\(file.lastPathComponent): chunking changed the outcome")
            for case .frame(let frame) in whole.outputs {
                #expect(Frame.prefixLength + frame.header.readableBytes + frame.payload.readableBytes <= 4 + limit)
                handle(frame)
            }
        }
    }

    static func decode(_ stream: [UInt8], limit: Int, chunk: Int) -> Outcome {
        var decoder = FrameDecoder(maximumFrameLength: limit)
        var buffer = ByteBuffer()
        var outcome = Outcome()
        var start = 0
        while start < stream.count {
            buffer.writeBytes(stream[start..<min(start + max(chunk, 1), stream.count)])
            start += max(chunk, 1)
            do {
                while let output = try decoder.decodeOne(&buffer) {
                    outcome.outputs.append(output)
                }
            } catch let violation as ProtocolViolation {
                outcome.violation = violation
                return outcome
            } catch {
                Issue.record("FrameDecoder threw something other than a ProtocolViolation: \(error)")
                return outcome
            }
        }
        return outcome
    }

    /// What the server and client do with a frame's header before any handler runs; decoding
    /// errors are typed ProtoDecodingError, so only a crash could fail here.
    static func handle(_ frame: Frame) {
        switch frame.type {
        case .request:
            guard frame.callID != 0, let header = try? RpcV1.RequestHeader(buffer: frame.header) else { return }
            if let id = header.metadata[MetadataKey.requestID] { _ = RequestID.isAcceptable(id) }
            if let traceparent = header.metadata[MetadataKey.traceparent] { _ = TraceContext(traceparent: traceparent) }
            if let method = ProtoRegistry.method(header.method) {
                _ = try? frame.payload.withUnsafeReadableBytes { raw throws(ProtoDecodingError) in
                    try method.requestType.init(protobuf: raw)
                }
            }
        case .response:
            if frame.header.readableBytes > 0, let header = try? RpcV1.ResponseHeader(buffer: frame.header) {
                _ = StatusCode(wireValue: header.code)
            }
        case .goAway:
            _ = try? RpcV1.GoAway(buffer: frame.header)
        case .cancel, .ping, .pong:
            break
        }
    }
}
