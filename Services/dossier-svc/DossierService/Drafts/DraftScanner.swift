import DVCProto
import Foundation
import Logging
import ServiceLifecycle
import Storage

/// Looks for drafts about to expire and expired ones (docs/drafts.md): `draft_notice_days`
/// before the expiry a `draft.expiring` event goes to notify-svc through the outbox (once per
/// save: a new save moves the expiry and clears the mark), which tells the owner in Vietnamese;
/// at the expiry the draft is deleted with its files. Runs on a schedule, like `DeadlineScanner`.
struct DraftScanner: Service {
    let book: DossierBook
    let interval: Duration
    let logger: Logger

    struct Outcome: Equatable, Sendable {
        var noticed = 0
        var deleted = 0
    }

    /// Notices and deletions due at `nowMs`.
    @discardableResult
    static func scan(_ book: DossierBook, nowMs: Int64) async throws -> Outcome {
        let settings = book.drafts
        let (outcome, shas) = try await book.database.write { db -> (Outcome, [String]) in
            var outcome = Outcome()
            let due = try SQLRow.fetchAll(db, sql: """
                SELECT \(DraftRow.columns) FROM draft WHERE noticed_at_ms IS NULL AND expires_at_ms > ? AND expires_at_ms <= ?
                """, arguments: [nowMs, nowMs + settings.noticeMs]).map(DraftRow.init(row:))
            for var draft in due {
                draft.files = try DraftRow.files(of: draft.id, db)
                try db.execute(sql: "UPDATE draft SET noticed_at_ms = ? WHERE id = ?", arguments: [nowMs, draft.id])
                try enqueueExpiring(draft, db)
                outcome.noticed += 1
            }
            var shas: [String] = []
            for id in try String.fetchAll(db, sql: "SELECT id FROM draft WHERE expires_at_ms <= ?", arguments: [nowMs]) {
                shas += try DraftRow.delete(id: id, db)
                outcome.deleted += 1
            }
            // What a submitted draft became is kept as long as a draft lives: long enough for any retry.
            try db.execute(sql: "DELETE FROM draft_submission WHERE submitted_at_ms < ?", arguments: [nowMs - settings.ttlMs])
            return (outcome, shas)
        }
        await book.removeUnreferenced(shas, nowMs: nowMs)
        return outcome
    }

    /// The owner is told, by notify-svc only: a draft is nobody else's business (no agency
    /// webhook, no national portal).
    static func enqueueExpiring(_ draft: DraftRow, _ db: any SQLConnection) throws {
        var body = DossierV1.DraftEvent()
        body.draft = draft.proto
        var event = EventsV1.Event()
        event.type = "draft.expiring"
        event.aggregateId = draft.id
        event.source = "dossier-svc"
        event.payload = body.protobufData
        _ = try Outbox.enqueue(event, to: ["notify-svc"], in: db)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let outcome = try await Self.scan(book, nowMs: UnixMillis.now())
                    if outcome != Outcome() {
                        logger.info("drafts scanned", metadata: ["noticed": "\(outcome.noticed)", "deleted": "\(outcome.deleted)"])
                    }
                } catch {
                    logger.error("draft scan failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
