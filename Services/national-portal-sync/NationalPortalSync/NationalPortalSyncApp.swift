import DVCProto
import Foundation
import GRDB
import Logging
import RPCCore
import RPCNIO
import ServiceKit
import Storage

/// `national-portal-sync`: the connector to the national public-service portal (Cổng Dịch vụ
/// công quốc gia), docs/national-portal.md.
///
/// Inbound, the portal pushes the dossiers citizens submitted there for the province's
/// procedures to its HTTP side (`--http`), and each becomes a dossier in dossier-svc (channel
/// NATIONAL_PORTAL), exactly once. Outbound, dossier-svc's outbox relay delivers the events of
/// those dossiers to its `EventSink`, and `ReportSender` tells the portal each change, in order
/// per dossier, with retries. Needs `--dossier`.
public enum NationalPortalSyncApp: PlatformService {
    public static let executableName = "national-portal-sync"
    public static let backupLayout: BackupLayout? = BackupLayout(databaseName: "national-portal")
    public static var migrations: Migrations { SyncSchema.migrations }

    public static func make(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let portalSettings = try NationalPortalSettings(settings.extra)
        guard let http = settings.httpListen else {
            throw ServiceSettings.InvalidSetting(description: "national-portal-sync needs --http (or DVC_HTTP): where the national portal delivers dossiers")
        }
        let dossiers = try settings.client("dossier", try settings.requiredPeers("dossier"), logger: logger)
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "national-portal", migrations: migrations)
        let wake = WakeUp()
        let intake = ReportIntake(database: database, logger: logger, queued: { wake.wake() })
        let inbound = InboundIntake(database: database, dossiers: dossiers, wake: wake, logger: logger)
        let portal = PortalClient(settings: portalSettings)
        let sender = ReportSender(database: database, portal: portal,
                                  backoff: Backoff(initial: portalSettings.retryInitial, maximum: portalSettings.retryMaximum),
                                  wake: wake, logger: logger)
        let router = InboundHTTPServer.router(intake: inbound, settings: portalSettings, database: database, logger: logger)
        return ServiceParts(services: [EventSinkAPI(intake: intake)],
                            background: [sender, InboundHTTPServer.make(address: http, router: router, logger: logger)],
                            samplers: samplers(database))
    }

    /// On /metrics (docs/observability.md): the lag of the reports and what waits.
    static func samplers(_ database: ServiceDatabase) -> [MetricsSampler] {
        [
            MetricsSampler(name: "dvc_national_portal_oldest_unreported_seconds") {
                let now = UnixMillis.now()
                return Double(try await database.sqliteRead { db in try ReportQueue.oldestUnreportedAge(now: now, db) }) / 1000
            },
            MetricsSampler(name: "dvc_national_portal_reports_pending") {
                Double(try await database.sqliteRead { db in try ReportQueue.count(state: 0, db) })
            },
            MetricsSampler(name: "dvc_national_portal_reports_refused") {
                Double(try await database.sqliteRead { db in try ReportQueue.count(state: 2, db) })
            },
        ]
    }

    // MARK: - The operator's commands

    static func openDatabase(_ settings: ServiceSettings) throws -> ServiceDatabase {
        try ServiceDatabase(directory: settings.dataDirectory, name: "national-portal", migrations: migrations)
    }

    /// `national-portal-sync reports`: the reports in the given states (default: refused and pending).
    public static func listReports(settings: ServiceSettings, states: [Int]) throws -> [String] {
        let database = try openDatabase(settings)
        return try database.sqliteRead { db in try ReportQueue.list(states: states, db).map(\.description) }
    }

    /// `national-portal-sync retry ID`: a refused report goes back to the queue.
    public static func retry(settings: ServiceSettings, reportID: Int64) throws -> Bool {
        let database = try openDatabase(settings)
        return try database.sqliteWrite { db in try ReportQueue.retry(reportID, now: UnixMillis.now(), db) }
    }

    /// `national-portal-sync reconcile`: the differences between the portal and the platform.
    public static func reconcile(settings: ServiceSettings, logger: Logger) async throws -> (compared: Int, differences: [Reconciliation.Difference]) {
        let portalSettings = try NationalPortalSettings(settings.extra)
        let database = try openDatabase(settings)
        let dossiers = try settings.client("dossier", try settings.requiredPeers("dossier"), logger: logger)
        return try await Reconciliation(database: database, portal: PortalClient(settings: portalSettings), dossiers: dossiers).run()
    }
}
