import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A program the tests or the benchmarks start as a child process: stdout and stderr go to
/// files in `outputFolder` (never pipes, which another child could hold open and which block
/// the program once full), stdin is empty unless given. A process still running when its
/// `ChildProcess` goes away is SIGKILLed, so nothing is left behind.
public final class ChildProcess: Sendable {
    /// How the process ended.
    public struct Exit: Equatable, Sendable, CustomStringConvertible {
        public var status: Int32
        /// False when a signal ended it.
        public var exited: Bool

        public init(status: Int32, exited: Bool) {
            self.status = status
            self.exited = exited
        }

        public static let success = Exit(status: 0, exited: true)

        public var description: String { exited ? "exit status \(status)" : "signal \(status)" }
    }

    /// The program's file name, for messages.
    public let name: String
    /// The arguments it was started with.
    public let arguments: [String]
    /// Where `stdout.txt` and `stderr.txt` are.
    public let outputFolder: URL
    public let pid: Int32
    private let process: Process

    /// Starts `executable` with `arguments` in `folder` (else `outputFolder`).
    ///
    /// - Parameters:
    ///   - stdin: what it reads on standard input; nil for nothing.
    ///   - inheritStandardError: stderr goes to ours instead of a file (a benchmark's services
    ///     warn where the operator sees it).
    public init(
        _ executable: URL, _ arguments: [String], environment: [String: String] = childEnvironment(),
        in folder: URL? = nil, outputFolder: URL, stdin: String? = nil, inheritStandardError: Bool = false
    ) throws {
        name = executable.lastPathComponent
        self.arguments = arguments
        self.outputFolder = outputFolder
        let stdoutURL = outputFolder.appendingPathComponent("stdout.txt")
        let stderrURL = outputFolder.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = folder ?? outputFolder
        if let stdin {
            let stdinURL = outputFolder.appendingPathComponent("stdin.txt")
            _ = FileManager.default.createFile(atPath: stdinURL.path, contents: Data(stdin.utf8))
            process.standardInput = try FileHandle(forReadingFrom: stdinURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        if !inheritStandardError { process.standardError = try FileHandle(forWritingTo: stderrURL) }
        try process.run()
        self.process = process
        pid = process.processIdentifier
    }

    deinit {
        if process.isRunning { kill(pid, SIGKILL) }
    }

    /// What it has written to stdout so far.
    public var stdout: String {
        (try? String(contentsOf: outputFolder.appendingPathComponent("stdout.txt"), encoding: .utf8)) ?? ""
    }

    /// What it has written to stderr so far.
    public var stderr: String {
        (try? String(contentsOf: outputFolder.appendingPathComponent("stderr.txt"), encoding: .utf8)) ?? ""
    }

    public var isRunning: Bool { process.isRunning }

    public func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Waits for the first line of stdout that `accept` turns into a value (e.g. the address of
    /// a `listening on HOST:PORT` line). Fails with stdout and stderr when the process ends
    /// first, and SIGKILLs it when `timeout` passes first.
    public func waitForLine<Value>(
        timeout: Duration, what: String, _ accept: (Substring) -> Value?
    ) async throws -> Value {
        let deadline = ContinuousClock.now + timeout
        while true {
            let stdout = self.stdout
            for line in stdout.split(separator: "\n") {
                if let value = accept(line) { return value }
            }
            if !isRunning {
                let exit = waitUntilExit()
                throw TestFailure(description: """
                    \(name) \(arguments.joined(separator: " ")) ended with \(exit) before printing \(what).
                    stdout:
                    \(stdout)
                    stderr:
                    \(stderr)
                    """)
            }
            if ContinuousClock.now > deadline {
                forceKill()
                throw TestFailure(description: """
                    \(name) printed no \(what) within \(timeout); killed.
                    stdout:
                    \(stdout)
                    stderr:
                    \(stderr)
                    """)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The `HOST:PORT` of the `listening on HOST:PORT` line every server of the platform prints
    /// once it accepts connections (docs/architecture.md, "Settings").
    public func listeningAddress(timeout: Duration) async throws -> String {
        try await waitForLine(timeout: timeout, what: "`listening on HOST:PORT`") { line in
            line.hasPrefix("listening on ") ? String(line.dropFirst("listening on ".count)) : nil
        }
    }

    /// Waits up to `timeout` for the process to end; nil when it is still running.
    public func waitForExit(timeout: Duration) async -> Exit? {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now > deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return waitUntilExit()
    }

    /// Blocks until the process has ended.
    @discardableResult
    public func waitUntilExit() -> Exit {
        process.waitUntilExit()
        return Exit(status: process.terminationStatus, exited: process.terminationReason == .exit)
    }

    /// SIGTERM, then SIGKILL when it has not ended within `timeout`; how it ended.
    @discardableResult
    public func stop(timeout: Duration = .seconds(5)) async -> Exit {
        send(SIGTERM)
        if let exit = await waitForExit(timeout: timeout) { return exit }
        forceKill()
        return waitUntilExit()
    }

    /// SIGKILL, and waits for it to take effect.
    public func forceKill() {
        guard isRunning else { return }
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }
}
