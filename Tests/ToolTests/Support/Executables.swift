import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The package's root folder, found from this file's path (Tests/ToolTests/Support/).
let repoRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // Support
    .deletingLastPathComponent()  // ToolTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()

/// The executables these tests run, as `swift build` leaves them in the build folder: `dvcctl`,
/// `rpc-interop-server` and `catalog-svc`. A missing one is a failure saying to build first, never a skip.
enum Executables {
    static let dvcctl = "dvcctl"
    static let interopServer = "rpc-interop-server"
    static let catalogService = "catalog-svc"

    /// Folders that may hold them, best first: only `DVC_BIN_DIR` when it is set; otherwise the
    /// folder of the running test binary and its parents (SwiftPM puts the test bundle next to
    /// the executables of the same configuration), then `.build/debug`.
    static let candidateFolders: [URL] = {
        if let explicit = ProcessInfo.processInfo.environment["DVC_BIN_DIR"], !explicit.isEmpty {
            return [URL(fileURLWithPath: explicit)]
        }
        var folders: [URL] = []
        var binaries: [URL] = []
        #if os(Linux)
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            binaries.append(URL(fileURLWithPath: target))
        }
        #endif
        if let main = Bundle.main.executableURL { binaries.append(main) }
        binaries.append(URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL)
        for binary in binaries {
            var folder = binary.resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<4 {
                folders.append(folder)
                folder = folder.deletingLastPathComponent()
            }
        }
        folders.append(repoRoot.appendingPathComponent(".build/debug"))
        return folders
    }()

    /// The path of one executable; an error saying to run `swift build` when it is missing.
    static func url(_ name: String) throws -> URL {
        for folder in candidateFolders {
            let url = folder.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        let looked = candidateFolders.map(\.path).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        throw TestFailure(description: """
            executable '\(name)' not found: run `swift build` first (these tests run the real \
            dvcctl and rpc-interop-server; scripts/test.sh builds everything before `swift test`). \
            Looked in: \(looked.joined(separator: ", "))
            """)
    }
}

/// A failure these tests describe themselves.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
}

/// A fresh folder under the system's temporary folder.
func makeTemporaryFolder(_ prefix: String) throws -> URL {
    let url = URL(fileURLWithPath: NSTemporaryDirectory())
        .appendingPathComponent("dvc-tool-\(prefix)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The environment for a child process: ours without any `DVC_*` variable (so a developer's
/// shell settings cannot leak into a test), plus `extra`.
func childEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DVC_") }
    environment.merge(extra) { $1 }
    return environment
}

/// What a program that ran to its end left behind.
struct Finished: CustomStringConvertible {
    var status: Int32
    /// False when a signal ended it.
    var exited: Bool
    var stdout: String
    var stderr: String

    var description: String {
        "\(exited ? "exit status" : "signal") \(status)\n--- stdout ---\n\(stdout)\n--- stderr ---\n\(stderr)"
    }
}

/// Runs `executable` to its end (killed after `timeout`); stdout and stderr go to files, so a
/// pipe held open by some other child can never make this wait.
func runToCompletion(
    _ executable: URL,
    _ arguments: [String],
    stdin: String? = nil,
    environment: [String: String] = childEnvironment(),
    in folder: URL? = nil,
    timeout: Duration = .seconds(30)
) async throws -> Finished {
    let scratch = try makeTemporaryFolder("run")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let stdoutURL = scratch.appendingPathComponent("stdout")
    let stderrURL = scratch.appendingPathComponent("stderr")
    let stdinURL = scratch.appendingPathComponent("stdin")
    _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: stdinURL.path, contents: Data((stdin ?? "").utf8))
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = environment
    process.currentDirectoryURL = folder ?? scratch
    process.standardInput = stdin == nil ? FileHandle.nullDevice : try FileHandle(forReadingFrom: stdinURL)
    process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
    process.standardError = try FileHandle(forWritingTo: stderrURL)
    try process.run()
    let deadline = ContinuousClock.now + timeout
    while process.isRunning {
        if ContinuousClock.now > deadline {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
            throw TestFailure(description: "\(executable.lastPathComponent) \(arguments) still running after \(timeout); killed. stderr:\n\(stderr)")
        }
        try await Task.sleep(for: .milliseconds(10))
    }
    process.waitUntilExit()
    return Finished(
        status: process.terminationStatus,
        exited: process.terminationReason == .exit,
        stdout: (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "")
}

/// Runs the built `dvcctl`.
func dvcctl(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
            in folder: URL? = nil) async throws -> Finished {
    try await runToCompletion(try Executables.url(Executables.dvcctl), arguments, stdin: stdin,
                              environment: childEnvironment(environment), in: folder)
}
