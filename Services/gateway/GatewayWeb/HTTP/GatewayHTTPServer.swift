import Foundation
import GatewayDoor
import Hummingbird
import Logging
import NIOCore
import RPCNIO
import ServiceLifecycle
import ServiceKit
import Synchronization

/// A group of the gateway's HTTP routes (the portal's pages, the JSON API, the provider's
/// callbacks), each adding itself to the one router.
protocol GatewayRoutes: Sendable {
    func add(to router: Router<GatewayRequestContext>)
}

/// The gateway's HTTP side (`--http HOST:PORT`), on Hummingbird: the citizens' portal, the
/// officers' console, the JSON API with its OpenAPI document, and the payment provider's
/// browser return and server notification. It prints `http listening on HOST:PORT` once bound
/// (port 0 picks one).
enum GatewayHTTPServer {
    /// Where the HTTP side ended up listening (known once bound; port 0 picks one).
    final class BoundAddress: Sendable {
        private let value = Mutex<String?>(nil)
        var url: String? { value.withLock { $0 } }
        func set(_ url: String) { value.withLock { $0 = url } }
    }

    /// Every route group of the HTTP side, each given only what it needs of the door.
    static func routes(_ door: GatewayDoor, logger: Logger) -> [any GatewayRoutes] {
        let gateway = door.client
        let directory = AgencyDirectory(catalog: door.catalog)
        let bodies = RequestBodies(budget: door.largeBodies, limits: door.limits)
        var routes: [any GatewayRoutes] = [
            PortalRoutes(catalog: door.catalog, gateway: gateway, directory: directory),
            AccountPages(accounts: door.citizens, sessions: door.sessions, contacts: door.contacts, gateway: gateway,
                         identity: door.nationalIdentity),
            SubmissionPages(gateway: gateway, bodies: bodies),
            DossierPages(gateway: gateway, bodies: bodies),
            RatingPages(gateway: gateway),
            InboxPage(gateway: gateway),
            DraftsPage(gateway: gateway, directory: directory),
            AccessLogPage(gateway: gateway, directory: directory),
            TrackingPage(gateway: gateway, directory: directory),
            VerificationPage(gateway: gateway),
            StatisticsPage(gateway: gateway, directory: directory),
            SatisfactionPage(gateway: gateway, directory: directory),
            ServiceIndexPage(gateway: gateway, directory: directory),
            PortalScript(),
            OfficerConsole(officers: door.officers, sessions: door.sessions, gateway: gateway, bodies: bodies),
            PeopleRoutes(accounts: door.citizens, officers: door.officers, sessions: door.sessions, contacts: door.contacts),
            OwnAccountRoutes(citizens: door.citizens, officers: door.officers, sessions: door.sessions),
            OfficerAdminRoutes(officers: door.officers, sessions: door.sessions),
            OwnAccountPage(citizens: door.citizens, officers: door.officers, identity: door.nationalIdentity),
            JSONBridgeRoutes(gateway: gateway, resolver: door.resolver, logger: logger, bodies: bodies),
            ExportRoutes(gateway: gateway, resolver: door.resolver),
        ]
        if let identity = door.nationalIdentity {
            routes.append(NationalIdentityPages(identity: identity, sessions: door.sessions, logger: logger))
        }
        if let callbacks = door.providerCallbacks { routes.append(ProviderCallbackRoutes(callbacks: callbacks, logger: logger)) }
        return routes
    }

    /// The HTTP side's router: its middleware and every route, in front of `door`. Tests run it
    /// in-process with Hummingbird's test client.
    static func router(door: GatewayDoor, addresses: ClientAddress = ClientAddress(), logger: Logger) -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        // dvc_http_requests_total{route, http_method, status} and friends (docs/observability.md):
        // routes are the patterns (`/api/v1/{service}/{method}`), so the label stays bounded.
        router.add(middleware: MetricsMiddleware())
        // Outside everything else, so every answer (refusals included) carries X-Request-Id.
        router.add(middleware: RequestIDMiddleware())
        // Overload and per-address limits before any route does work (refusals are counted above).
        router.add(middleware: AdmissionMiddleware(limit: door.admission, limits: door.limits, addresses: addresses))
        // The person behind the session cookie, once per request.
        router.add(middleware: SessionMiddleware(sessions: door.sessions))
        for group in routes(door, logger: logger) { group.add(to: router) }
        router.get("/healthz") { _, _ in "ok" }
        router.get("/api/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        return router
    }

    static func make(address: PeerAddress, door: GatewayDoor, addresses: ClientAddress,
                     bound: BoundAddress, ready: ReadinessCondition? = nil, logger: Logger) -> any Service {
        Application(
            router: router(door: door, addresses: addresses, logger: logger),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "dvc-gateway"),
            onServerRunning: { channel in
                if let local = channel.localAddress, let ip = local.ipAddress, let port = local.port {
                    bound.set("http://\(ip):\(port)")
                    ready?.satisfy()
                    FileHandle.standardOutput.write(Data("http listening on \(ip):\(port)\n".utf8))
                    logger.notice("http listening", metadata: ["address": "\(ip):\(port)"])
                }
            },
            logger: logger)
    }
}
