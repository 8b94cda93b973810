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

/// One of the platform's servers (`rpc-interop-server`, `catalog-svc`) running as a process,
/// started the way an operator starts it (docs/architecture.md, "Settings"):
/// `--listen 127.0.0.1:0 --data-dir <tmp> --log-format text`; ready once it printed
/// `listening on HOST:PORT`.
final class ServerProcess: Sendable {
    let address: String
    let scratch: URL
    private let process: Process
    private let pid: Int32

    private init(address: String, scratch: URL, process: Process) {
        self.address = address
        self.scratch = scratch
        self.process = process
        self.pid = process.processIdentifier
    }

    deinit {
        if process.isRunning { kill(pid, SIGKILL) }
    }

    static func start(_ name: String, timeout: Duration = .seconds(30)) async throws -> ServerProcess {
        let executable = try Executables.url(name)
        let scratch = try makeTemporaryFolder(name)
        let stdoutURL = scratch.appendingPathComponent("stdout.txt")
        let stderrURL = scratch.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--listen", "127.0.0.1:0", "--data-dir", scratch.appendingPathComponent("data").path,
                             "--log-format", "text"]
        process.environment = childEnvironment()
        process.currentDirectoryURL = scratch
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
        let started = ContinuousClock.now
        while true {
            let stdout = (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
            if let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) {
                return ServerProcess(address: String(line.dropFirst("listening on ".count)), scratch: scratch,
                                     process: process)
            }
            if !process.isRunning || ContinuousClock.now - started > timeout {
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
                let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
                throw TestFailure(description: "\(name) did not print `listening on HOST:PORT`.\nstdout:\n\(stdout)\nstderr:\n\(stderr)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    var stderr: String {
        (try? String(contentsOf: scratch.appendingPathComponent("stderr.txt"), encoding: .utf8)) ?? ""
    }

    /// SIGTERM, and waits for the exit.
    func stop() async {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: scratch)
    }
}

/// Runs `body` with a started server, stopped afterwards.
func withServer<T>(_ name: String, _ body: (ServerProcess) async throws -> T) async throws -> T {
    let server = try await ServerProcess.start(name)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// A TCP port on 127.0.0.1 that listens and never accepts: after a command ran against it,
/// `connectionAttempted` says whether the command connected (so "nothing was sent" is
/// checked, not assumed).
final class SilentListener {
    let port: Int
    private let fd: Int32

    init() throws {
        #if canImport(Glibc) || canImport(Musl)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw TestFailure(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw TestFailure(description: "bind/listen failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }

    var address: String { "127.0.0.1:\(port)" }

    /// Whether a connection is waiting to be accepted.
    var connectionAttempted: Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0 && entry.revents & Int16(POLLIN) != 0
    }
}

/// Runs `body` with a started `rpc-interop-server`.
func withInteropServer<T>(_ body: (ServerProcess) async throws -> T) async throws -> T {
    try await withServer(Executables.interopServer, body)
}
