import Logging
import RPCCore
import ServiceLifecycle
import Storage

/// What a service of the platform gives the shared runner: its RPC services and whatever
/// must run beside them (an outbox relay, a scheduler).
public protocol PlatformService {
    /// The executable's name, e.g. `catalog-svc`; also names its data folder and logs.
    static var executableName: String { get }

    /// Builds the service from its settings: opens its database, connects to its peers.
    static func make(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts

    /// What `<service> backup` and `restore` copy: its database and the files its rows
    /// reference; nil (the default) for a service without a database.
    static var backupLayout: BackupLayout? { get }

    /// With `--tls-*`: whether callers of this service's RPC port must present a certificate
    /// of the platform's CA (mutual TLS). True for the internal services; the gateway, whose
    /// callers are agency systems with API keys, serves TLS without asking for one.
    static var requiresClientCertificates: Bool { get }
}

extension PlatformService {
    public static var backupLayout: BackupLayout? { nil }
    public static var requiresClientCertificates: Bool { true }
}

/// The pieces of a running service.
public struct ServiceParts: Sendable {
    /// Served over RPC next to Health.
    public var services: [any RegistrableRPCService]
    /// Run beside the RPC server and stopped after it has drained.
    public var background: [any Service]
    /// Server interceptors after the kit's own (metrics, logging), e.g. authentication.
    public var interceptors: [any ServerInterceptor]
    /// Gauges read when the admin port's `/metrics` is scraped (outbox backlog, queue lengths),
    /// beside the kit's own (process figures).
    public var samplers: [MetricsSampler]
    /// What `/readyz` waits for beyond the kit's own (the RPC server bound, not draining), e.g.
    /// the gateway's HTTP side bound. The database is opened and migrated in `make`, before the
    /// admin port opens, so it needs no condition.
    public var readiness: [ReadinessCondition]

    public init(
        services: [any RegistrableRPCService],
        background: [any Service] = [],
        interceptors: [any ServerInterceptor] = [],
        samplers: [MetricsSampler] = [],
        readiness: [ReadinessCondition] = []
    ) {
        self.services = services
        self.background = background
        self.interceptors = interceptors
        self.samplers = samplers
        self.readiness = readiness
    }
}
