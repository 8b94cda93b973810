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

    private let child: ChildProcess

    var address: PeerAddress { PeerAddress(host: host, port: port) }

    private init(name: String, address: PeerAddress, dataDirectory: URL?, child: ChildProcess) {
        self.name = name
        self.host = address.host
        self.port = address.port
        self.dataDirectory = dataDirectory
        self.scratch = child.outputFolder
        self.child = child
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
        // `ip netns exec` enters the host's namespace and then execs the program: same pid.
        // Relative paths (the default `./data/<service>`) land in the scratch folder.
        let (program, programArguments) = netns.map { (NetworkHosts.ip, ["netns", "exec", $0, executable.path] + commandLine) }
            ?? (executable, commandLine)
        let child = try ChildProcess(program, programArguments, environment: childEnvironment(environment), outputFolder: scratch)
        let address = try await child.waitForLine(timeout: timeout, what: "`listening on HOST:PORT`") { line in
            line.hasPrefix("listening on ") ? PeerAddress(String(line.dropFirst("listening on ".count))) : nil
        }
        return ServiceProcess(name: name, address: address, dataDirectory: dataDirectory, child: child)
    }

    var stdout: String { child.stdout }

    var stderr: String { child.stderr }

    var isRunning: Bool { child.isRunning }

    func send(_ signal: Int32) {
        child.send(signal)
    }

    typealias Exit = ChildProcess.Exit

    /// Waits up to `timeout` for the process to end; nil when it is still running.
    func waitForExit(timeout: Duration) async -> Exit? {
        await child.waitForExit(timeout: timeout)
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
        child.forceKill()
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
