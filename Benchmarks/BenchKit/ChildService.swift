import Foundation
import RPCNIO
import TestKit

#if canImport(Glibc)
import Glibc
#endif

/// A service executable started by a benchmark as a child process on a free loopback port,
/// with a data folder of its own, and stopped (SIGTERM) when the benchmark is done. Its
/// warnings go to the benchmark's stderr.
public final class ChildService {
    public let name: String
    public let address: PeerAddress
    public let dataDirectory: String
    private let child: ChildProcess
    /// Its stdout, its config file and, unless the caller gave one, its data folder.
    private let scratch: URL
    /// The folder of the running benchmark executable (the build's bin folder), where the
    /// services' executables are.
    private static let binFolder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent()

    /// The benchmark's own environment, with catalog-svc on the `hanoi-2020` seed whose agencies
    /// and procedures the benchmarks name, and dossier-svc on its forms, the 2018 set (unless the
    /// caller chose).
    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if environment["DVC_SEED"] == nil { environment["DVC_SEED"] = testSeed }
        if environment["DVC_ONE_STOP_FORMS"] == nil { environment["DVC_ONE_STOP_FORMS"] = testOneStopForms }
        return environment
    }

    /// The gateway's per-client limits set out of reach: a benchmark drives far more calls
    /// from one address and one key than any client may, and measures the platform's
    /// capacity — with the limiter still running, so its cost is in the figures.
    public static let gatewayLimitsOutOfReach = [
        "rate_per_address": "1000000000", "rate_per_person": "1000000000", "rate_per_key": "1000000000",
        "rate_per_upload": "1000000000", "large_bodies_per_caller": "1000000", "sign_in_per_address_per_minute": "1000000000",
    ]

    /// Starts `name` from the folder of the running benchmark executable (the build's bin
    /// folder) and waits for its `listening on HOST:PORT` line; `config` becomes its `--config`
    /// file. Without `dataDirectory` the service gets a fresh temporary folder, removed when it
    /// stops; a folder given by the caller is theirs and kept.
    public init(_ name: String, binary: String? = nil, arguments: [String] = [], config: [String: String] = [:],
                dataDirectory: String? = nil) async throws {
        self.name = name
        scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("bench-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        self.dataDirectory = dataDirectory ?? scratch.appendingPathComponent("data").path
        var arguments = arguments
        if !config.isEmpty {
            let file = scratch.appendingPathComponent("bench.conf").path
            try config.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined()
                .write(toFile: file, atomically: true, encoding: .utf8)
            arguments += ["--config", file]
        }
        child = try ChildProcess(
            binary.map { URL(fileURLWithPath: $0) } ?? Self.binFolder.appendingPathComponent(name),
            ["--listen", "127.0.0.1:0", "--data-dir", self.dataDirectory, "--log-level", "warning"] + arguments,
            environment: Self.environment, outputFolder: scratch, inheritStandardError: true)
        // No limit but a generous one: dossier-svc opening a million dossiers takes a while.
        let listening = try await child.listeningAddress(timeout: .seconds(3600))
        guard let address = PeerAddress(listening) else { throw BenchError("\(name) listens on '\(listening)', not HOST:PORT") }
        self.address = address
        FileHandle.standardError.write(Data("bench: \(name) pid \(child.pid) on \(address)\n".utf8))
    }

    /// The process id (for reading its memory from /proc).
    public var pid: Int32 { child.pid }

    /// `http://HOST:PORT` of a gateway started with `--http`, from its `http listening on` line.
    public func httpRoot() async throws -> String {
        try await child.waitForLine(timeout: .seconds(30), what: "`http listening on HOST:PORT`") { line in
            line.hasPrefix("http listening on ") ? "http://" + line.dropFirst("http listening on ".count) : nil
        }
    }

    public func stop() {
        child.send(SIGTERM)
        child.waitUntilExit()
        try? FileManager.default.removeItem(at: scratch)
    }
}

extension ChildService {
    /// An agency system's key with the `citizens` scope, made by `gateway api-key create` in
    /// this gateway's own database (the running gateway sees it at once).
    public func makeAPIKey(agency: String, label: String) throws -> String {
        let output = scratch.appendingPathComponent("api-key-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let create = try ChildProcess(
            Self.binFolder.appendingPathComponent("gateway"),
            ["api-key", "create", "--data-dir", dataDirectory, "--agency", agency, "--scopes", "citizens", "--label", label],
            environment: ProcessInfo.processInfo.environment, outputFolder: output)
        let exit = create.waitUntilExit()
        let token = create.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard exit == .success, token.hasPrefix("ApiKey ") else { throw BenchError("gateway api-key create failed: \(create.stderr)") }
        return token
    }
}

public struct BenchError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
