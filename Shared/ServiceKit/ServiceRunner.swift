import Logging
import RPCCore
import RPCNIO
import ServiceLifecycle
import UnixSignals

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Runs a platform service the same way for every executable: settings, logging, data
/// folder, health, the RPC server and background work under one service group that drains on
/// SIGTERM or SIGINT and returns (exit status 0).
public enum ServiceRunner {
    public static func run<S: PlatformService>(_ service: S.Type, options: ServiceOptions) async throws {
        let settings = try ServiceSettings(serviceName: S.executableName, options: options)
        bootstrapLogging(settings)
        PlatformMetrics.bootstrap()
        let logger = Logger(label: S.executableName)

        do {
            try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw ServiceSettings.InvalidSetting(
                description: "--data-dir: cannot create '\(settings.dataDirectory)': \(error)")
        }

        // The TLS files are checked before anything is opened: a bad file stops the process
        // with a message naming it.
        let tls = try settings.rpcTLS(requireClientCertificate: S.requiresClientCertificates)
        let parts = try await S.make(settings: settings, logger: logger)
        var router = RPCRouter()
        for part in parts.services { router.register(part) }
        let health = HealthService(services: router.serviceNames)
        router.register(health)

        var configuration = RPCServerConfiguration()
        // Metrics outermost, so calls that authentication refuses count too; a full disk is
        // named inside the logging, so the call's line shows the code the caller got.
        configuration.interceptors = [RPCMetricsInterceptor(), LoggingInterceptor(), StorageFailureInterceptor(serviceName: S.executableName)]
        var background = parts.background
        if let tls {
            configuration.tls = tls
            logTLS(tls, logger: logger)
            // Which certificate may call what: inside the logging, so a refusal's line shows
            // PERMISSION_DENIED; before the service's own interceptors (authentication).
            if tls.requireClientCertificate, let policy = PeerPolicy.platform(serving: S.executableName) {
                configuration.interceptors.append(PeerAuthorizationInterceptor(policy: policy))
            }
            if let denyList = tls.denyList {
                background.append(DenyListReloader(denyList: denyList, logger: logger))
            }
        }
        configuration.interceptors += parts.interceptors
        if let limit = settings.extra["max_connections_per_address"] {
            guard let value = Int(limit), value >= 0 else {
                throw ServiceSettings.InvalidSetting(description: "max_connections_per_address: '\(limit)' is not a number of connections (0: no limit)")
            }
            configuration.maximumConnectionsPerAddress = value
        }
        let server = RPCServer(router: router, configuration: configuration, logger: logger)
        let rpcBound = ReadinessCondition("the RPC server")
        let readiness = Readiness(conditions: [rpcBound] + parts.readiness)
        let rpc = RPCServerService(server: server, host: settings.listenHost, port: settings.listenPort,
                                   health: health, bound: rpcBound, readiness: readiness, logger: logger)

        // The admin side first: a group shuts its services down in reverse order, so it answers
        // (`/readyz` 503) until everything else has stopped.
        var admin: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let address = settings.adminListen {
            admin.append(.init(service: AdminServer.make(
                address: address, readiness: readiness, samplers: parts.samplers + MetricsSampler.process,
                registry: PlatformMetrics.registry, logger: logger)))
        }

        // A group shuts its services down in reverse order: the RPC server, last in the list,
        // drains first, and the background work it may still need stops after it.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: admin
                    + background.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
                    + [ServiceGroupConfiguration.ServiceConfiguration(service: rpc)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        logger.info("stopped")
    }

    /// One line at start saying how the RPC port is protected, and a warning when this
    /// service's certificate has expired or expires within 14 days (a rolling restart with
    /// new files is due: docs/tls.md).
    private static func logTLS(_ tls: RPCTLS, logger: Logger) {
        let expires = tls.expiresAt
        logger.info("RPC over TLS", metadata: [
            "client_certificates": "\(tls.requireClientCertificate ? "required (mutual TLS)" : "not asked for")",
            "certificate": "\(tls.subject ?? "")",
            "expires": "\(expires.map { "\($0)" } ?? "")",
        ])
        if let expires, expires.timeIntervalSinceNow < 14 * 24 * 3600 {
            logger.warning(expires.timeIntervalSinceNow < 0 ? "this service's TLS certificate has expired" : "this service's TLS certificate expires soon",
                           metadata: ["expires": "\(expires)"])
        }
    }

    private static func bootstrapLogging(_ settings: ServiceSettings) {
        LoggingSystem.bootstrap { _ in
            var handler = JSONLogHandler(label: settings.serviceName, json: settings.jsonLogs)
            handler.logLevel = settings.logLevel
            return handler
        }
    }
}
