import Foundation
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

    static func make(address: PeerAddress, routes: [any GatewayRoutes], admission: AdmissionMiddleware,
                     bound: BoundAddress, ready: ReadinessCondition? = nil, logger: Logger) -> any Service {
        let router = Router(context: GatewayRequestContext.self)
        // dvc_http_requests_total{route, http_method, status} and friends (docs/observability.md):
        // routes are the patterns (`/api/v1/{service}/{method}`), so the label stays bounded.
        router.add(middleware: MetricsMiddleware())
        // Overload and per-address limits before any route does work (refusals are counted above).
        router.add(middleware: admission)
        for group in routes { group.add(to: router) }
        router.get("/healthz") { _, _ in "ok" }
        router.get("/api/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        return Application(
            router: router,
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
