import Foundation
import TestKit
import RPCNIO
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One of the platform's executables running as a real process, the way an operator starts it
/// (docs/architecture.md, "Settings"): `--listen 127.0.0.1:0 --data-dir <tmp> --log-format text`.
///
/// `start` returns once the process printed `listening on HOST:PORT`; `stop` sends SIGTERM and
/// expects exit status 0 within a few seconds. Standard output and error go to files in a
/// scratch folder (never pipes, which another child could hold open), so stderr is there for
/// diagnostics. Use it through `withService`, which SIGKILLs the process when the test body
/// throws; a process still running when its `ServiceProcess` goes away is SIGKILLed too.
final class ServiceProcess: Sendable {
    let name: String
    let host: String
    let port: Int
    /// Its `--data-dir` (or nil when the arguments did not give one).
    let dataDirectory: URL?
    /// Where its stdout and stderr files, and by default its data folder, live.
    let scratch: URL

    private let process: Process
    private let pid: Int32

    var address: PeerAddress { PeerAddress(host: host, port: port) }

    private init(name: String, host: String, port: Int, dataDirectory: URL?, scratch: URL, process: Process) {
        self.name = name
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.scratch = scratch
        self.pid = process.processIdentifier
        self.process = process
    }

    deinit {
        // A safety net: no test leaves a server behind.
        if process.isRunning {
            kill(pid, SIGKILL)
        }
    }

    /// The usual command line: a free port on loopback, a data folder in `scratch`, text logs.
    static func standardArguments(dataDirectory: URL) -> [String] {
        ["--listen", "127.0.0.1:0", "--data-dir", dataDirectory.path, "--log-format", "text"]
    }

    /// Launches `name` and waits (up to `timeout`) for its `listening on HOST:PORT` line.
    ///
    /// - Parameters:
    ///   - arguments: the whole command line; nil for `standardArguments` with a fresh data
    ///     folder (then `dataDirectory` names it), plus `extraArguments`.
    ///   - dataDirectory: what the test gave as data folder when it passes its own arguments.
    static func start(
        _ name: String,
        arguments: [String]? = nil,
        extraArguments: [String] = [],
        dataDirectory: URL? = nil,
        environment: [String: String] = [:],
        netns: String? = nil,
        timeout: Duration = .seconds(20)
    ) async throws -> ServiceProcess {
        let executable = try Executables.url(name)
        let scratch = try makeTemporaryFolder(name)
        var dataDirectory = dataDirectory
        let commandLine: [String]
        if let arguments {
            commandLine = arguments + extraArguments
        } else {
            let data = scratch.appendingPathComponent("data")
            dataDirectory = data
            commandLine = standardArguments(dataDirectory: data) + extraArguments
        }
        let stdoutURL = scratch.appendingPathComponent("stdout.txt")
        let stderrURL = scratch.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)

        let process = Process()
        if let netns {
            // `ip netns exec` enters the host's namespace and then execs the program: same pid.
            process.executableURL = NetworkHosts.ip
            process.arguments = ["netns", "exec", netns, executable.path] + commandLine
        } else {
            process.executableURL = executable
            process.arguments = commandLine
        }
        process.environment = childEnvironment(environment)
        // Relative paths (the default `./data/<service>`) land in the scratch folder.
        process.currentDirectoryURL = scratch
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()

        let started = ContinuousClock.now
        while true {
            let stdout = (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
            if let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }),
               let address = PeerAddress(String(line.dropFirst("listening on ".count))) {
                return ServiceProcess(name: name, host: address.host, port: address.port,
                                      dataDirectory: dataDirectory, scratch: scratch, process: process)
            }
            if !process.isRunning {
                process.waitUntilExit()
                let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
                throw TestFailure(description: """
                    \(name) \(commandLine.joined(separator: " ")) exited with \
                    \(process.terminationReason == .exit ? "status" : "signal") \(process.terminationStatus) \
                    before printing `listening on HOST:PORT`.
                    stdout:
                    \(stdout)
                    stderr:
                    \(stderr)
                    """)
            }
            if ContinuousClock.now - started > timeout {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
                throw TestFailure(description: """
                    \(name) printed no `listening on HOST:PORT` line within \(timeout); killed.
                    stdout:
                    \(stdout)
                    stderr:
                    \(stderr)
                    """)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    var stdout: String {
        (try? String(contentsOf: scratch.appendingPathComponent("stdout.txt"), encoding: .utf8)) ?? ""
    }

    var stderr: String {
        (try? String(contentsOf: scratch.appendingPathComponent("stderr.txt"), encoding: .utf8)) ?? ""
    }

    var isRunning: Bool { process.isRunning }

    func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// How the process ended, once it has.
    struct Exit: Equatable, CustomStringConvertible {
        var status: Int32
        /// False when a signal ended it.
        var exited: Bool

        static let success = Exit(status: 0, exited: true)

        var description: String { exited ? "exit status \(status)" : "signal \(status)" }
    }

    /// Waits up to `timeout` for the process to end; nil when it is still running.
    func waitForExit(timeout: Duration) async -> Exit? {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now > deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
        process.waitUntilExit()
        return Exit(status: process.terminationStatus, exited: process.terminationReason == .exit)
    }

    /// SIGTERM, then expects exit status 0 within `timeout` (SIGKILL when it does not come).
    /// Returns how it ended.
    @discardableResult
    func stop(timeout: Duration = .seconds(5), sourceLocation: SourceLocation = #_sourceLocation) async -> Exit? {
        send(SIGTERM)
        return await expectExit(timeout: timeout, sourceLocation: sourceLocation)
    }

    /// Expects the process, already told to stop, to exit with status 0 within `timeout`.
    @discardableResult
    func expectExit(timeout: Duration = .seconds(5), sourceLocation: SourceLocation = #_sourceLocation) async -> Exit? {
        guard let exit = await waitForExit(timeout: timeout) else {
            forceKill()
            Issue.record("\(name) still running \(timeout) after SIGTERM; killed.\nstderr:\n\(stderr)",
                         sourceLocation: sourceLocation)
            return nil
        }
        #expect(exit == .success, "\(name) ended with \(exit) after SIGTERM, want exit status 0.\nstderr:\n\(stderr)",
                sourceLocation: sourceLocation)
        if exit == .success { try? FileManager.default.removeItem(at: scratch) }
        return exit
    }

    /// SIGKILL, and waits for it to take effect.
    func forceKill() {
        guard isRunning else { return }
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }
}

/// Runs `body` with a started process and stops it after: SIGTERM and exit status 0 when the
/// body returns; SIGKILL, and the process's stderr recorded, when it throws.
func withService<T>(
    _ name: String,
    arguments: [String]? = nil,
    extraArguments: [String] = [],
    dataDirectory: URL? = nil,
    environment: [String: String] = [:],
    netns: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (ServiceProcess) async throws -> T
) async throws -> T {
    let service = try await ServiceProcess.start(
        name, arguments: arguments, extraArguments: extraArguments, dataDirectory: dataDirectory,
        environment: environment, netns: netns)
    let result: T
    do {
        result = try await body(service)
    } catch {
        service.forceKill()
        Issue.record("\(name) (killed after the test failed; files kept in \(service.scratch.path)) stderr:\n\(service.stderr)",
                     sourceLocation: sourceLocation)
        throw error
    }
    await service.stop(sourceLocation: sourceLocation)
    return result
}
