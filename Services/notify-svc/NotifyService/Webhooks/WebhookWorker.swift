import DVCProto
import Foundation
import GRDB
import Logging
import ServiceLifecycle
import Storage

/// Sends the webhooks' queue (`WebhookQueue`): claims the due rows that head their dossier's
/// queue, POSTs each (`WebhookClient`), and records the outcome — sent, tried again after the
/// back-off of `NotifySettings.webhookRetry`, or failed for good after its last attempt.
/// Beside the email and SMS worker, not inside it: a receiver that is down must delay neither,
/// and its ordering rule is its own.
///
/// A stop during an attempt leaves the row `sending`; the next start sends it again. So a
/// receiver may see an event twice (never out of order): it deduplicates by `X-DVC-Event-Id`.
struct WebhookWorker: Service {
    let database: ServiceDatabase
    let settings: NotifySettings
    let flag: WakeFlag
    let logger: Logger

    static let batchSize = 16

    func run() async throws {
        let recovered = try await database.sqliteWrite { db in try WebhookQueue.recoverInterrupted(nowMs: UnixMillis.now(), db) }
        if recovered > 0 { logger.warning("webhook deliveries interrupted by the last stop are sent again", metadata: ["count": "\(recovered)"]) }
        await withGracefulShutdownHandler {
            await loop()
        } onGracefulShutdown: {
            flag.stop()
        }
    }

    private func loop() async {
        while !flag.stopping && !Task.isCancelled {
            var wait = settings.poll
            do {
                let jobs = try await database.sqliteWrite { db in
                    try WebhookQueue.claimDue(nowMs: UnixMillis.now(), limit: Self.batchSize, db)
                }
                if !jobs.isEmpty {
                    await withTaskGroup(of: Void.self) { group in
                        for job in jobs { group.addTask { await deliver(job) } }
                    }
                    continue
                }
                if let next = try await database.sqliteRead({ db in try WebhookQueue.nextDue(db) }) {
                    wait = min(wait, .milliseconds(max(0, next - UnixMillis.now())))
                }
            } catch {
                logger.error("webhook queue pass failed; retrying after the poll interval", metadata: ["error": "\(error)"])
            }
            await flag.wait(timeout: wait)
        }
    }

    private func deliver(_ job: WebhookQueue.Job) async {
        let attempt = job.attempts + 1
        let failure: String?
        do {
            try await WebhookClient(timeout: settings.webhookTimeout).send(job, nowMs: UnixMillis.now())
            failure = nil
        } catch {
            failure = "\(error)"
        }
        let now = UnixMillis.now()
        let retryAt: Int64?
        if failure != nil, case .retry(let at) = settings.webhookRetry.afterFailure(attempts: attempt, permanent: false, nowMs: now) {
            retryAt = at
        } else {
            retryAt = nil
        }
        do {
            try await database.sqliteWrite { db in
                try WebhookQueue.record(job.seq, sent: failure == nil, error: failure ?? "", retryAt: retryAt, nowMs: now, db)
            }
        } catch {
            logger.error("could not record a webhook delivery's outcome; it is sent again", metadata: ["event": "\(job.eventID)", "error": "\(error)"])
        }
        let metadata: Logger.Metadata = ["api_key": "\(job.keyID)", "event": "\(job.eventID)", "attempt": "\(attempt)"]
        if let failure {
            logger.warning(retryAt == nil ? "webhook delivery failed for good" : "webhook delivery attempt failed",
                           metadata: metadata.merging(["error": "\(failure)"]) { $1 })
        } else {
            logger.info("webhook delivered", metadata: metadata)
        }
    }
}
