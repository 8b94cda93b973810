import Logging
import ServiceKit
import Storage

/// `payment-svc`: fee payments, receipts and refunds.
///
/// This first version owns its SQLite database under `--data-dir` (with the storage kit's
/// outbox tables) and serves Health; its API (dvc.payment.v1.PaymentService in proto/) is filled in by later issues.
public enum PaymentServiceApp: PlatformService {
    public static let executableName = "payment-svc"

    /// Every migration of this service's database, in order. Shipped migrations are never
    /// edited; new ones are appended.
    public static var migrations: Migrations {
        Migrations()
    }

    public static func make(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "payment", migrations: migrations)
        logger.info("database open", metadata: ["path": "\(database.path ?? "")"])
        return ServiceParts(services: [])
    }
}
