import Logging
import ServiceKit
import Storage

/// `catalog-svc`: the agency tree, procedures, forms, fees, enabled levels and the working-time calendar.
///
/// This first version owns its SQLite database under `--data-dir` (with the storage kit's
/// outbox tables) and serves Health; its API (dvc.catalog.v1.CatalogService in proto/) is filled in by later issues.
public enum CatalogServiceApp: PlatformService {
    public static let executableName = "catalog-svc"

    /// Every migration of this service's database, in order. Shipped migrations are never
    /// edited; new ones are appended.
    public static var migrations: Migrations {
        Migrations()
    }

    public static func make(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "catalog", migrations: migrations)
        logger.info("database open", metadata: ["path": "\(database.path ?? "")"])
        return ServiceParts(services: [])
    }
}
