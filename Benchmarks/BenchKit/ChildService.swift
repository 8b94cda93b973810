import Foundation
import RPCNIO

#if canImport(Glibc)
import Glibc
#endif

/// A service executable started by a benchmark as a child process on a free loopback port,
/// with a data folder of its own, and stopped (SIGTERM) when the benchmark is done.
public final class ChildService {
    public let name: String
    public let address: PeerAddress
    private let process: Process
    public let dataDirectory: String
    /// A folder given by the caller is theirs: kept when the service stops.
    private let keepsData: Bool

    /// The gateway's per-client limits set out of reach: a benchmark drives far more calls
    /// from one address and one key than any client may, and measures the platform's
    /// capacity — with the limiter still running, so its cost is in the figures.
    public static let gatewayLimitsOutOfReach = [
        "rate_per_address": "1000000000", "rate_per_person": "1000000000", "rate_per_key": "1000000000",
    ]

    /// Starts `name` from the folder of the running benchmark executable (the build's bin
    /// folder); `config` becomes its `--config` file. Without `dataDirectory` the service gets
    /// a fresh temporary folder, removed when it stops.
    public init(_ name: String, binary: String? = nil, arguments: [String] = [], config: [String: String] = [:],
                dataDirectory: String? = nil) throws {
        self.name = name
        let path = binary ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent(name).path
        keepsData = dataDirectory != nil
        self.dataDirectory = dataDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("bench-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        var arguments = arguments
        if !config.isEmpty {
            try FileManager.default.createDirectory(atPath: self.dataDirectory, withIntermediateDirectories: true)
            let file = self.dataDirectory + "/bench.conf"
            try config.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined()
                .write(toFile: file, atomically: true, encoding: .utf8)
            arguments += ["--config", file]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--listen", "127.0.0.1:0", "--data-dir", self.dataDirectory, "--log-level", "warning"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        self.process = process
        var buffer = Data()
        while true {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { throw BenchError("\(name) exited before listening") }
            buffer.append(chunk)
            if let text = String(data: buffer, encoding: .utf8),
               let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }),
               let peer = PeerAddress(String(line.dropFirst("listening on ".count))) {
                address = peer
                break
            }
        }
        FileHandle.standardError.write(Data("bench: \(name) pid \(process.processIdentifier) on \(address)\n".utf8))
    }

    public func stop() {
        process.terminate()
        process.waitUntilExit()
        if !keepsData { try? FileManager.default.removeItem(atPath: dataDirectory) }
    }
}

extension ChildService {
    /// An agency system's key with the `citizens` scope, made by `gateway api-key create` in
    /// this gateway's own database (the running gateway sees it at once).
    public func makeAPIKey(agency: String, label: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("gateway")
        process.arguments = ["api-key", "create", "--data-dir", dataDirectory, "--agency", agency,
                             "--scopes", "citizens", "--label", label]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let token = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, token.hasPrefix("ApiKey ") else { throw BenchError("gateway api-key create failed") }
        return token
    }
}

public struct BenchError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
