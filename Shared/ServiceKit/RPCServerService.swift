import Logging
import NIOCore
import RPCCore
import RPCNIO
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The RPC server as a lifecycle service: binds, announces its address, and on SIGTERM or
/// SIGINT turns NOT_SERVING and drains (GOAWAY, calls in flight finish, new ones get
/// UNAVAILABLE) before returning.
struct RPCServerService: Service {
    let server: RPCServer
    let host: String
    let port: Int
    let health: HealthService
    /// Met once bound; the service turns draining on SIGTERM or SIGINT.
    let bound: ReadinessCondition
    let readiness: Readiness
    let logger: Logger

    func run() async throws {
        let address = try await server.bind(host: host, port: port)
        // The one line on standard output that operators and tests wait for.
        var line = "listening on \(host):\(address.port ?? port)\n"
        line.withUTF8 { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        logger.info("listening", metadata: ["address": "\(host):\(address.port ?? port)"])
        bound.satisfy()
        try? await gracefulShutdown()
        logger.info("draining")
        readiness.beginDraining()
        health.markAllNotServing()
        await server.shutdownGracefully()
        logger.info("drained")
    }
}
