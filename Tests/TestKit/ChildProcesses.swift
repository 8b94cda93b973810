import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure the tests describe themselves.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// A fresh folder under the system's temporary folder.
public func makeTemporaryFolder(_ prefix: String) throws -> URL {
    let url = URL(fileURLWithPath: NSTemporaryDirectory())
        .appendingPathComponent("dvc-test-\(prefix)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The environment for a child process: ours without any `DVC_*` variable (so a developer's
/// shell settings cannot leak into a test), plus `extra`.
public func childEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DVC_") }
    environment.merge(extra) { $1 }
    return environment
}

/// What a program that ran to its end left behind.
public struct Finished: CustomStringConvertible, Sendable {
    public var status: Int32
    /// False when a signal ended it.
    public var exited: Bool
    public var stdout: String
    public var stderr: String

    public var description: String {
        "\(exited ? "exit status" : "signal") \(status)\n--- stdout ---\n\(stdout)\n--- stderr ---\n\(stderr)"
    }
}

/// Runs `executable` to its end (killed after `timeout`); stdout and stderr go to files, so a
/// pipe held open by some other child can never make this wait.
public func runToCompletion(
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
