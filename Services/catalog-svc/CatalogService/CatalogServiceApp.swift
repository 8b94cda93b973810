import DVCProto
import Foundation
import Logging
import RPCCore
import ServiceKit
import Storage

/// `catalog-svc`: the agency tree, procedures, forms, fees, enabled levels and the
/// working-time calendar, served from memory and kept in SQLite.
///
/// On first start (an empty database) it loads a seed catalog: `seed=` in the config file (or
/// `DVC_SEED`) names one of the seeds shipped with it (`hanoi-2025`, the default: the two-tier
/// city of 1 July 2025; `hanoi-2020`: the three-tier city), a file (`seed=/path/catalog.json`,
/// a province's own), or `none` to start empty. See docs/seed-catalog.md.
public enum CatalogServiceApp: PlatformService {
    public static let executableName = "catalog-svc"
    /// Backups hold `catalog.sqlite` (docs/operations.md).
    public static let backupLayout: BackupLayout? = BackupLayout(databaseName: "catalog")

    /// Every migration of this service's database, in order. Shipped migrations are never
    /// edited; new ones are appended.
    public static var migrations: Migrations { CatalogSchema.migrations }

    public static func make(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "catalog", migrations: migrations)
        let seed = settings.extra["seed"] ?? settings.extra["DVC_SEED"]
            ?? ProcessInfo.processInfo.environment["DVC_SEED"]
        return ServiceParts(services: [try await service(database: database, seed: seed, logger: logger)])
    }

    /// `dvc.catalog.v1.CatalogService` over the catalog kept in `database`; an empty one is
    /// first loaded from `seed` (a shipped seed's name or a file; nil: the default seed;
    /// "none": stays empty). What `make` serves, and what tests run in-process behind another
    /// service's client.
    public static func service(database: ServiceDatabase, seed: String?, logger: Logger) async throws -> any RegistrableRPCService {
        let store = CatalogStore(database: database)
        let catalog = try Catalog(store: store, logger: logger)
        if try store.isEmpty(), seed != "none" {
            let url = SeedCatalog.resolve(seed)
            let loaded = try SeedCatalog.load(from: url)
            var document = loaded.document
            // The government's announced day swaps ship with the service (Calendar/
            // OfficialCalendarOverrides.swift, each with its source); an admin edits them later.
            let seeded = Set(document.calendarOverrides.map(\.date))
            document.calendarOverrides += OfficialCalendarOverrides.all.map(\.proto).filter { !seeded.contains($0.date) }
            _ = try await catalog.importDocument(document, formContents: loaded.formContents, actor: "seed")
            logger.info("seed catalog loaded", metadata: ["file": "\(url.path)"])
        }
        let snapshot = catalog.snapshot
        logger.info("catalog ready", metadata: [
            "version": "\(snapshot.version)", "agencies": "\(snapshot.agencies.count)",
            "procedures": "\(snapshot.procedures.count)",
        ])
        return CatalogAPI(catalog: catalog)
    }
}
