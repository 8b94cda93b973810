import DVCProto
import Foundation
import GRDB
import Logging
import RPCCore
import Storage

/// Turns dossier-svc's events into reports for the portal, once: the event id is recorded with
/// `ProcessedEvents.processOnce` in the transaction that writes the report, so a repeated
/// delivery changes nothing.
///
/// Order: a dossier's reports are numbered 1, 2, 3… (`seq`) as its events arrive; the outbox
/// relay sends a dossier's events in commit order, so that is the order of the changes. An
/// event older than one already recorded (its `version` not above the highest seen: a
/// delivery out of order) is kept as superseded and never sent, so the portal never sees a
/// dossier go back to an earlier state.
struct ReportIntake: Sendable {
    let database: ServiceDatabase
    let logger: Logger
    /// Called after a commit that queued a report, so the sender need not wait for its poll.
    let queued: @Sendable () -> Void

    enum Outcome: Equatable, Sendable {
        case duplicate
        /// Not a dossier event of a dossier from the national portal: recorded, nothing to tell.
        case ignored
        case queued(seq: Int64)
        case superseded
    }

    func accept(_ event: EventsV1.Event) async throws -> Outcome {
        guard !event.id.isEmpty else { throw RPCError.invalidArgument(field: "id", "an event needs its id (deduplication is by id)") }
        var body: DossierV1.DossierEvent?
        if event.source == "dossier-svc", event.type.hasPrefix("dossier.") {
            do {
                body = try DossierV1.DossierEvent(protobuf: event.payload)
            } catch {
                throw RPCError.invalidArgument(field: "payload", "not a dvc.dossier.v1.DossierEvent: \(error)")
            }
        }
        let decoded = body
        let outcome = try await database.sqliteWrite { db in try Self.apply(event, decoded, db) }
        if case .queued = outcome { queued() }
        return outcome
    }

    static func apply(_ event: EventsV1.Event, _ body: DossierV1.DossierEvent?, _ db: Database) throws -> Outcome {
        guard try ProcessedEvents.processOnce(eventID: event.id, in: db) else { return .duplicate }
        guard let body, let dossier = body.dossier, dossier.channel == .nationalPortal, !dossier.id.isEmpty else { return .ignored }
        let now = UnixMillis.now()
        let occurred = event.occurredAtUnixMs == 0 ? now : event.occurredAtUnixMs
        let highest = try Int64.fetchOne(db, sql: "SELECT MAX(version) FROM report WHERE dossier_id = ?", arguments: [dossier.id])
        if let highest, Int64(dossier.version) <= highest {
            try db.execute(
                sql: """
                    INSERT INTO report (dossier_id, seq, version, event_id, event_type, body, occurred_at, state, next_attempt_at, created_at)
                    VALUES (?, NULL, ?, ?, ?, '{}', ?, 3, 0, ?)
                    """,
                arguments: [dossier.id, Int64(dossier.version), event.id, event.type, occurred, now])
            return .superseded
        }
        let seq = (try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM report WHERE dossier_id = ?", arguments: [dossier.id]) ?? 0) + 1
        let json = String(decoding: try ReportBody.json(event: event, body: body, seq: seq), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO report (dossier_id, seq, version, event_id, event_type, body, occurred_at, state, next_attempt_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
                """,
            arguments: [dossier.id, seq, Int64(dossier.version), event.id, event.type, json, occurred, now, now])
        return .queued(seq: seq)
    }
}
