import DVCProto
import Foundation
import GRDB
import Logging
import ServiceLifecycle
import Storage

/// Sends what the queue holds: claims due deliveries (marking them `sending`), sends each on
/// its channel, and records the outcome — sent, retry later with backoff, or failed for good —
/// with a line in the delivery log. Runs beside the RPC server until shutdown; on SIGTERM it
/// lets the batch in hand finish for up to `shutdownGrace`, then cancels what is still
/// talking to a provider (those rows stay `sending` and are sent again at the next start), so
/// a hung SMTP server cannot hold the process past its drain.
struct DeliveryWorker: Service {
    let database: ServiceDatabase
    let settings: NotifySettings
    let flag: WakeFlag
    let logger: Logger

    static let batchSize = 16
    static let shutdownGrace: Duration = .seconds(3)

    func run() async throws {
        let recovered = try await database.sqliteWrite { db in try DeliveryQueue.recoverInterrupted(now: UnixMillis.now(), db) }
        if recovered > 0 {
            logger.warning("deliveries interrupted by the last stop are sent again", metadata: ["count": "\(recovered)"])
        }
        if settings.smtp == nil { logger.warning("smtp_host is not configured: email deliveries wait in the queue") }
        if settings.sms == nil { logger.warning("sms_url is not configured: SMS deliveries wait in the queue") }
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
                let jobs = try await claim()
                if !jobs.isEmpty {
                    await send(jobs)
                    continue
                }
                let channels = sendable
                if let next = try await database.sqliteRead({ db in try DeliveryQueue.nextDue(channels: channels, db) }) {
                    let untilDue = Duration.milliseconds(max(0, next - UnixMillis.now()))
                    wait = min(wait, untilDue)
                }
            } catch {
                logger.error("delivery queue pass failed; retrying after the poll interval", metadata: ["error": "\(error)"])
            }
            await flag.wait(timeout: wait)
        }
    }

    /// Sends a batch concurrently; a watcher cancels the sends still running `shutdownGrace`
    /// after a shutdown began.
    private func send(_ jobs: [DeliveryQueue.Job]) async {
        await withTaskGroup(of: Bool.self) { group in
            for job in jobs { group.addTask { await deliver(job); return true } }
            group.addTask {
                await flag.waitUntilStopping()
                try? await Task.sleep(for: Self.shutdownGrace)
                return false
            }
            var remaining = jobs.count
            while remaining > 0, let delivered = await group.next() {
                if delivered { remaining -= 1 } else { group.cancelAll() }
            }
            group.cancelAll()
        }
    }

    /// The channels this process can send on; the others' rows wait in the queue.
    private var sendable: [NotifyV1.Channel] {
        (settings.smtp != nil ? [.email] : []) + (settings.sms != nil ? [.sms] : [])
    }

    private func claim() async throws -> [DeliveryQueue.Job] {
        let channels = sendable
        return try await database.sqliteWrite { db in
            try DeliveryQueue.claimDue(now: UnixMillis.now(), limit: Self.batchSize, channels: channels, db)
        }
    }

    private func deliver(_ job: DeliveryQueue.Job) async {
        let attempt = job.attempts + 1
        let outcome: Result<(providerID: String, detail: String), DeliveryFailure>
        do {
            outcome = .success(try await send(job))
        } catch let failure as DeliveryFailure {
            outcome = .failure(failure)
        } catch {
            outcome = .failure(DeliveryFailure(permanent: false, description: "\(error)"))
        }
        if Task.isCancelled {
            // Shutdown cut the attempt short: nothing is recorded, the row stays `sending` and
            // the next start sends it again (it may have reached the provider: at least once).
            logger.warning("delivery interrupted by shutdown; sent again at the next start", metadata: ["delivery": "\(job.id)"])
            return
        }
        let now = UnixMillis.now()
        do {
            try await database.sqliteWrite { db in
                switch outcome {
                case .success(let sent):
                    try DeliveryQueue.markSent(job.id, providerID: sent.providerID, detail: sent.detail, now: now, db)
                case .failure(let failure):
                    switch settings.retry.afterFailure(attempts: attempt, permanent: failure.permanent, nowMs: now) {
                    case .retry(let at):
                        try DeliveryQueue.markFailed(job.id, error: failure.description, retryAt: at, now: now, db)
                    case .giveUp:
                        try DeliveryQueue.markFailed(job.id, error: failure.description, retryAt: nil, now: now, db)
                    }
                }
            }
        } catch {
            // The row stays `sending`; the next start sends it again (at least once).
            logger.error("could not record a delivery's outcome", metadata: ["delivery": "\(job.id)", "error": "\(error)"])
        }
        switch outcome {
        case .success:
            logger.info("delivered", metadata: ["delivery": "\(job.id)", "channel": "\(job.channel)", "attempt": "\(attempt)"])
        case .failure(let failure):
            logger.warning("delivery attempt failed", metadata: [
                "delivery": "\(job.id)", "channel": "\(job.channel)", "attempt": "\(attempt)",
                "permanent": "\(failure.permanent)", "error": "\(failure.description)",
            ])
        }
    }

    private func send(_ job: DeliveryQueue.Job) async throws -> (providerID: String, detail: String) {
        switch job.channel {
        case .email:
            guard let smtp = settings.smtp else { throw DeliveryFailure(permanent: false, description: "smtp_host is not configured") }
            let messageID = "\(job.id)@\(settings.messageIDDomain)"
            let message = MailMessage(fromAddress: settings.mailFrom, fromName: settings.mailFromName, to: job.recipient,
                                      subject: job.subject, body: job.body, messageID: messageID, date: Date())
            do {
                let reply = try await SMTPClient(configuration: smtp).send(from: settings.mailFrom, to: job.recipient,
                                                                           message: message.bytes)
                return ("<\(messageID)>", reply)
            } catch let error as SMTPError {
                throw DeliveryFailure(permanent: error.permanent, description: error.description)
            }
        case .sms:
            guard let sms = settings.sms else { throw DeliveryFailure(permanent: false, description: "sms_url is not configured") }
            do {
                let id = try await SMSWebhookClient(configuration: sms).send(to: job.recipient, text: job.sms, reference: job.id)
                return (id, "accepted by the SMS gateway")
            } catch let error as SMSWebhookClient.Failure {
                throw DeliveryFailure(permanent: error.permanent, description: error.description)
            }
        default:
            throw DeliveryFailure(permanent: true, description: "channel \(job.channel) is not sent by the worker")
        }
    }
}
