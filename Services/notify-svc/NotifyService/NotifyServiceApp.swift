import Logging
import ServiceKit
import Storage

/// `notify-svc`: notification templates, deliveries and the citizen inbox.
///
/// This first version owns its SQLite database under `--data-dir` (with the storage kit's
/// outbox tables) and serves Health; its API (dvc.notify.v1.NotifyService in proto/) is filled in by later issues.
public enum NotifyServiceApp: PlatformService {
    public static let executableName = "notify-svc"

    /// Every migration of this service's database, in order. Shipped migrations are never
    /// edited; new ones are appended.
    public static var migrations: Migrations {
        Migrations()
    }

    public static func make(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "notify", migrations: migrations)
        logger.info("database open", metadata: ["path": "\(database.path ?? "")"])
        return ServiceParts(services: [])
    }
}
