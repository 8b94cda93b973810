import Foundation
import Logging
import ServiceLifecycle
import Storage
import Synchronization

/// Sends the reports to the portal, each dossier's in order, with retries and exponential
/// back-off (`Storage.Backoff`, from `report_retry_initial_ms` up to `report_retry_max_ms`).
///
/// - 2xx: sent (a repeat the portal already holds is answered 200 with `duplicate`);
/// - 4xx other than 408 and 429: refused. The report is kept, marked refused with the portal's
///   answer, counted in `dvc_national_portal_reports_refused` and listed by
///   `national-portal-sync reports`; the dossier's later reports wait behind it until an
///   operator retries it (`national-portal-sync retry ID`), so none overtakes it;
/// - anything else (the portal down, 5xx, no answer): tried again later, never dropped.
struct ReportSender: Service {
    let database: ServiceDatabase
    let portal: PortalClient
    let backoff: Backoff
    let wake: WakeUp
    let logger: Logger
    var pollInterval: Duration = .seconds(1)

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                var wait = pollInterval
                do {
                    try await sendDue()
                    if let next = try await database.sqliteRead({ db in try ReportQueue.nextDueTime(db) }) {
                        wait = min(wait, .milliseconds(max(0, next - UnixMillis.now())))
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.error("report pass failed; retrying", metadata: ["error": "\(error)"])
                }
                if wait > .zero { await wake.wait(timeout: wait) }
            }
        }
    }

    /// Sends every report due now; a dossier whose report failed waits for the next pass.
    func sendDue() async throws {
        var failed = Set<String>()
        while !Task.isCancelled {
            let now = UnixMillis.now()
            let batch = try await database.sqliteRead { db in try ReportQueue.due(now: now, limit: 50, db) }
                .filter { !failed.contains($0.dossierID) }
            if batch.isEmpty { return }
            for report in batch where !failed.contains(report.dossierID) {
                if try await !send(report) { failed.insert(report.dossierID) }
            }
        }
    }

    /// One attempt; true when the portal accepted it.
    private func send(_ report: ReportQueue.Due) async throws -> Bool {
        let answer = await portal.call("POST", PortalClient.path(dossier: report.portalID) + "/reports", body: Data(report.body.utf8))
        let now = UnixMillis.now()
        if answer.accepted {
            try await database.sqliteWrite { db in try ReportQueue.markSent(report.id, at: now, db) }
            return true
        }
        let error = "HTTP \(answer.status): \(answer.text)"
        if answer.refused {
            try await database.sqliteWrite { db in try ReportQueue.markRefused(report.id, error: error, db) }
            logger.error("the national portal refused a report; kept for the operator",
                         metadata: ["report": "\(report.id)", "dossier": "\(report.dossierID)", "portal_dossier": "\(report.portalID)",
                                    "seq": "\(report.seq)", "answer": "\(error)"])
            return false
        }
        let retryAt = now + backoff.delay(afterFailures: report.attempts + 1).wholeMilliseconds
        try await database.sqliteWrite { db in try ReportQueue.markFailed(report.id, retryAt: retryAt, error: error, db) }
        logger.warning("report not delivered; will retry",
                       metadata: ["report": "\(report.id)", "portal_dossier": "\(report.portalID)", "attempts": "\(report.attempts + 1)",
                                  "retry_at_unix_ms": "\(retryAt)", "error": "\(error)"])
        return false
    }
}

/// Wakes a sleeping loop early (a report queued, an inbound dossier recorded).
final class WakeUp: Sendable {
    private let woken = Mutex(false)

    func wake() { woken.withLock { $0 = true } }

    /// Returns when woken or after `timeout`, whichever comes first; clears the wake.
    func wait(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !Task.isCancelled {
            if woken.withLock({ value in defer { value = false }; return value }) { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

extension Duration {
    /// Whole milliseconds, the unit of the times this service stores.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
