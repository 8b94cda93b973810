import Foundation
import ArgumentParser
import DVCProto
import Logging
import RPCCore
import RPCNIO

/// The flags of every command that makes calls: deadline, metadata, logging.
struct RPCOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Deadline of each call, in seconds.", valueName: "seconds"))
    var timeout: Double = 10

    @Option(name: [.customShort("H"), .customLong("header")],
            help: ArgumentHelp("Metadata sent with the call (repeatable), e.g. -H x-request-id:abc.",
                               valueName: "key:value"))
    var headers: [String] = []

    @Flag(name: .long, help: "Log connection events to stderr.")
    var verbose = false

    func validate() throws {
        guard timeout > 0, timeout.isFinite else {
            throw ValidationError("--timeout must be a positive number of seconds, not \(timeout)")
        }
        _ = try metadata()
    }

    /// `-H` flags as metadata; keys are trimmed and lower-cased, like HTTP/2 header names.
    func metadata() throws(ValidationError) -> Metadata {
        var metadata: Metadata = [:]
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else {
                throw ValidationError("-H '\(header)' is not key:value")
            }
            let key = header[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { throw ValidationError("-H '\(header)' has an empty key") }
            metadata[key] = value
        }
        return metadata
    }

    func callOptions(extra: Metadata = [:]) throws(ValidationError) -> CallOptions {
        CallOptions(timeout: .milliseconds(Int64((timeout * 1000).rounded(.up))),
                    metadata: try metadata().merging(extra) { _, new in new })
    }

    /// A client of `peers`; quiet unless `--verbose` (swift-log's default would write to stdout,
    /// where the results go).
    func client(_ peers: [PeerAddress]) -> RPCClient {
        var configuration = RPCClientConfiguration()
        configuration.connectTimeout = .milliseconds(Int64(min(timeout, 5) * 1000))
        let verbose = self.verbose
        let logger = Logger(label: "dvcctl") { label in
            if verbose {
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = .debug
                return handler
            }
            return SwiftLogNoOpLogHandler()
        }
        return RPCClient(peers: peers, configuration: configuration, logger: logger)
    }
}

/// `HOST:PORT[,HOST:PORT...]` from the command line.
func parsePeers(_ text: String, what: String) throws(ValidationError) -> [PeerAddress] {
    guard let peers = PeerAddress.list(text) else {
        throw ValidationError("\(what) '\(text)' is not HOST:PORT[,HOST:PORT...]")
    }
    return peers
}

/// Runs `body` with a client that is closed afterwards, whatever happens.
func withClient<T>(_ client: RPCClient, _ body: (RPCClient) async throws -> T) async throws -> T {
    do {
        let result = try await body(client)
        await client.close()
        return result
    } catch {
        await client.close()
        throw error
    }
}
