import Foundation
import Hummingbird
import Logging
import NIOCore
import RPCNIO
import ServiceLifecycle

/// The gateway's HTTP side (`--http HOST:PORT`), on Hummingbird: today the payment provider's
/// browser return and server notification; the portal and the JSON API join it with their
/// issue. It prints `http listening on HOST:PORT` once bound (port 0 picks one).
enum GatewayHTTPServer {
    static func make(address: PeerAddress, routes: ProviderCallbackRoutes?, logger: Logger) -> any Service {
        let router = Router()
        router.get("/healthz") { _, _ in "ok" }
        routes?.add(to: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "dvc-gateway"),
            onServerRunning: { channel in
                if let bound = channel.localAddress, let ip = bound.ipAddress, let port = bound.port {
                    FileHandle.standardOutput.write(Data("http listening on \(ip):\(port)\n".utf8))
                    logger.notice("http listening", metadata: ["address": "\(ip):\(port)"])
                }
            },
            logger: logger)
    }
}
