import Logging
import RPCCore
import RPCNIO
import ServiceKit
import Storage

/// `gateway`: the platform's door for agency systems (binary RPC) and, with a later issue,
/// for people over HTTP. It keeps no business data: it routes each call to the services
/// behind it, balanced over their replicas, after checking the service level the agency
/// enabled for the procedure.
public enum GatewayServiceApp: PlatformService {
    public static let executableName = "gateway"

    /// Every migration of the gateway's own database (sessions and keys, later), in order.
    public static var migrations: Migrations { Migrations() }

    public static func make(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        _ = try ServiceDatabase(directory: settings.dataDirectory, name: "gateway", migrations: migrations)
        let catalog = RPCClient(peers: try settings.requiredPeers("catalog"), logger: logger)
        let levels = CatalogCache(catalog: catalog)
        return ServiceParts(services: [PublicAPI(catalog: catalog)],
                            interceptors: [LevelGateInterceptor(levels: levels)])
    }
}
