import Logging
import ServiceKit
import Storage

/// `dossier-svc`: dossiers, attachments, workflow history, receipt codes and deadlines (the system of record).
///
/// This first version owns its SQLite database under `--data-dir` (with the storage kit's
/// outbox tables) and serves Health; its API (dvc.dossier.v1.DossierService in proto/) is filled in by later issues.
public enum DossierServiceApp: PlatformService {
    public static let executableName = "dossier-svc"

    /// Every migration of this service's database, in order. Shipped migrations are never
    /// edited; new ones are appended.
    public static var migrations: Migrations { DossierSchema.migrations }

    public static func make(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "dossier", migrations: migrations)
        logger.info("database open", metadata: ["path": "\(database.path ?? "")"])
        return ServiceParts(services: [])
    }
}
