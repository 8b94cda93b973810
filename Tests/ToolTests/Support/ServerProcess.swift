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
    private let child: ChildProcess

    private init(address: String, child: ChildProcess) {
        self.address = address
        self.scratch = child.outputFolder
        self.child = child
    }

    /// `environment` is added to the tests' (catalog-svc's `DVC_SEED`, for one).
    static func start(_ name: String, environment: [String: String] = [:], timeout: Duration = .seconds(30)) async throws -> ServerProcess {
        let scratch = try makeTemporaryFolder(name)
        let child = try ChildProcess(
            try Executables.url(name),
            ["--listen", "127.0.0.1:0", "--data-dir", scratch.appendingPathComponent("data").path, "--log-format", "text"],
            environment: childEnvironment(environment), outputFolder: scratch)
        return ServerProcess(address: try await child.listeningAddress(timeout: timeout), child: child)
    }

    var stderr: String { child.stderr }

    /// SIGTERM, and waits for the exit.
    func stop() async {
        await child.stop()
        try? FileManager.default.removeItem(at: scratch)
    }
}

/// Runs `body` with a started server, stopped afterwards.
func withServer<T>(_ name: String, environment: [String: String] = [:], _ body: (ServerProcess) async throws -> T) async throws -> T {
    let server = try await ServerProcess.start(name, environment: environment)
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
