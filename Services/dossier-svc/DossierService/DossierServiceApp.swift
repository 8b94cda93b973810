import Logging
import ServiceLifecycle
import RPCCore
import RPCNIO
import ServiceKit
import Storage

/// `dossier-svc`: dossiers, attachments, workflow history, receipt codes and deadlines: the
/// system of record of the one-stop shop.
///
/// Needs `--catalog` (what a procedure requires, when a dossier is due). With `--notify`, its
/// events (submitted, received, supplement requested, ...) are delivered from the outbox to
/// notify-svc; without it they wait in the outbox.
public enum DossierServiceApp: PlatformService {
    public static let executableName = "dossier-svc"

    /// Every migration of this service's database, in order. Shipped migrations are never
    /// edited; new ones are appended.
    public static var migrations: Migrations { DossierSchema.migrations }

    public static func make(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let catalog = try settings.client(try settings.requiredPeers("catalog"), logger: logger)
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "dossier", migrations: migrations)
        let attachments = try AttachmentStore(dataDirectory: settings.dataDirectory)
        let book = try DossierBook(database: database, attachments: attachments, catalog: catalog, logger: logger)
        var peers: [String: any RPCClientProtocol] = [:]
        if let notify = settings.peers["notify"] { peers["notify-svc"] = try settings.client(notify, logger: logger) }
        // How often overdue dossiers are looked for (config key overdue_scan_seconds, default 60).
        let scanSeconds = Int(settings.extra["overdue_scan_seconds"] ?? "") ?? 60
        var background: [any Service] = [DeadlineScanner(book: book, interval: .seconds(max(1, scanSeconds)), logger: logger)]
        // Without a consumer configured, events wait in the outbox (nothing is lost) rather
        // than fail their delivery over and over.
        if !peers.isEmpty { background.append(OutboxRelayService(database: database, peers: peers, logger: logger)) }
        return ServiceParts(services: [DossierAPI(book: book), DossierEventSink(book: book)], background: background)
    }
}
