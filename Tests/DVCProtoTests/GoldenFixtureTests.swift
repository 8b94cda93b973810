import DVCProto
import Foundation
import Testing

/// Bytes written by a second implementation (Python's protobuf runtime, Tests/python/golden.py)
/// decoded by ours, and ours compared with them.
@Suite struct GoldenFixtureTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = fixturesFolder.appendingPathComponent("\(name).binpb")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            Issue.record("missing fixture \(url.path): run `python3 Tests/python/golden.py write`")
            throw CocoaError(.fileNoSuchFile)
        }
        return Array(data)
    }

    @Test("Python's golden bytes decode to the expected value, field by field",
          arguments: GoldenCases.committed)
    func decodesGolden(_ golden: GoldenCase) throws {
        let bytes = try Self.fixture(golden.name)
        let problems = try golden.check(bytes)
        #expect(problems.isEmpty, "\(golden.name): \(problems.count) field(s) differ:\n\(problems.joined(separator: "\n"))")
    }

    @Test("our encoding is byte-identical to Python's deterministic encoding",
          arguments: GoldenCases.committed.filter(\.sameBytesAsPython))
    func encodesLikePython(_ golden: GoldenCase) throws {
        let python = try Self.fixture(golden.name)
        let ours = golden.encode()
        #expect(ours == python, "\(golden.name): \(ours.count) bytes vs Python's \(python.count), first difference at byte \(zip(ours, python).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(ours.count, python.count))")
    }

    @Test("where the bytes differ, they are still the same message")
    func zeroMapEntriesDifferOnlyInEncoding() throws {
        // Python writes `key: ""` and `value: 0` inside map entries; protobuf-c, like proto3
        // for any message, leaves default fields out. Both decode to the same map.
        let python = try Self.fixture("all_kinds_zero_map_entries")
        let ours = GoldenCases.allKindsZeroMapEntries().protobufBytes
        #expect(ours != python)
        #expect(ours.count < python.count)
        let problems = try TestingV1.AllKinds(protobuf: python).differences(from: TestingV1.AllKinds(protobuf: ours))
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test("the all-defaults fixture is empty, as ours is")
    func defaultsAreEmpty() throws {
        #expect(try Self.fixture("all_kinds_defaults").isEmpty)
        #expect(GoldenCases.allKindsDefaults().protobufBytes.isEmpty)
    }

    @Test("the fixtures folder holds exactly the committed cases")
    func fixtureSetIsComplete() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: fixturesFolder.path)
            .filter { $0.hasSuffix(".binpb") }
            .map { String($0.dropLast(".binpb".count)) }
        #expect(Set(files) == Set(GoldenCases.committed.map(\.name)))
    }
}
