import Logging
import RPCNIO

import Foundation

/// The resolved settings of one executable: flags, then `DVC_*` environment variables, then
/// the config file, then defaults.
public struct ServiceSettings: Sendable {
    public var serviceName: String
    public var listenHost: String
    public var listenPort: Int
    public var dataDirectory: String
    /// Where a service that speaks HTTP listens (`--http`); nil when it should not.
    public var httpListen: PeerAddress?
    /// Where the admin HTTP side (health, readiness, metrics) listens (`--admin`); nil for none.
    public var adminListen: PeerAddress?
    /// Mutual TLS between the platform's services (`--tls-cert`, `--tls-key`, `--tls-ca`):
    /// all three or none.
    public var tls: TLSFiles?

    /// The PEM files of mutual TLS.
    public struct TLSFiles: Sendable, Hashable {
        public var certificate: String
        public var privateKey: String
        public var authority: String
        /// Serial numbers of revoked certificates (`--tls-revoked`), read again on SIGHUP.
        public var revoked: String?
        public init(certificate: String, privateKey: String, authority: String, revoked: String? = nil) {
            self.certificate = certificate
            self.privateKey = privateKey
            self.authority = authority
            self.revoked = revoked
        }
    }
    public var peers: [String: [PeerAddress]]
    public var logLevel: Logger.Level
    public var jsonLogs: Bool
    /// Every key of the config file and every `DVC_<KEY>` variable (as `<key>`), for the
    /// settings of one executable that are not flags (e.g. the gateway's `rate_per_address`,
    /// the `dossier_shards` map of docs/sharding.md).
    public var extra: [String: String]

    /// Errors an operator can act on: they name the flag, the variable and the bad value.
    public struct InvalidSetting: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public static let peerKinds = ["catalog", "dossier", "payment", "notify"]

    /// A shared secret that signs what a service believes (a payment provider's callbacks, the
    /// national portal's deliveries): one an attacker can guess lets them forge those. A
    /// placeholder left from an example file (`CHANGE-ME`), fewer than 16 characters or fewer
    /// than 6 different ones stops the service at start, naming the key and who issues the secret.
    /// - Parameters:
    ///   - key: the setting, as the operator writes it (with `--config: ` where it is read from that file).
    ///   - issuedBy: what to set instead, e.g. "the secret the payment provider issued".
    public static func strongSecret(_ value: String, key: String, issuedBy: String) throws -> String {
        let folded = value.lowercased().filter { $0.isLetter || $0.isNumber }
        let placeholders = ["changeme", "secret", "password", "example", "placeholder", "todo", "xxx"]
        guard value.count >= 16, Set(value).count >= 6, !placeholders.contains(where: { folded.contains($0) }) else {
            throw InvalidSetting(description:
                "\(key) is a placeholder or too short (\(value.count) characters): set \(issuedBy) (at least 16 characters)")
        }
        return value
    }

