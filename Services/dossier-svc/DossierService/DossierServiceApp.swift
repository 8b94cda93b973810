import GRDB
import Logging
import OneStop
import ServiceLifecycle
import RPCCore
import RPCNIO
import ServiceClients
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

    /// Backups hold `dossier.sqlite` and the attachment files its rows reference: the store is
    /// content-addressed (`attachments/<aa>/<sha256>`), so the backup keeps the same layout in
    /// `FILE.attachments/` and copies only files missing there (docs/operations.md).
    public static let backupLayout: BackupLayout? = BackupLayout(
        databaseName: "dossier",
        files: BackupLayout.FileSet(folder: "attachments", contentAddressed: true) { db in
            // The drafts' files too (docs/drafts.md): a restored draft keeps its files.
            try String.fetchAll(db, sql: """
                SELECT sha256_hex FROM attachment UNION SELECT sha256_hex FROM draft_file ORDER BY sha256_hex
                """)
                .map { "\($0.prefix(2))/\($0)" }
        })

    /// Every migration of this service's database, in order. Shipped migrations are never
    /// edited; new ones are appended.
    public static var migrations: Migrations { DossierSchema.migrations }

    public static func make(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let catalog = try settings.client("catalog", try settings.requiredPeers("catalog"), logger: logger)
        // SQLite beside the service, or PostgreSQL (setting `database`, docs/storage-backends.md).
        let database = try settings.openDatabase(name: "dossier", migrations: migrations, postgres: true, logger: logger)
        let attachments = try AttachmentStore(dataDirectory: settings.dataDirectory)
        // How long failed tracking PINs count (config tracking_lockout_seconds, default 3600).
        let lockout = try TrackingLockout(settings.extra)
        // The one-stop forms documents are issued on (config one_stop_forms: 2025, the default, or 2018).
        let forms = try OneStopFormSetting.parse(settings.extra)
        // The connector to the national portal (config national_portal_sync HOST:PORT,
        // docs/national-portal.md): every dossier event goes to it as well, through the outbox.
        let nationalPortal = try settings.extra["national_portal_sync"].map { text in
            guard let list = PeerAddress.list(text) else {
                throw ServiceSettings.InvalidSetting(description: "national_portal_sync: '\(text)' is not HOST:PORT[,HOST:PORT...]")
            }
            return list
        }
        // Every document and result issued is signed by its agency (docs/signatures.md): keys
        // from signing_dir, else the demo CA in the data directory; the QR links to public_url.
        let signatures = try DocumentSignatures(
            keys: AgencySigningKeys(signingDirectory: settings.extra["signing_dir"], dataDirectory: settings.dataDirectory, logger: logger),
            publicURL: try Self.publicURL(settings))
        // Drafts' lifetime and limits (config draft_ttl_days, draft_notice_days, ...: DraftSettings).
        let drafts = try DraftSettings(settings.extra)
        let book = try DossierBook(database: database, attachments: attachments, catalog: catalog,
                                   trackingLockout: lockout, forms: forms,
                                   eventDestinations: ["notify-svc"] + (nationalPortal == nil ? [] : ["national-portal-sync"]),
                                   signatures: signatures, drafts: drafts, logger: logger)
        var peers: [String: any RPCClientProtocol] = [:]
        if let notify = settings.peers["notify"] { peers["notify-svc"] = try settings.client("notify", notify, logger: logger) }
        if let nationalPortal { peers["national-portal-sync"] = try settings.client("national-portal-sync", nationalPortal, logger: logger) }
        // How often overdue dossiers are looked for (config key overdue_scan_seconds, default 60).
        let scanSeconds = Int(settings.extra["overdue_scan_seconds"] ?? "") ?? 60
        var background: [any Service] = [DeadlineScanner(book: book, interval: .seconds(max(1, scanSeconds)), logger: logger),
                                         DraftScanner(book: book, interval: drafts.scanInterval, logger: logger)]
        // Without a consumer configured, events wait in the outbox (nothing is lost) rather
        // than fail their delivery over and over.
        if !peers.isEmpty { background.append(OutboxRelayService(database: database, peers: peers, logger: logger)) }
        // One shard of a sharded deployment: config shard_name, with the map the callers use.
        var interceptors: [any ServerInterceptor] = []
        if let name = settings.extra["shard_name"] {
            guard settings.extra["dossier_shards"] != nil, let shards = try DossierShards.client(settings, logger: logger) as? DossierShards else {
                throw ServiceSettings.InvalidSetting(description: "shard_name needs dossier_shards (the shard map file) in the same config")
            }
            guard shards.map.shards[name] != nil else {
                throw ServiceSettings.InvalidSetting(description: "shard_name '\(name)' is not a shard of the map (\(shards.map.shards.keys.sorted()))")
            }
            interceptors.append(ShardGuard(name: name, shards: shards))
        }
        // On /metrics: the outbox backlog, and the dossiers past their appointment still open.
        let overdue = MetricsSampler(name: "dvc_dossier_overdue") {
            Double(try await database.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dossier WHERE overdue = 1 AND state IN (2, 4, 6)") ?? 0
            })
        }
        // The PDF renditions of the one-stop documents, made by WeasyPrint on the first request
        // (config weasyprint: the command, default "weasyprint" on PATH; rendition_timeout_seconds,
        // default 60; rendition_concurrency, how many run at once, default 2). A missing
        // WeasyPrint is reported in the log here and to each caller.
        let timeout = Int(settings.extra["rendition_timeout_seconds"] ?? "") ?? 60
        let concurrency = Int(settings.extra["rendition_concurrency"] ?? "") ?? 2
        let renderer = WeasyPrintRenderer(command: settings.extra["weasyprint"] ?? "weasyprint", timeout: .seconds(max(1, timeout)),
                                          concurrency: concurrency)
        if renderer.executable == nil {
            logger.warning("no WeasyPrint (\(renderer.command)): the one-stop documents' PDF renditions cannot be made (Debian package weasyprint)")
        }
        let renditions = DocumentRenditions(book: book, renderer: renderer)
        return ServiceParts(services: [DossierAPI(book: book), DraftAPI(book: book), DossierEventSink(book: book), SignatureAPI(book: book),
                                       DocumentRenditionAPI(renditions: renditions),
                                       RatingAPI(ratings: DossierRatings(database: database))],
                            background: background,
                            interceptors: interceptors, samplers: MetricsSampler.outbox(database) + [overdue])
    }

    /// The portal's public address (setting `public_url`, the gateway's), which the QR code of
    /// every signed document links to; http://127.0.0.1:8080 (scripts/up.sh's portal) if unset.
    static func publicURL(_ settings: ServiceSettings) throws -> String {
        let url = settings.extra["public_url"] ?? "http://127.0.0.1:7080"
        guard url.hasPrefix("https://") || url.hasPrefix("http://"), url.count > 8, !url.contains(" ") else {
            throw ServiceSettings.InvalidSetting(description: "public_url: '\(url)' is not an http(s) address")
        }
        return url
    }
}
