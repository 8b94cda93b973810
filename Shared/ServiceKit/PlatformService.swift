import Logging
import RPCCore
import ServiceLifecycle

/// What a service of the platform gives the shared runner: its RPC services and whatever
/// must run beside them (an outbox relay, a scheduler).
public protocol PlatformService {
    /// The executable's name, e.g. `catalog-svc`; also names its data folder and logs.
    static var executableName: String { get }

    /// Builds the service from its settings: opens its database, connects to its peers.
    static func make(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts

    /// With `--tls-*`: whether callers of this service's RPC port must present a certificate
    /// of the platform's CA (mutual TLS). True for the internal services; the gateway, whose
    /// callers are agency systems with API keys, serves TLS without asking for one.
    static var requiresClientCertificates: Bool { get }
}

extension PlatformService {
    public static var requiresClientCertificates: Bool { true }
}

/// The pieces of a running service.
public struct ServiceParts: Sendable {
    /// Served over RPC next to Health.
    public var services: [any RegistrableRPCService]
    /// Run beside the RPC server and stopped after it has drained.
    public var background: [any Service]
    /// Server interceptors after the kit's own (logging), e.g. authentication.
    public var interceptors: [any ServerInterceptor]

    public init(
        services: [any RegistrableRPCService],
        background: [any Service] = [],
        interceptors: [any ServerInterceptor] = []
    ) {
        self.services = services
        self.background = background
        self.interceptors = interceptors
    }
}
