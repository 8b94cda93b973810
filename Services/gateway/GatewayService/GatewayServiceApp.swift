import Logging
import ServiceKit
import Storage

/// `gateway`: the platform's door for citizens and agency systems: routing, level, identity and permission checks.
///
/// This first version owns its SQLite database under `--data-dir` (with the storage kit's
/// outbox tables) and serves Health; its API (dvc.gateway.v1.PublicService in proto/) is filled in by later issues.
public enum GatewayServiceApp: PlatformService {
    public static let executableName = "gateway"

    /// Every migration of this service's database, in order. Shipped migrations are never
    /// edited; new ones are appended.
    public static var migrations: Migrations {
        Migrations()
    }

    public static func make(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "gateway", migrations: migrations)
        logger.info("database open", metadata: ["path": "\(database.path ?? "")"])
        return ServiceParts(services: [])
    }
}
