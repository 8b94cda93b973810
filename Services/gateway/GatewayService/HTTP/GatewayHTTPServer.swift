import Foundation
import Hummingbird
import Logging
import NIOCore
import RPCNIO
import ServiceLifecycle
import Synchronization

/// The gateway's HTTP side (`--http HOST:PORT`), on Hummingbird: today the payment provider's
/// browser return and server notification; the portal and the JSON API join it with their
/// issue. It prints `http listening on HOST:PORT` once bound (port 0 picks one).
enum GatewayHTTPServer {
    /// Where the HTTP side ended up listening (known once bound; port 0 picks one).
    final class BoundAddress: Sendable {
        private let value = Mutex<String?>(nil)
        var url: String? { value.withLock { $0 } }
        func set(_ url: String) { value.withLock { $0 = url } }
    }

    static func make(address: PeerAddress, routes: ProviderCallbackRoutes?, people: PeopleRoutes, bridge: JSONBridgeRoutes,
                     portal: PortalRoutes, accountPages: AccountPages, bound: BoundAddress, logger: Logger) -> any Service {
        let router = Router()
        portal.add(to: router)
        accountPages.add(to: router)
        router.get("/healthz") { _, _ in "ok" }
        router.get("/api/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        routes?.add(to: router)
        people.add(to: router)
        bridge.add(to: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "dvc-gateway"),
            onServerRunning: { channel in
                if let local = channel.localAddress, let ip = local.ipAddress, let port = local.port {
                    bound.set("http://\(ip):\(port)")
                    FileHandle.standardOutput.write(Data("http listening on \(ip):\(port)\n".utf8))
                    logger.notice("http listening", metadata: ["address": "\(ip):\(port)"])
                }
            },
            logger: logger)
    }
}
