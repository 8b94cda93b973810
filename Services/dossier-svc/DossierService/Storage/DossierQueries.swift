import DVCProto
import Foundation
import GRDB

/// The read queries of dossier-svc: an applicant's dossiers, an agency's work queues, the
/// history of one dossier, and an agency's statistics. Queues page by (appointment, id), a
/// key that never moves, so pages are stable while dossiers change.
enum DossierQueries {
    struct QueueFilter: Sendable {
        var agency: String
        var state: DossierV1.DossierState?
        var assignee: String?
        var dueBeforeMs: Int64?
        var overdueOnly: Bool
    }

    struct Cursor: Equatable {
        var appointmentMs: Int64
        var id: String

        init(appointmentMs: Int64, id: String) {
            self.appointmentMs = appointmentMs
            self.id = id
        }

        init?(_ token: String) {
            guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8) else { return nil }
            let parts = text.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "q1", let ms = Int64(parts[1]), !parts[2].isEmpty else { return nil }
            appointmentMs = ms
            id = String(parts[2])
        }

        var token: String { Data("q1|\(appointmentMs)|\(id)".utf8).base64EncodedString() }
    }

    /// The queue's order: appointment, undated dossiers (not received yet) after every dated
    /// one, then id. The indexes `dossier_queue_*` are on exactly this expression.
    static let queueKey = "COALESCE(appointment_at_ms, \(Int64.max))"

    /// A queue page ordered by appointment (undated ones last), then id: the dossiers the agency
    /// holds, and those it received as a centre for another agency (Decree 118/2025/NĐ-CP:
    /// both the receiving point's and the competent agency's queues show it). Two index ranges
    /// in the same order, merged: each stops after its page.
    static func queue(_ filter: QueueFilter, after cursor: Cursor?, limit: Int, _ db: Database) throws -> [DossierRow] {
        let (sql, arguments) = queueSQL(filter, after: cursor, limit: limit)
        let held = try DossierRow.fetchAll(db, sql: sql, arguments: arguments)
        let (receivedSQL, receivedArguments) = queueSQL(filter, after: cursor, limit: limit, column: "receiving_agency")
        let received = try DossierRow.fetchAll(db, sql: receivedSQL, arguments: receivedArguments)
            .filter { $0.agencyCode != filter.agency }
        guard !received.isEmpty else { return held }
        let key = { (row: DossierRow) in (row.appointmentAtMs ?? Int64.max, row.id) }
        return Array((held + received).sorted { key($0) < key($1) }.prefix(limit))
    }

    /// The statement of a queue page. Every condition on the order is written on `queueKey`
    /// itself, so the index gives a range to read in order rather than rows to filter.
    static func queueSQL(_ filter: QueueFilter, after cursor: Cursor?, limit: Int,
                         column: String = "agency_code") -> (String, StatementArguments) {
        var conditions = ["\(column) = ?"]
        var arguments: StatementArguments = [filter.agency]
        if let state = filter.state {
            conditions.append("state = ?")
            _ = arguments.append(contentsOf: [state.rawValue])
        }
        if let assignee = filter.assignee {
            conditions.append("assignee = ?")
            _ = arguments.append(contentsOf: [assignee])
        }
        let key = queueKey
        if let due = filter.dueBeforeMs {
            // The same as "appointment_at_ms IS NOT NULL AND appointment_at_ms < due": an
            // undated dossier's key is the largest integer, never below a due date.
            conditions.append("\(key) < ?")
            _ = arguments.append(contentsOf: [due])
        }
        if filter.overdueOnly { conditions.append("overdue = 1") }
        if let cursor {
            // After (key, id): written with a plain "key >=" first, which SQLite takes as the
            // start of the index range; the "key > ? OR (key = ? AND id > ?)" it replaces was
            // read from the agency's first dossier on, every page deeper than the last.
            conditions.append("\(key) >= ? AND (\(key) > ? OR id > ?)")
            _ = arguments.append(contentsOf: [cursor.appointmentMs, cursor.appointmentMs, cursor.id])
        }
        _ = arguments.append(contentsOf: [limit])
        return ("""
            SELECT \(DossierRow.columns) FROM dossier WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(key), id LIMIT ?
            """, arguments)
    }

    static func cursor(after row: DossierRow) -> Cursor {
        Cursor(appointmentMs: row.appointmentAtMs ?? Int64.max, id: row.id)
    }

    /// An applicant's dossiers, newest first.
    static func ofApplicant(_ applicant: String, limit: Int, _ db: Database) throws -> [DossierRow] {
        try DossierRow.fetchAll(db, sql: """
            SELECT \(DossierRow.columns) FROM dossier WHERE applicant_id = ? ORDER BY submitted_at_ms DESC, id LIMIT ?
            """, arguments: [applicant, limit])
    }

    /// An agency's dossiers received in [since, until), in the order received: the lines of
    /// its tracking book.
    static func received(agency: String, sinceMs: Int64, untilMs: Int64, _ db: Database) throws -> [DossierRow] {
        try DossierRow.fetchAll(db, sql: """
            SELECT \(DossierRow.columns) FROM dossier
            WHERE agency_code = ? AND received_at_ms >= ? AND received_at_ms < ?
            UNION
            SELECT \(DossierRow.columns) FROM dossier
            WHERE receiving_agency = ? AND received_at_ms >= ? AND received_at_ms < ?
            ORDER BY received_at_ms, id
            """, arguments: [agency, sinceMs, untilMs, agency, sinceMs, untilMs])
    }

    /// When each of an agency's dossiers had its result returned, by dossier id.
    static func resultReturnedAt(agency: String, _ db: Database) throws -> [String: Int64] {
        var returned: [String: Int64] = [:]
        let rows = try Row.fetchAll(db, sql: """
            SELECT h.dossier_id, MAX(h.at_ms) AS at_ms FROM history h JOIN dossier d ON d.id = h.dossier_id
            WHERE (d.agency_code = ? OR d.receiving_agency = ?) AND h.action = ? GROUP BY h.dossier_id
            """, arguments: [agency, agency, DossierV1.Action.returnResult.rawValue])
        for row in rows { returned[row["dossier_id"]] = row["at_ms"] }
        return returned
    }

    static func history(_ dossierID: String, _ db: Database) throws -> [DossierV1.HistoryEntry] {
        try Row.fetchAll(db, sql: """
            SELECT sequence, actor, api_key, at_ms, from_state, to_state, action, note FROM history
            WHERE dossier_id = ? ORDER BY sequence
            """, arguments: [dossierID]).map { row in
            var entry = DossierV1.HistoryEntry()
            entry.sequence = row["sequence"]
            entry.actor = row["actor"]
            entry.apiKeyId = row["api_key"]
            entry.atUnixMs = row["at_ms"]
            entry.fromState = DossierV1.DossierState(rawValue: row["from_state"])
            entry.toState = DossierV1.DossierState(rawValue: row["to_state"])
            entry.action = DossierV1.Action(rawValue: row["action"])
            entry.note = row["note"]
            return entry
        }
    }

    /// Appends one history entry; the table refuses updates and deletes. `apiKey`: the id of the
    /// agency system's key the actor was acted for through ("" when they acted themselves).
    static func appendHistory(
        _ dossierID: String, actor: String, apiKey: String = "", atMs: Int64, from: DossierV1.DossierState,
        to: DossierV1.DossierState, action: DossierV1.Action, note: String, _ db: Database
    ) throws {
        try db.cachedStatement(sql: """
            INSERT INTO history (dossier_id, sequence, actor, api_key, at_ms, from_state, to_state, action, note)
            VALUES (?, (SELECT COALESCE(MAX(sequence), 0) + 1 FROM history WHERE dossier_id = ?), ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [dossierID, dossierID, actor, apiKey, atMs, from.rawValue, to.rawValue, action.rawValue, note])
    }

    /// What a public portal shows for an agency: received, resolved on time and late, in
    /// progress (and how many of those are overdue), of the dossiers received in local year
    /// `year` (UTC+7), or ever. Read from the counters the triggers of `DossierSchema.agencyStatistics`
    /// keep, a row per agency and year.
    static func statistics(agency: String, year: Int?, _ db: Database) throws -> DossierV1.AgencyStatistics {
        let (sql, arguments) = statisticsSQL(agency: agency, year: year)
        let row = try Row.fetchOne(db, sql: sql, arguments: arguments)
        var statistics = DossierV1.AgencyStatistics()
        statistics.agencyCode = agency
        statistics.received = UInt64(row?["received"] as Int64? ?? 0)
        statistics.resolvedOnTime = UInt64(row?["on_time"] as Int64? ?? 0)
        statistics.resolvedLate = UInt64(row?["late"] as Int64? ?? 0)
        statistics.inProgress = UInt64(row?["in_progress"] as Int64? ?? 0)
        statistics.inProgressOverdue = UInt64(row?["overdue"] as Int64? ?? 0)
        return statistics
    }

    static func statisticsSQL(agency: String, year: Int?) -> (String, StatementArguments) {
        var arguments: StatementArguments = [agency]
        var condition = "agency_code = ?"
        if let year {
            condition += " AND year = ?"
            _ = arguments.append(contentsOf: [year])
        }
        return ("""
            SELECT SUM(received) AS received, SUM(on_time) AS on_time, SUM(late) AS late,
                SUM(in_progress) AS in_progress, SUM(overdue) AS overdue
            FROM agency_statistics WHERE \(condition)
            """, arguments)
    }
}
