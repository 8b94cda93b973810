import DVCProto
import Foundation
import Testing

/// Replays the proto-decode fuzz target's corpus and every input it ever found a bug with
/// (Fuzz/corpus/proto-decode, Fuzz/regressions/proto-decode; scripts/fuzz.sh) through the
/// real decoder, as plain tests that run without libFuzzer.
///
/// The fuzz target decodes an input's bytes after its first byte as the one type that byte
/// selects; here they are decoded as every message type, which asks more of the same files.
@Suite struct ProtoFuzzRegressionTests {
    static let types: [any ProtoMessage.Type] = ProtoRegistry.messageNames.compactMap { ProtoRegistry.message($0) }

    static func inputs(_ folder: String) -> [URL] {
        let url = repoRoot.appendingPathComponent("Fuzz/\(folder)/proto-decode")
        let files = (try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)) ?? []
        return files.filter { !$0.lastPathComponent.hasPrefix(".") }.sorted { $0.path < $1.path }
    }

    @Test("every corpus input decodes cleanly or is refused with a ProtoDecodingError, as every type")
    func corpus() throws {
        let files = Self.inputs("corpus")
        // An empty list would pass without checking anything: a moved folder must fail here.
        #expect(files.count >= Self.types.count, "Fuzz/corpus/proto-decode holds \(files.count) files")
        try Self.replay(files)
    }

    @Test("every input that once broke the decoder is refused or decoded cleanly, as every type")
    func regressions() throws {
        try Self.replay(Self.inputs("regressions"))
    }

    static func replay(_ files: [URL]) throws {
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: file).dropFirst())
            for type in types {
                check(type, bytes, file.lastPathComponent)
            }
        }
    }

    /// The fuzz target's checks: a value or a ProtoDecodingError; a value round-trips.
    static func check<M: ProtoMessage>(_ type: M.Type, _ bytes: [UInt8], _ name: String) {
        let value: M
        do throws(ProtoDecodingError) {
            value = try M(protobuf: bytes)
        } catch {
            #expect(!error.description.isEmpty)
            return
        }
        let encoded = value.protobufBytes
        #expect(value.encodedSize == encoded.count, "\(name) as \(M.protoName)")
        do throws(ProtoDecodingError) {
            let again = try M(protobuf: encoded)
            // A NaN makes a value unequal to itself; the bytes must still agree.
            if value == value {
                #expect(again == value, "\(name) as \(M.protoName): the round trip changed the value")
            }
            #expect(again.protobufBytes == encoded, "\(name) as \(M.protoName): the encoding is not stable")
        } catch {
            Issue.record("\(name) as \(M.protoName): our own encoding does not decode: \(error)")
        }
    }
}
