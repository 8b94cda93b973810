import Logging
import ServiceLifecycle
import RPCCore
import RPCNIO
import ServiceClients
import ServiceKit
import Storage

/// `gateway`: the platform's door for agency systems (binary RPC) and, with a later issue,
/// for people over HTTP. It keeps no business data: it establishes who calls
/// (`IdentityInterceptor`, API keys in its own database), checks the service level the agency
/// enabled for the procedure (`LevelGateInterceptor`), and routes each call to the services
/// behind it, balanced over their replicas.
public enum GatewayServiceApp: PlatformService {
    public static let executableName = "gateway"
    /// Backups hold `gateway.sqlite` (docs/operations.md).
    public static let backupLayout: BackupLayout? = BackupLayout(databaseName: "gateway")

    /// The gateway's RPC port is the door for agency systems, which authenticate with API
    /// keys: with `--tls-*` it serves TLS with the gateway's certificate but asks for no client
    /// certificate. Its own clients to the internal services use mutual TLS (docs/tls.md).
    public static let requiresClientCertificates = false

    /// Every migration of the gateway's own database, in order.
    public static var migrations: Migrations {
        var migrations = Migrations()
        APIKeyStore.register(in: &migrations)
        PeopleSchema.register(in: &migrations)
        return migrations
    }

    public static func database(_ settings: ServiceSettings) throws -> ServiceDatabase {
        try ServiceDatabase(directory: settings.dataDirectory, name: "gateway", migrations: migrations)
    }

    public static func make(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let database = try database(settings)
        let keys = APIKeyStore(database: database)
        let catalog = try settings.client("catalog", try settings.requiredPeers("catalog"), logger: logger)
        let gate = LevelGate(levels: CatalogCache(catalog: catalog))
        // The public catalog reads of both doors, answered from memory for a second.
        let reads = CatalogReads(catalog: catalog)
        var services: [any RegistrableRPCService] = [PublicAPI(catalog: reads)]
        // dossier-svc: its shards (config dossier_shards, docs/sharding.md) or its --dossier
        // peers; without either the gateway serves the catalog only (a read-only portal).
        let dossiers = try DossierShards.client(settings, logger: logger)
        if let dossiers {
            services.append(DossierGatewayAPI(dossiers: dossiers, gate: gate))
        } else {
            logger.notice("no --dossier and no dossier_shards: the dossier methods are not served")
        }
        // The public address of the HTTP side, for the provider's return: config public_url
        // (what citizens' browsers reach, behind a proxy), else where it is bound.
        let bound = GatewayHTTPServer.BoundAddress()
        let publicURL = settings.extra["public_url"]
        var callbacks: ProviderCallbackRoutes?
        // payment-svc: its shards (config payment_shards) or its --payment peers.
        if let payments = try PaymentShards.client(settings, logger: logger), let dossiers {
            services.append(PaymentGatewayAPI(payments: payments, dossiers: DossierLookup(dossiers: dossiers), gate: gate,
                                              returnURL: { (publicURL ?? bound.url).map { $0 + "/payment/vnpay/return" } }))
            callbacks = ProviderCallbackRoutes(payments: payments, logger: logger)
        }
        var notify: (any RPCClientProtocol)?
        if let peers = settings.peers["notify"], !peers.isEmpty {
            let client = try settings.client("notify", peers, logger: logger)
            services.append(InboxGatewayAPI(notify: client))
            notify = client
        }
        let sessions = SessionStore(database: database, lifetimes: try Self.sessionLifetimes(settings.extra))
        // Overload and rate limits (docs/gateway.md "Overload and rate limits"): one capacity for
        // both doors; per-client limits once the caller is known.
        let admission = AdmissionLimit(capacity: try Self.maxInFlight(settings.extra))
        let limits = try RateLimits(settings.extra)
        let identity = IdentityInterceptor(keys: keys, sessions: sessions)
        let levels = LevelGateInterceptor(gate: gate)
        let interceptors: [any ServerInterceptor] = [LoadShedInterceptor(limit: admission), identity,
                                                     RateLimitInterceptor(limits: limits, byAddress: true), levels]
        var background: [any Service] = []
        var readiness: [ReadinessCondition] = []
        if let http = settings.httpListen {
            // The HTTP door runs the same methods through the same checks, in-process.
            var router = RPCRouter()
            for service in services { router.register(service) }
            // In-process calls belong to an HTTP request the middleware already admitted and
            // counted by address: no second admission, no second address count.
            let intercepted = router.intercepted(by: [LoggingInterceptor(), identity,
                                                      RateLimitInterceptor(limits: limits, byAddress: false), levels])
            let bridge = JSONBridgeRoutes(router: intercepted, sessions: sessions, logger: logger)
            let citizens = try CitizenAccounts(database: database)
            let officers = try OfficerAccounts(database: database)
            let contacts = RegistrationContacts(notify: notify, logger: logger)
            let people = PeopleRoutes(accounts: citizens, officers: officers, sessions: sessions, contacts: contacts)
            let portal = PortalGateway(router: intercepted, logger: logger)
            let directory = AgencyDirectory(catalog: reads)
            var routes: [any GatewayRoutes] = [
                PortalRoutes(catalog: reads, gateway: portal, directory: directory),
                AccountPages(accounts: citizens, sessions: sessions, contacts: contacts, gateway: portal),
                SubmissionPages(sessions: sessions, gateway: portal),
                DossierPages(sessions: sessions, gateway: portal),
                InboxPage(sessions: sessions, gateway: portal),
                StatisticsPage(gateway: portal, directory: directory),
                PortalScript(),
                OfficerConsole(officers: officers, sessions: sessions, gateway: portal),
                people, bridge,
            ]
            if let callbacks { routes.append(callbacks) }
            // With --http, the gateway is ready once its HTTP side is bound too.
            let httpBound = ReadinessCondition("the HTTP side")
            readiness.append(httpBound)
            let middleware = AdmissionMiddleware(limit: admission, limits: limits, addresses: ClientAddress(settings.extra))
            background.append(GatewayHTTPServer.make(address: http, routes: routes, admission: middleware, bound: bound,
                                                     ready: httpBound, logger: logger))
        }
        return ServiceParts(services: services, background: background, interceptors: interceptors, readiness: readiness)
    }