    public init(
        serviceName: String,
        options: ServiceOptions,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        self.serviceName = serviceName
        let configPath = options.config ?? environment["DVC_CONFIG"]
        let file = try configPath.map(Self.readConfigFile) ?? [:]
        func value(_ flag: String, _ fromFlag: String?) -> String? {
            let variable = "DVC_" + flag.uppercased().replacingOccurrences(of: "-", with: "_")
            return fromFlag ?? environment[variable] ?? file[flag] ?? file[variable]
        }

        let listen = value("listen", options.listen) ?? "127.0.0.1:0"
        guard let address = PeerAddress(listen) else {
            throw InvalidSetting(description: "--listen / DVC_LISTEN: '\(listen)' is not HOST:PORT")
        }
        listenHost = address.host
        listenPort = address.port
        dataDirectory = value("data-dir", options.dataDir) ?? "data/\(serviceName)"
        if let http = value("http", options.http) {
            guard let address = PeerAddress(http) else {
                throw InvalidSetting(description: "--http / DVC_HTTP: '\(http)' is not HOST:PORT")
            }
            httpListen = address
        }

        if let admin = value("admin", options.admin) {
            guard let address = PeerAddress(admin) else {
                throw InvalidSetting(description: "--admin / DVC_ADMIN: '\(admin)' is not HOST:PORT")
            }
            adminListen = address
        }
        let tlsFiles = [value("tls-cert", options.tlsCert), value("tls-key", options.tlsKey), value("tls-ca", options.tlsCA)]
        if tlsFiles.contains(where: { $0 != nil }) {
            guard let certificate = tlsFiles[0], let privateKey = tlsFiles[1], let authority = tlsFiles[2] else {
                throw InvalidSetting(description: "--tls-cert, --tls-key and --tls-ca (DVC_TLS_CERT, DVC_TLS_KEY, DVC_TLS_CA) go together: give all three or none")
            }
            tls = TLSFiles(certificate: certificate, privateKey: privateKey, authority: authority,
                           revoked: value("tls-revoked", options.tlsRevoked))
        } else if value("tls-revoked", options.tlsRevoked) != nil {
            throw InvalidSetting(description: "--tls-revoked (DVC_TLS_REVOKED) needs --tls-cert, --tls-key and --tls-ca: without TLS there is no certificate to revoke")
        }

        var peers: [String: [PeerAddress]] = [:]
        let flags = ["catalog": options.catalog, "dossier": options.dossier,
                     "payment": options.payment, "notify": options.notify]
        for kind in Self.peerKinds {
            guard let text = value(kind, flags[kind] ?? nil) else { continue }
            guard let list = PeerAddress.list(text) else {
                throw InvalidSetting(
                    description: "--\(kind) / DVC_\(kind.uppercased()): '\(text)' is not HOST:PORT[,HOST:PORT...]")
            }
            peers[kind] = list
        }
        self.peers = peers

        let level = value("log-level", options.logLevel) ?? "info"
        guard let parsed = Logger.Level(rawValue: level) else {
            throw InvalidSetting(description: "--log-level / DVC_LOG_LEVEL: '\(level)' is not a log level")
        }
        logLevel = parsed
        let format = value("log-format", options.logFormat) ?? "json"
        guard format == "json" || format == "text" else {
            throw InvalidSetting(description: "--log-format / DVC_LOG_FORMAT: '\(format)' is not json or text")
        }
        jsonLogs = format == "json"
        // The settings that are not flags come from the config file, or from DVC_<KEY> in the
        // environment (DVC_TRUSTED_PROXIES for trusted_proxies), which wins as a flag's
        // variable does: a container platform sets variables, not files.
        var extra = file
        for (name, value) in environment where name.hasPrefix("DVC_") && name.count > 4 {
            extra[name.dropFirst(4).lowercased()] = value
        }
        self.extra = extra
    }

    /// The peers of one kind, or an error naming the missing flag: a service that needs a
    /// peer refuses to start without it.
    public func requiredPeers(_ kind: String) throws -> [PeerAddress] {
        guard let list = peers[kind] else {
            throw InvalidSetting(description: "\(serviceName) needs --\(kind) (or DVC_\(kind.uppercased())): the address of \(kind)-svc")
        }
        return list
    }

    /// The TLS of `--tls-cert`, `--tls-key`, `--tls-ca` loaded from its files, or nil when
    /// they are not given (plain TCP). A file that cannot be used stops the process with a
    /// message naming it.
    public func rpcTLS(requireClientCertificate: Bool = true) throws -> RPCTLS? {
        guard let tls else { return nil }
        do {
            var loaded = try RPCTLS.load(certificate: tls.certificate, privateKey: tls.privateKey, authority: tls.authority,
                                         requireClientCertificate: requireClientCertificate)
            loaded.denyList = try tls.revoked.map(CertificateDenyList.init(path:))
            return loaded
        } catch {
            throw InvalidSetting(description: "\(error)")
        }
    }

    /// A client of other platform services of one kind (`catalog`, `dossier`, `payment`,
    /// `notify`): mutual TLS with this service's certificate when `--tls-*` are given, plain TCP
    /// otherwise, and its calls counted in `dvc_rpc_client_*{peer=kind}`. Every
    /// service-to-service client is made here.
    public func client(_ kind: String, _ peers: [PeerAddress], logger: Logger) throws -> RPCClient {
        var configuration = RPCClientConfiguration()
        configuration.tls = try rpcTLS()
        configuration.interceptors = [RPCClientMetricsInterceptor(peer: kind)]
        return RPCClient(peers: peers, configuration: configuration, logger: logger)
    }

    /// `KEY=VALUE` lines; `#` starts a comment; blank lines are skipped; quotes around a value
    /// are removed. The same file works as a systemd EnvironmentFile.
    static func readConfigFile(_ path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8)
        else { throw InvalidSetting(description: "--config: cannot read '\(path)'") }
        var result: [String: String] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw InvalidSetting(description: "--config \(path):\(number + 1): expected KEY=VALUE")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            result[key] = value
        }
        return result
    }
}
