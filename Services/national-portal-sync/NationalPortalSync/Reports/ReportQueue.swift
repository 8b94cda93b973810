import Foundation
import GRDB
import Storage

/// The reports table's queries: what is due, and each attempt's outcome.
enum ReportQueue {
    /// A report ready to go: the head of its dossier's open reports (nothing earlier pending or
    /// refused), its dossier known to have come from the portal, and its retry time reached.
    struct Due: Sendable {
        var id: Int64
        var dossierID: String
        var portalID: String
        var seq: Int64
        var body: String
        var attempts: Int
    }

    static func due(now: Int64, limit: Int, _ db: Database) throws -> [Due] {
        try Row.fetchAll(db, sql: """
            SELECT r.id, r.dossier_id, i.portal_id, r.seq, r.body, r.attempts
            FROM report r JOIN inbound i ON i.dossier_id = r.dossier_id
            WHERE r.state = 0 AND r.next_attempt_at <= ?
              AND NOT EXISTS (SELECT 1 FROM report e WHERE e.dossier_id = r.dossier_id AND e.state IN (0, 2) AND e.id < r.id)
            ORDER BY r.id LIMIT ?
            """, arguments: [now, limit]).map { row in
            Due(id: row["id"], dossierID: row["dossier_id"], portalID: row["portal_id"], seq: row["seq"], body: row["body"],
                attempts: row["attempts"])
        }
    }

    /// When the next pending report whose dossier is known becomes due (nil: none waits).
    static func nextDueTime(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: """
            SELECT MIN(r.next_attempt_at) FROM report r JOIN inbound i ON i.dossier_id = r.dossier_id WHERE r.state = 0
            """)
    }

    static func markSent(_ id: Int64, at now: Int64, _ db: Database) throws {
        try db.execute(sql: "UPDATE report SET state = 1, sent_at = ?, attempts = attempts + 1, last_error = '' WHERE id = ?",
                       arguments: [now, id])
    }

    static func markRefused(_ id: Int64, error: String, _ db: Database) throws {
        try db.execute(sql: "UPDATE report SET state = 2, attempts = attempts + 1, last_error = ? WHERE id = ?",
                       arguments: [error, id])
    }

    static func markFailed(_ id: Int64, retryAt: Int64, error: String, _ db: Database) throws {
        try db.execute(sql: "UPDATE report SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?",
                       arguments: [retryAt, error, id])
    }

    /// An operator sends a refused report again (after the cause was fixed at the portal).
    /// Returns false when no refused report has that id.
    static func retry(_ id: Int64, now: Int64, _ db: Database) throws -> Bool {
        try db.execute(sql: "UPDATE report SET state = 0, next_attempt_at = ? WHERE id = ? AND state = 2", arguments: [now, id])
        return db.changesCount > 0
    }

    /// The age (ms) of the oldest change not yet accepted by the portal (pending or refused); 0 when none.
    static func oldestUnreportedAge(now: Int64, _ db: Database) throws -> Int64 {
        guard let oldest = try Int64.fetchOne(db, sql: "SELECT MIN(occurred_at) FROM report WHERE state IN (0, 2)") else { return 0 }
        return max(0, now - oldest)
    }

    static func count(state: Int, _ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM report WHERE state = ?", arguments: [state]) ?? 0
    }

    /// One row of `national-portal-sync reports`.
    public struct Listed: Sendable, CustomStringConvertible {
        public var id: Int64
        public var dossierID: String
        public var portalID: String
        public var seq: Int64?
        public var state: Int
        public var eventType: String
        public var attempts: Int
        public var lastError: String
        public var occurredAt: Int64

        public var stateName: String { ["pending", "sent", "refused", "superseded"][state] }

        public var description: String {
            "\(id)\t\(stateName)\t\(portalID.isEmpty ? "-" : portalID)\t\(dossierID)\tseq=\(seq.map(String.init) ?? "-")\t\(eventType)\tattempts=\(attempts)\t\(lastError)"
        }
    }

    static func list(states: [Int], _ db: Database) throws -> [Listed] {
        let marks = states.map { _ in "?" }.joined(separator: ",")
        return try Row.fetchAll(db, sql: """
            SELECT r.*, COALESCE(i.portal_id, '') AS portal_id FROM report r LEFT JOIN inbound i ON i.dossier_id = r.dossier_id
            WHERE r.state IN (\(marks)) ORDER BY r.id
            """, arguments: StatementArguments(states)).map { row in
            Listed(id: row["id"], dossierID: row["dossier_id"], portalID: row["portal_id"], seq: row["seq"], state: row["state"],
                   eventType: row["event_type"], attempts: row["attempts"], lastError: row["last_error"], occurredAt: row["occurred_at"])
        }
    }
}
