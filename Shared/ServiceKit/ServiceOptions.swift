import ArgumentParser
import RPCNIO

/// The command line every executable of the platform shares (docs/architecture.md, "Settings").
///
/// Each flag can also come from the environment variable `DVC_<FLAG>` (`DVC_LISTEN`,
/// `DVC_DATA_DIR`, ...) or from the `--config` file; the command line wins over the
/// environment, which wins over the file.
public struct ServiceOptions: ParsableArguments, Sendable {
    @Option(help: "RPC listen address HOST:PORT; port 0 picks a free port. Env: DVC_LISTEN. Default: 127.0.0.1:0.")
    public var listen: String?

    @Option(name: .customLong("data-dir"),
            help: "Folder for this service's SQLite file and files. Env: DVC_DATA_DIR. Default: ./data/<service>.")
    public var dataDir: String?

    @Option(help: "HTTP listen address HOST:PORT, for the services that speak HTTP (the gateway's public endpoints). Env: DVC_HTTP.")
    public var http: String?

    @Option(help: "Admin HTTP listen address HOST:PORT: health, readiness and Prometheus metrics. Env: DVC_ADMIN.")
    public var admin: String?

    @Option(name: .customLong("tls-cert"),
            help: "This service's certificate (PEM) for mutual TLS between the platform's services. Env: DVC_TLS_CERT.")
    public var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "The private key (PEM) of --tls-cert. Env: DVC_TLS_KEY.")
    public var tlsKey: String?

    @Option(name: .customLong("tls-ca"),
            help: "The platform's CA certificate (PEM): peers must present a certificate it signed. Env: DVC_TLS_CA.")
    public var tlsCA: String?

    @Option(name: .customLong("tls-revoked"),
            help: "File of revoked certificate serial numbers (one hexadecimal serial a line), refused on every connection; read again on SIGHUP. Env: DVC_TLS_REVOKED.")
    public var tlsRevoked: String?

    @Option(help: "catalog-svc peers HOST:PORT[,HOST:PORT...]. Env: DVC_CATALOG.")
    public var catalog: String?

    @Option(help: "dossier-svc peers HOST:PORT[,HOST:PORT...]. Env: DVC_DOSSIER.")
    public var dossier: String?

    @Option(help: "payment-svc peers HOST:PORT[,HOST:PORT...]. Env: DVC_PAYMENT.")
    public var payment: String?

    @Option(help: "notify-svc peers HOST:PORT[,HOST:PORT...]. Env: DVC_NOTIFY.")
    public var notify: String?

    @Option(help: "Config file of KEY=VALUE lines (keys as the flags or as DVC_* names). Env: DVC_CONFIG.")
    public var config: String?

    @Option(name: .customLong("log-level"),
            help: "trace, debug, info, notice, warning, error or critical. Env: DVC_LOG_LEVEL. Default: info.")
    public var logLevel: String?

    @Option(name: .customLong("log-format"),
            help: "json (one object per line) or text. Env: DVC_LOG_FORMAT. Default: json.")
    public var logFormat: String?

    public init() {}
}
