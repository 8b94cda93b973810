import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import RPCNIO
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The admin HTTP side (`--admin HOST:PORT`), for the orchestrator and Prometheus, never for
/// the public:
///
/// - `GET /healthz`: 200 while the process runs (liveness; restart it when this fails);
/// - `GET /readyz`: 200 when ``Readiness`` says so, else 503 with the reasons, one a line;
/// - `GET /metrics`: every metric in Prometheus's text format (samplers read first).
///
/// Prints `admin listening on HOST:PORT` once bound (port 0 picks one). It runs first in the
/// service group, so it stops last: `/readyz` answers 503 for the whole drain.
enum AdminServer {
    static func make(
        address: PeerAddress, readiness: Readiness, samplers: [MetricsSampler],
        registry: PrometheusCollectorRegistry, logger: Logger
    ) -> some Service {
        let router = Router()
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            let status = readiness.status
            let text = status.ready ? "ready\n" : status.reasons.joined(separator: "\n") + "\n"
            return Response(status: status.ready ? .ok : .serviceUnavailable,
                            headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/metrics") { _, _ -> Response in
            for sampler in samplers { await sampler.collect() }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: registry.emitToString())))
        }
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)
        return Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "dvc-admin"),
            onServerRunning: { channel in
                guard let local = channel.localAddress, let port = local.port else { return }
                let host = local.ipAddress ?? address.host
                // One write(2), so it never interleaves with the RPC server's `listening on` line.
                var line = "admin listening on \(host):\(port)\n"
                line.withUTF8 { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
                logger.info("admin listening", metadata: ["address": "\(host):\(port)"])
            },
            logger: quiet)
    }
}
