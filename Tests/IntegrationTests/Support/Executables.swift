import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The package's root folder, found from this file's path (Tests/IntegrationTests/Support/).
let repoRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // Support
    .deletingLastPathComponent()  // IntegrationTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()

/// The platform's executables, as `swift build` leaves them in the build folder.
///
/// These tests start the real programs, so they need them built: `swift build` first (the
/// test script builds everything before `swift test`). A missing executable is a failure
/// saying so, never a skip.
enum Executables {
    /// The services of DESIGN.md §3, each with the SQLite file it keeps under `--data-dir`.
    static let services: [(name: String, database: String)] = [
        ("catalog-svc", "catalog.sqlite"),
        ("dossier-svc", "dossier.sqlite"),
        ("payment-svc", "payment.sqlite"),
        ("notify-svc", "notify.sqlite"),
        ("gateway", "gateway.sqlite"),
    ]
    static let interopServer = "rpc-interop-server"
    static let all = services.map(\.name) + [interopServer]

    /// Folders that may hold the executables, best first: only `DVC_BIN_DIR` when it is set;
    /// otherwise the folder of the running test binary and its parents (SwiftPM puts the test
    /// bundle next to the executables of the same configuration), then `.build/debug`.
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
            // `.build/<triple>/debug/pkgPackageTests.xctest` on Linux;
            // `.build/<triple>/debug/pkgPackageTests.xctest/Contents/MacOS/pkgPackageTests` on macOS.
            var folder = binary.resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<4 {
                folders.append(folder)
                folder = folder.deletingLastPathComponent()
            }
        }
        folders.append(repoRoot.appendingPathComponent(".build/debug"))
        return folders
    }()

    /// The folder holding the executables, or nil.
    static let folder: URL? = candidateFolders.first { folder in
        FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent(interopServer).path)
    }

    /// The path of one executable; an error saying to run `swift build` when it is missing.
    static func url(_ name: String) throws -> URL {
        if let folder {
            let url = folder.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        let looked = candidateFolders.map(\.path).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        throw TestFailure(description: """
            executable '\(name)' not found: run `swift build` first (the integration tests start \
            the real executables; scripts build everything before `swift test`). Looked in: \
            \(looked.joined(separator: ", "))
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
        .appendingPathComponent("dvc-it-\(prefix)-\(UUID().uuidString.prefix(8))")
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

/// A TCP port on 127.0.0.1 that was free a moment ago: bound to port 0, read, released.
func freeLoopbackPort() throws -> Int {
    #if canImport(Glibc) || canImport(Musl)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw POSIXError(.EMFILE) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw POSIXError(.EINVAL) }
    return Int(UInt16(bigEndian: address.sin_port))
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
    environment: [String: String] = childEnvironment(),
    in folder: URL? = nil,
    timeout: Duration = .seconds(20)
) async throws -> Finished {
    let scratch = try makeTemporaryFolder("run")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let stdoutURL = scratch.appendingPathComponent("stdout")
    let stderrURL = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = environment
    process.currentDirectoryURL = folder ?? scratch
    process.standardInput = FileHandle.nullDevice
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
