import DVCProto
import Foundation
import Testing

/// Bytes our Swift code encodes, decoded by Python's protobuf runtime and compared there,
/// field by field, with golden.py's own copy of the expected values.
///
/// These tests need python3, Python's `protobuf` package and protoc. When one is missing they
/// FAIL with a message saying what to install: CI installs them, and a codec check that
/// silently skips itself proves nothing.
@Suite struct PythonInteropTests {
    struct Run {
        var status: Int32
        var output: String
    }

    /// python3 on PATH, or nil.
    static func python3() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("python3")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Runs golden.py with `arguments`; stdout and stderr together.
    static func golden(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
        guard let python = python3() else {
            Issue.record("""
                python3 was not found on PATH. The golden-bytes tests need python3 with Google's \
                protobuf package (pip install protobuf) and protoc (apt-get install protobuf-compiler).
                """, sourceLocation: sourceLocation)
            throw CocoaError(.executableNotLoadable)
        }
        let process = Process()
        process.executableURL = python
        process.arguments = [goldenScript.path] + arguments
        process.currentDirectoryURL = repoRoot
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let run = Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self))
        if run.status == 2 {
            // golden.py's "something is missing" exit: say so plainly.
            Issue.record("golden.py could not run (missing python protobuf or protoc?):\n\(run.output)",
                         sourceLocation: sourceLocation)
        }
        return run
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("dvcproto-golden-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("Python decodes our encoding of every case to its own expected value")
    func pythonAgreesWithOurEncoding() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var arguments: [String] = []
        for golden in GoldenCases.all {
            let file = folder.appendingPathComponent("\(golden.name).binpb")
            try Data(golden.encode()).write(to: file)
            arguments.append("\(golden.name)=\(file.path)")
        }
        let run = try Self.golden(["verify"] + arguments)
        #expect(run.status == 0, "Python disagrees with our encoding:\n\(run.output)")
        // Every case where the bytes should match Python's deterministic encoding does.
        for golden in GoldenCases.all where golden.sameBytesAsPython {
            let line = "OK \(golden.name): every field equal (\(golden.encode().count) bytes, same bytes as Python)"
            #expect(run.output.contains(line), "\(golden.name) not byte-identical to Python:\n\(run.output)")
        }
    }

    @Test("Python notices a changed field: NFD where NFC was expected")
    func pythonComparisonIsByteExact() throws {
        // A control for the test above: text that Swift considers equal (canonically
        // equivalent) but whose bytes differ must be reported.
        var changed = GoldenCases.allKindsFull()
        changed.fString = Text.viNFD + " " + Text.flagVN
        #expect(changed == GoldenCases.allKindsFull(), "Swift's == is canonical equivalence")
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("changed.binpb")
        try Data(changed.protobufBytes).write(to: file)
        let run = try Self.golden(["verify", "all_kinds_full=\(file.path)"])
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("f_string"), "\(run.output)")
    }

    @Test("the committed fixtures are what golden.py writes")
    func fixturesAreUpToDate() throws {
        let run = try Self.golden(["check"])
        #expect(run.status == 0, "\(run.output)")
    }
}
