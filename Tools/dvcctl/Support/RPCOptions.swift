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

    @Option(name: .customLong("tls-cert"),
            help: ArgumentHelp("Operator certificate (PEM) signed by the platform CA, for services that require mutual TLS. Env: DVC_TLS_CERT.", valueName: "file"))
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The private key (PEM) of --tls-cert. Env: DVC_TLS_KEY.", valueName: "file"))
    var tlsKey: String?

    @Option(name: .customLong("tls-ca"),
            help: ArgumentHelp("The platform's CA certificate (PEM): the server must present a certificate it signed. Alone (without --tls-cert) for the gateway's TLS port. Env: DVC_TLS_CA.", valueName: "file"))
    var tlsCA: String?

    /// The TLS files from the flags, else from DVC_TLS_* (like the services).
    private func tlsFiles() -> (cert: String?, key: String?, ca: String?) {
        let environment = ProcessInfo.processInfo.environment
        return (tlsCert ?? environment["DVC_TLS_CERT"], tlsKey ?? environment["DVC_TLS_KEY"], tlsCA ?? environment["DVC_TLS_CA"])
    }

    /// TLS for the calls, or nil for plain TCP.
    func tls() throws -> RPCTLS? {
        let files = tlsFiles()
        guard files.cert != nil || files.key != nil || files.ca != nil else { return nil }
        guard (files.cert == nil) == (files.key == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        guard let ca = files.ca else {
            throw ValidationError("--tls-cert needs --tls-ca, the CA that signed the server's certificate")
        }
        do {
            return try RPCTLS.load(certificate: files.cert, privateKey: files.key, authority: ca)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func validate() throws {
        guard timeout > 0, timeout.isFinite else {
            throw ValidationError("--timeout must be a positive number of seconds, not \(timeout)")
        }
        _ = try metadata()
        _ = try tls()
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
    func client(_ peers: [PeerAddress]) throws -> RPCClient {
        var configuration = RPCClientConfiguration()
        configuration.tls = try tls()
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
