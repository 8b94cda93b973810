import Foundation
import TestKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One of the tests' Python receivers (Tests/python/smtp_sink.py: a real aiosmtpd SMTP
/// server; sms_sink.py: an SMS gateway's webhook) running as a process on loopback, saving
/// what it receives as files in `folder`. Started with a fixed port so it can be stopped and
/// started again at the same address; SIGKILLed when it goes away.
final class PythonSink: Sendable {
    let port: Int
    let folder: URL
    private let process: Process

    private init(port: Int, folder: URL, process: Process) {
        self.port = port
        self.folder = folder
        self.process = process
    }

    deinit { stop() }

    /// Starts `script` (under Tests/python) and waits for its `listening on` line.
    static func start(_ script: String, port: Int, folder: URL, arguments: [String] = []) async throws -> PythonSink {
        guard let python = PythonClientTests.python3() else {
            throw TestFailure(description: "python3 was not found on PATH; notify tests need it (scripts/install-deps.sh)")
        }
        let scratch = try makeTemporaryFolder("sink")
        let stdoutURL = scratch.appendingPathComponent("stdout")
        let stderrURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let process = Process()
        process.executableURL = python
        process.arguments = [repoRoot.appendingPathComponent("Tests/python/\(script)").path,
                             "--port", "\(port)", "--out", folder.path] + arguments
        process.environment = childEnvironment()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
        let started = ContinuousClock.now
        while true {
            let stdout = (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
            if stdout.contains("listening on ") { return PythonSink(port: port, folder: folder, process: process) }
            let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
            if !process.isRunning || ContinuousClock.now - started > .seconds(15) {
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                throw TestFailure(description: """
                    \(script) did not start (is aiosmtpd installed? scripts/install-deps.sh installs it).
                    stderr:
                    \(stderr)
                    """)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The saved files with `suffix`, in the order they arrived.
    func files(_ suffix: String) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// Waits until at least `count` files with `suffix` are there (or `timeout`), then returns them.
    func waitForFiles(_ suffix: String, count: Int, timeout: Duration = .seconds(20)) async throws -> [URL] {
        let deadline = ContinuousClock.now + timeout
        while files(suffix).count < count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        return files(suffix)
    }
}