    /// Requests in flight over both doors before more are refused (config `max_in_flight`).
    static func maxInFlight(_ extra: [String: String]) throws -> Int {
        guard let text = extra["max_in_flight"] else { return AdmissionLimit.defaultCapacity }
        guard let value = Int(text), value > 0 else {
            throw ServiceSettings.InvalidSetting(description: "--config: max_in_flight must be a positive number of requests, not '\(text)'")
        }
        return value
    }

    /// Session lifetimes from the config file: `session_max_seconds` (a browser session ends
    /// this long after sign-in, default 12 h), `session_idle_seconds` (or after this long
    /// without a request, default 30 min), `api_token_seconds` (an API client's token, default
    /// 30 days).
    static func sessionLifetimes(_ extra: [String: String]) throws -> SessionStore.Lifetimes {
        var lifetimes = SessionStore.Lifetimes()
        func seconds(_ key: String) throws -> Duration? {
            guard let text = extra[key] else { return nil }
            guard let value = Int64(text), value > 0 else {
                throw ServiceSettings.InvalidSetting(description: "--config: \(key) must be a positive number of seconds, not '\(text)'")
            }
            return .seconds(value)
        }
        lifetimes.browserAbsolute = try seconds("session_max_seconds") ?? lifetimes.browserAbsolute
        lifetimes.browserIdle = try seconds("session_idle_seconds") ?? lifetimes.browserIdle
        lifetimes.api = try seconds("api_token_seconds") ?? lifetimes.api
        return lifetimes
    }
}
