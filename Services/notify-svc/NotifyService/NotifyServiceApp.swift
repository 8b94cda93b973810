import DVCProto
import GRDB
import Logging
import ServiceKit
import ServiceLifecycle
import Storage

/// `notify-svc`: notification templates, the delivery queue and the citizen's inbox
/// (docs/notify.md).
///
/// It consumes dossier and payment events (`dvc.events.v1.EventSink/Deliver`), writes each
/// notification to the citizen's inbox and queues its email and SMS in the same transaction
/// as the event's dedup record, and a background worker sends the queue over SMTP and the SMS
/// gateway's webhook (settings: `NotifySettings`).
public enum NotifyServiceApp: PlatformService {
    public static let executableName = "notify-svc"
    /// Backups hold `notify.sqlite` (docs/operations.md).
    public static let backupLayout: BackupLayout? = BackupLayout(databaseName: "notify")

    /// Every migration of this service's database, in order. Shipped migrations are never
    /// edited; new ones are appended.
    public static var migrations: Migrations { NotifySchema.migrations }

    public static func make(settings: ServiceSettings, logger: Logger) async throws -> ServiceParts {
        let notify = try NotifySettings(settings.extra)
        let database = try ServiceDatabase(directory: settings.dataDirectory, name: "notify", migrations: migrations)
        logger.info("database open", metadata: ["path": "\(database.path ?? "")"])
        let templates = TemplateStore(database: database)
        try templates.seedDefaults()
        let flag = WakeFlag()
        let webhookFlag = WakeFlag()
        let intake = EventIntake(database: database, logger: logger, queued: { flag.wake() },
                                 webhooksQueued: { webhookFlag.wake() })
        let api = NotifyAPI(database: database, templates: templates, inbox: InboxStore(database: database),
                            preferences: ContactPreferenceStore(database: database))
        let worker = DeliveryWorker(database: database, settings: notify, flag: flag, logger: logger)
        let webhooks = WebhookWorker(database: database, settings: notify, flag: webhookFlag, logger: logger)
        // On /metrics: deliveries not done yet (pending, or in an attempt), per channel.
        let samplers = [NotifyV1.Channel.email, .sms].map { channel in
            MetricsSampler(name: "dvc_notify_delivery_pending", dimensions: [("channel", "\(channel)")]) {
                Double(try await database.sqliteRead { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery WHERE state IN (1, 2) AND channel = ?",
                                     arguments: [Int64(channel.rawValue)]) ?? 0
                })
            }
        }
        // Agency systems' webhook deliveries not done yet, and those failed for good.
        let webhookSamplers = [("pending", "1, 2"), ("failed", "4")].map { name, states in
            MetricsSampler(name: "dvc_notify_webhook_deliveries", dimensions: [("state", name)]) {
                Double(try await database.sqliteRead { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhook_delivery WHERE state IN (\(states))") ?? 0
                })
            }
        }
        let webhookAPI = WebhookAPI(registry: WebhookRegistry(database: database), logger: logger)
        return ServiceParts(services: [api, webhookAPI, EventSinkAPI(intake: intake)], background: [worker, webhooks],
                            samplers: samplers + webhookSamplers)
    }
}
