import DVCProto
import Logging
import RPCCore
import Storage

/// The gateway's door: everything that decides who calls and what they may do — API keys,
/// people's accounts and sessions, the service levels, admission (load shedding and rate
/// limits) — and the gateway's own methods, which forward to the services behind it. It knows
/// nothing of HTTP: the binary RPC serves `services` behind `interceptors`, and the HTTP side
/// (the `GatewayWeb` library) is given only what is public here — chiefly `client`, the same
/// methods in-process for a caller it has resolved with `resolver`.
public struct GatewayDoor: Sendable {
    /// The clients of the services behind the gateway. Only catalog-svc is required: without
    /// dossier-svc the gateway serves the catalog only (a read-only portal); without
    /// payment-svc or notify-svc, no payments or no inbox.
    public struct Backends: Sendable {
        public var catalog: any RPCClientProtocol
        public var dossiers: (any RPCClientProtocol)?
        public var payments: (any RPCClientProtocol)?
        public var notify: (any RPCClientProtocol)?
        /// The gateway's own page the payment provider sends the citizen back to, when the
        /// caller names none (known once the HTTP side is bound).
        public var paymentReturnURL: @Sendable () -> String?
        /// The portal's public address (`public_url`, else where the HTTP side is bound), for
        /// the national identity's redirect URIs.
        public var portalURL: @Sendable () -> String?

        public init(catalog: any RPCClientProtocol, dossiers: (any RPCClientProtocol)?, payments: (any RPCClientProtocol)?,
                    notify: (any RPCClientProtocol)?, paymentReturnURL: @escaping @Sendable () -> String? = { nil },
                    portalURL: @escaping @Sendable () -> String? = { nil }) {
            self.portalURL = portalURL
            self.catalog = catalog
            self.dossiers = dossiers
            self.payments = payments
            self.notify = notify
            self.paymentReturnURL = paymentReturnURL
        }
    }

    /// Every migration of the gateway's own database (keys, people, sessions), in order.
    public static var migrations: Migrations {
        var migrations = Migrations()
        APIKeyStore.register(in: &migrations)
        PeopleSchema.register(in: &migrations)
        APIKeyStore.registerRotation(in: &migrations)
        NationalIdentitySchema.register(in: &migrations)
        return migrations
    }

    /// The gateway's methods, for the binary RPC server.
    public let services: [any RegistrableRPCService]
    /// What the binary RPC door runs before every call: load shedding, who calls, their rate
    /// limit (anonymous callers by address), the level gate.
    public let interceptors: [any ServerInterceptor]
    /// The same methods in-process, for callers the HTTP side resolved.
    public let client: GatewayClient
    public let resolver: CallerResolver
    public let catalog: PublicCatalog
    public let keys: APIKeyStore
    public let sessions: SessionStore
    public let citizens: CitizenAccounts
    public let officers: OfficerAccounts
    public let contacts: RegistrationContacts
    /// Stops revoked keys' webhooks at notify-svc (nil without notify-svc): the executable runs it.
    public let webhookRelease: WebhookRelease?
    /// Nil without payment-svc.
    public let providerCallbacks: ProviderCallbacks?
    /// Citizens' sign-in with the national electronic identity; nil when not configured.
    public let nationalIdentity: NationalIdentity?
    /// One capacity for both doors (`max_in_flight`).
    public let admission: AdmissionLimit
    public let limits: RateLimits
    /// Memory for large bodies (`large_bodies_mib`, `large_bodies_per_caller`).
    public let largeBodies: LargeBodyBudget

    public init(database: ServiceDatabase, backends: Backends, settings: GatewaySettings, logger: Logger) throws {
        keys = APIKeyStore(database: database)
        sessions = SessionStore(database: database, lifetimes: settings.sessionLifetimes)
        // One set of sign-in limits for both kinds of account: an address guessing officers'
        // passwords spends the same allowance as one guessing citizens'.
        let guardian = SignInGuardSettings(perAddressPerMinute: settings.signInPerAddressPerMinute)
        citizens = try CitizenAccounts(database: database, guardian: guardian, localPasswords: settings.localPasswords)
        nationalIdentity = settings.nationalIdentity.map {
            NationalIdentity(settings: $0, database: database, portalURL: backends.portalURL, logger: logger)
        }
        officers = try OfficerAccounts(database: database, guardian: guardian)
        contacts = RegistrationContacts(notify: backends.notify, logger: logger)
        admission = AdmissionLimit(capacity: settings.maxInFlight)
        limits = RateLimits(rates: settings.rates)
        largeBodies = LargeBodyBudget(mib: settings.largeBodiesMiB, perCaller: settings.largeBodiesPerCaller)
        resolver = CallerResolver(keys: keys, sessions: sessions, officers: officers)

        // The public catalog reads of both doors and the level gate's, answered from memory
        // for a second.
        let reads = CatalogReads(catalog: backends.catalog)
        catalog = PublicCatalog(reads: reads)
        let gate = LevelGate(catalog: reads)
        var services: [any RegistrableRPCService] = [PublicAPI(catalog: reads)]
        if let dossiers = backends.dossiers {
            services.append(DossierGatewayAPI(dossiers: dossiers, gate: gate, officers: officers))
            services.append(VerificationGatewayAPI(dossiers: dossiers))
            services.append(DraftGatewayAPI(dossiers: dossiers, gate: gate))
            services.append(DocumentGatewayAPI(dossiers: dossiers))
            services.append(RatingGatewayAPI(dossiers: dossiers))
            if let payments = backends.payments {
                services.append(PaymentGatewayAPI(payments: payments, dossiers: DossierLookup(dossiers: dossiers), gate: gate,
                                                  returnURL: backends.paymentReturnURL))
            }
        } else {
            logger.notice("no dossier-svc: the dossier and payment methods are not served")
        }
        providerCallbacks = backends.payments.map(ProviderCallbacks.init(payments:))
        if let notify = backends.notify { services.append(InboxGatewayAPI(notify: notify)) }
        let keyStore = keys
        let release = backends.notify.map { WebhookRelease(keys: keyStore, notify: $0, logger: logger) }
        webhookRelease = release
        services.append(AgencyGatewayAPI(keys: keyStore, notify: backends.notify, release: release))
        self.services = services

        let levels = LevelGateInterceptor(gate: gate)
        interceptors = [LoadShedInterceptor(limit: admission), IdentityInterceptor(resolver: resolver),
                        RateLimitInterceptor(limits: limits, byAddress: true), levels]
        // In-process calls belong to an HTTP request the HTTP side already admitted and counted
        // by address: no second admission, no second address count, and the caller comes
        // resolved.
        var router = RPCRouter()
        for service in services { router.register(service) }
        client = GatewayClient(router: router.intercepted(by: [LoggingInterceptor(), RateLimitInterceptor(limits: limits, byAddress: false), levels]),
                               logger: logger)
    }
}
