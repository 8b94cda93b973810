import DVCProto
import Foundation
import Logging
import ServiceLifecycle
import Storage

/// Finds dossiers whose appointment has passed while the agency still holds them (received,
/// being processed, or waiting for a fee; not while the citizen owes a supplement, when the
/// clock stands still) and marks them overdue, with a `dossier.overdue` event in the same
/// transaction so the citizen is told and the agency's overdue list fills. Runs on a schedule
/// as a lifecycle service.
struct DeadlineScanner: Service {
    let book: DossierBook
    let interval: Duration
    let logger: Logger

    /// The dossiers to mark at a time (its one argument). The conditions on overdue and state
    /// are the partial index `dossier_deadline`'s, so a scan reads only the dossiers still open
    /// and not yet marked, not every dossier ever received.
    static let candidatesSQL = """
        SELECT \(DossierRow.columns) FROM dossier
        WHERE overdue = 0 AND state IN (2, 4, 6) AND appointment_at_ms IS NOT NULL AND appointment_at_ms < ?
        """

    /// Marks what is overdue at `nowMs`; returns how many dossiers it marked.
    @discardableResult
    static func scan(_ book: DossierBook, nowMs: Int64) async throws -> Int {
        try await book.database.write { db in
            let rows = try DossierRow.fetchAll(db, sql: candidatesSQL, arguments: [nowMs])
            for var row in rows {
                try db.execute(sql: "UPDATE dossier SET overdue = 1 WHERE id = ?", arguments: [row.id])
                row.overdue = true
                try book.enqueueEvent(type: "dossier.overdue", row: row, action: .unspecified,
                                      note: "quá hạn hẹn trả kết quả", db)
            }
            return rows.count
        }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let marked = try await Self.scan(book, nowMs: UnixMillis.now())
                    if marked > 0 { logger.info("dossiers overdue", metadata: ["count": "\(marked)"]) }
                } catch {
                    logger.error("deadline scan failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
