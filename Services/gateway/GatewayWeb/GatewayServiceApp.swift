import GatewayDoor
import Logging
import RPCCore
import RPCNIO
import ServiceClients
import ServiceKit
import ServiceLifecycle
import Storage

/// `gateway`: the platform's door for agency systems (binary RPC) and for people over HTTP
/// (the portal, the officers' console, the JSON API). It keeps no business data: it
/// establishes who calls (API keys, people's sessions), checks the service level the agency
/// enabled for the procedure, and routes each call to the services behind it, balanced over
/// their replicas. The checks and the methods are `GatewayDoor`'s; this file wires the door to
/// its backends and puts the HTTP side (`GatewayHTTPServer`) in front of it.
public enum GatewayServiceApp: PlatformService {
    public static let executableName = "gateway"
    /// Backups hold `gateway.sqlite` (docs/operations.md).
    public static let backupLayout: BackupLayout? = BackupLayout(databaseName: "gateway")

    /// The gateway's RPC port is the door for agency systems, which authenticate with API
    /// keys: with `--tls-*` it serves TLS with the gateway's certificate but asks for no client
    /// certificate. Its own clients to the internal services use mutual TLS (docs/tls.md).
    public static let requiresClientCertificates = false

    public static var migrations: Migrations { GatewayDoor.migrations }

    /// The gateway's database: `gateway.sqlite` in the data directory, or with `database` /
    /// `DVC_DATABASE` set to a `postgres://` URL, a PostgreSQL database that several gateways
    /// share, so that people's accounts, sessions, API keys and national-identity links hold on
    /// whichever host answers (docs/gateway.md, "Several gateways, one database").
    public static func database(_ settings: ServiceSettings, logger: Logger = Logger(label: "gateway")) throws -> ServiceDatabase {
        try settings.openDatabase(name: "gateway", migrations: migrations, postgres: true, logger: logger)
    }

    public static func make(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let database = try database(settings, logger: logger)
        let gatewaySettings: GatewaySettings
        do {
            gatewaySettings = try GatewaySettings(settings.extra)
        } catch {
            throw ServiceSettings.InvalidSetting(description: error.description)
        }
        // The public address of the HTTP side, for the provider's return: config public_url
        // (what citizens' browsers reach, behind a proxy), else where it is bound.
        let bound = GatewayHTTPServer.BoundAddress()
        let publicURL = settings.extra["public_url"]
        var notify: (any RPCClientProtocol)?
        if let peers = settings.peers["notify"], !peers.isEmpty {
            notify = try settings.client("notify", peers, logger: logger)
        }
        // dossier-svc and payment-svc: their shards (config dossier_shards, payment_shards;
        // docs/sharding.md) or their --dossier / --payment peers.
        let backends = GatewayDoor.Backends(
            catalog: try settings.client("catalog", try settings.requiredPeers("catalog"), logger: logger),
            dossiers: try DossierShards.client(settings, logger: logger),
            payments: try PaymentShards.client(settings, logger: logger),
            notify: notify,
            paymentReturnURL: { (publicURL ?? bound.url).map { $0 + "/payment/vnpay/return" } },
            portalURL: { publicURL ?? bound.url })
        let addresses: ClientAddress
        do {
            addresses = try ClientAddress(settings.extra)
            if settings.httpListen != nil { try ClientAddress.checkProxy(publicURL: publicURL, trustedProxies: addresses.trustedProxies) }
        } catch {
            throw ServiceSettings.InvalidSetting(description: error.description)
        }
        let door = try GatewayDoor(database: database, backends: backends, settings: gatewaySettings, logger: logger)

        var background: [any Service] = []
        var readiness: [ReadinessCondition] = []
        if let release = door.webhookRelease { background.append(WebhookReleaseService(release: release)) }
        if let http = settings.httpListen {
            // With --http, the gateway is ready once its HTTP side is bound too.
            let httpBound = ReadinessCondition("the HTTP side")
            readiness.append(httpBound)
            background.append(GatewayHTTPServer.make(address: http, door: door, addresses: addresses,
                                                     bound: bound, ready: httpBound, logger: logger))
        }
        return ServiceParts(services: door.services, background: background, interceptors: door.interceptors,
                            readiness: readiness)
    }
}

/// Runs `WebhookRelease` beside the servers until shutdown.
struct WebhookReleaseService: Service {
    let release: WebhookRelease

    func run() async throws {
        try await cancelWhenGracefulShutdown { await release.run() }
    }
}
