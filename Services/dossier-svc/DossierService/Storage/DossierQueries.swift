import DVCProto
import Foundation
import Storage

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
        var search: QueueSearch? = nil
        var order: DossierV1.QueueOrder = .appointment
        /// Instants in [from, to): submitted, received or decided (`Period.Instant`).
        var periods: [Period] = []
        var procedure: String? = nil
        var applicant: String? = nil
    }

    /// A bounded period of one of a dossier's instants; a dossier without the instant (not
    /// received, not decided yet) is outside it.
    struct Period: Equatable, Sendable {
        enum Instant: String, Sendable {
            case submitted = "submitted_at_ms"
            case received = "received_at_ms"
            case decided = "decided_at_ms"
        }

        var instant: Instant
        /// Unix milliseconds; nil for no bound.
        var from: Int64?
        var to: Int64?
    }

    /// A page's position: the sort key of the last row given and its id. The appointment
    /// order's tokens ("q1") are those of earlier releases, so links already handed out still
    /// work; the submission orders write "q2" with the order's number.
    struct Cursor: Equatable {
        var order: DossierV1.QueueOrder = .appointment
        var key: Int64
        var id: String

        init(order: DossierV1.QueueOrder = .appointment, key: Int64, id: String) {
            self.order = order
            self.key = key
            self.id = id
        }

        init(appointmentMs: Int64, id: String) { self.init(key: appointmentMs, id: id) }

        var appointmentMs: Int64 { key }

        init?(_ token: String) {
            guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8) else { return nil }
            let parts = text.split(separator: "|", omittingEmptySubsequences: false)
            if parts.count == 3, parts[0] == "q1", let ms = Int64(parts[1]), !parts[2].isEmpty {
                self.init(key: ms, id: String(parts[2]))
            } else if parts.count >= 4, parts[0] == "q2", let raw = Int32(parts[1]), (1...3).contains(raw),
                      let ms = Int64(parts[2]) {
                let id = parts[3...].joined(separator: "|")
                guard !id.isEmpty else { return nil }
                self.init(order: DossierV1.QueueOrder(rawValue: raw), key: ms, id: id)
            } else {
                return nil
            }
        }

        var token: String {
            let text = order == .appointment ? "q1|\(key)|\(id)" : "q2|\(order.rawValue)|\(key)|\(id)"
            return Data(text.utf8).base64EncodedString()
        }
    }

    /// The queue's order: appointment, undated dossiers (not received yet) after every dated
    /// one, then id. The indexes `dossier_queue_*` are on exactly this expression.
    static let queueKey = "COALESCE(appointment_at_ms, \(Int64.max))"

    /// A queue page in the filter's order: the dossiers the agency holds, and those it received
    /// as a centre for another agency (Decree 118/2025/NĐ-CP: both the receiving point's and the
    /// competent agency's queues show it). Two index ranges in the same order, merged: each
    /// stops after its page.
    static func queue(_ filter: QueueFilter, after cursor: Cursor?, limit: Int, _ db: any SQLConnection) throws -> [DossierRow] {
        let (sql, arguments) = queueSQL(filter, after: cursor, limit: limit, backend: db.backend)
        let held = try DossierRow.fetchAll(db, sql: sql, arguments: arguments)
        let (receivedSQL, receivedArguments) = queueSQL(filter, after: cursor, limit: limit, column: "receiving_agency",
                                                        backend: db.backend)
        let received = try DossierRow.fetchAll(db, sql: receivedSQL, arguments: receivedArguments)
            .filter { $0.agencyCode != filter.agency }
        guard !received.isEmpty else { return held }
        let order = filter.order
        let key = { (row: DossierRow) in Self.cursor(after: row, order: order).key }
        let before: (DossierRow, DossierRow) -> Bool = switch order {
        case .submittedNewest: { (key($0), $0.id) > (key($1), $1.id) }
        default: { (key($0), $0.id) < (key($1), $1.id) }
        }
        return Array((held + received).sorted(by: before).prefix(limit))
    }

    /// The statement of a queue page. Every condition on the order is written on the order's
    /// key itself, so an index gives a range to read in order rather than rows to filter.
    /// A search by identity number or receipt code writes the agency so that no index can serve
    /// it — `+agency_code` on SQLite, `(agency_code || '')` on PostgreSQL — which keeps the
    /// planner off the agency's queue indexes and on the applicant's or the receipt code's, a
    /// handful of rows to sort. Left to choose, PostgreSQL walks the queue expecting the matches
    /// spread evenly through it, while a receipt code's day lies at one place in it: 0.8 s a
    /// search over a million dossiers. A search by name reads the agency's queue in order and
    /// stops once the page is full. `column`: `agency_code` for the dossiers held,
    /// `receiving_agency` for those received as a centre.
    static func queueSQL(_ filter: QueueFilter, after cursor: Cursor?, limit: Int,
                         column: String = "agency_code", backend: SQLBackend = .sqlite) -> (String, SQLArguments) {
        // An applicant's dossiers are a handful on the applicant's index, as an identity search.
        let narrow = (filter.search?.usesItsOwnIndex ?? false) || filter.applicant != nil
        let agencyWithoutIndex = backend == .sqlite ? "+\(column)" : "(\(column) || '')"
        var conditions = [narrow ? "\(agencyWithoutIndex) = ?" : "\(column) = ?"]
        var arguments: SQLArguments = [filter.agency]
        if let procedure = filter.procedure {
            conditions.append("procedure_code = ?")
            arguments += [procedure]
        }
        if let applicant = filter.applicant {
            conditions.append("applicant_id = ?")
            arguments += [applicant]
        }
        for period in filter.periods {
            if let from = period.from {
                conditions.append("\(period.instant.rawValue) >= ?")
                arguments += [from]
            }
            if let to = period.to {
                conditions.append("\(period.instant.rawValue) < ?")
                arguments += [to]
            }
        }
        if let state = filter.state {
            conditions.append("state = ?")
            arguments += [state.rawValue]
        }
        if let assignee = filter.assignee {
            conditions.append("assignee = ?")
            arguments += [assignee]
        }
        if let due = filter.dueBeforeMs {
            // The same as "appointment_at_ms IS NOT NULL AND appointment_at_ms < due": an
            // undated dossier's key is the largest integer, never below a due date.
            conditions.append("\(queueKey) < ?")
            arguments += [due]
        }
        if filter.overdueOnly { conditions.append("overdue = 1") }
        if let search = filter.search {
            let (condition, values) = search.sql
            conditions.append(condition)
            arguments += values
        }
        let key: String
        let descending: Bool
        switch filter.order {
        case .submittedNewest: (key, descending) = ("submitted_at_ms", true)
        case .submittedOldest: (key, descending) = ("submitted_at_ms", false)
        case .changed: (key, descending) = ("change_seq", false)
        default: (key, descending) = (queueKey, false)
        }
        if let cursor {
            // After (key, id): written with a plain "key >=" first, which SQLite takes as the
            // start of the index range; the "key > ? OR (key = ? AND id > ?)" it replaces was
            // read from the agency's first dossier on, every page deeper than the last.
            let (at, beyond, idBeyond) = descending ? ("<=", "<", "<") : (">=", ">", ">")
            conditions.append("\(key) \(at) ? AND (\(key) \(beyond) ? OR id \(idBeyond) ?)")
            arguments += [cursor.key, cursor.key, cursor.id]
        }
        arguments += [limit]
        let direction = descending ? " DESC" : ""
        return ("""
            SELECT \(DossierRow.columns) FROM dossier WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(key)\(direction), id\(direction) LIMIT ?
            """, arguments)
    }

    static func cursor(after row: DossierRow, order: DossierV1.QueueOrder = .appointment) -> Cursor {
        switch order {
        case .submittedNewest, .submittedOldest: Cursor(order: order, key: row.submittedAtMs, id: row.id)
        case .changed: Cursor(order: order, key: row.changeSeq, id: row.id)
        default: Cursor(key: row.appointmentAtMs ?? Int64.max, id: row.id)
        }
    }

    /// How many of the agency's dossiers are in each state 1...10 (zeros included), from the
    /// counters of `DossierConsoleSchema.stateCounts`.
    static func stateCounts(agency: String, _ db: any SQLConnection) throws -> [DossierV1.StateCount] {
        var counts: [Int32: Int64] = [:]
        for row in try SQLRow.fetchAll(db, sql: "SELECT state, count FROM agency_state_count WHERE agency_code = ?",
                                    arguments: [agency]) {
            counts[row["state"]] = row["count"]
        }
        return (Int32(1)...10).map { state in
            var count = DossierV1.StateCount()
            count.state = DossierV1.DossierState(rawValue: state)
            count.count = UInt64(max(0, counts[state] ?? 0))
            return count
        }
    }

    /// An applicant's dossiers, newest first.
    static func ofApplicant(_ applicant: String, limit: Int, _ db: any SQLConnection) throws -> [DossierRow] {
        try DossierRow.fetchAll(db, sql: """
            SELECT \(DossierRow.columns) FROM dossier WHERE applicant_id = ? ORDER BY submitted_at_ms DESC, id LIMIT ?
            """, arguments: [applicant, limit])
    }

    /// An agency's dossiers received in [since, until), in the order received: the lines of
    /// its tracking book.
    static func received(agency: String, sinceMs: Int64, untilMs: Int64, _ db: any SQLConnection) throws -> [DossierRow] {
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
    static func resultReturnedAt(agency: String, _ db: any SQLConnection) throws -> [String: Int64] {
        var returned: [String: Int64] = [:]
        let rows = try SQLRow.fetchAll(db, sql: """
            SELECT h.dossier_id, MAX(h.at_ms) AS at_ms FROM history h JOIN dossier d ON d.id = h.dossier_id
            WHERE (d.agency_code = ? OR d.receiving_agency = ?) AND h.action = ? GROUP BY h.dossier_id
            """, arguments: [agency, agency, DossierV1.Action.returnResult.rawValue])
        for row in rows { returned[row["dossier_id"]] = row["at_ms"] }
        return returned
    }

    static func history(_ dossierID: String, _ db: any SQLConnection) throws -> [DossierV1.HistoryEntry] {
        try SQLRow.fetchAll(db, sql: """
            SELECT sequence, actor, api_key, at_ms, from_state, to_state, action, note FROM history
            WHERE dossier_id = ? ORDER BY sequence
            """, arguments: [dossierID]).map { row in
            var entry = DossierV1.HistoryEntry()
            entry.sequence = UInt64(row["sequence"] as Int64)
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
        to: DossierV1.DossierState, action: DossierV1.Action, note: String, _ db: any SQLConnection
    ) throws {
        try db.execute(sql: """
            INSERT INTO history (dossier_id, sequence, actor, api_key, at_ms, from_state, to_state, action, note)
            VALUES (?, (SELECT COALESCE(MAX(sequence), 0) + 1 FROM history WHERE dossier_id = ?), ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [dossierID, dossierID, actor, apiKey, atMs, from.rawValue, to.rawValue, action.rawValue, note])
    }

    /// What a public portal shows for an agency, for local year `year` (UTC+7) or ever: the
    /// sums of the monthly counters of `DossierMonthStatistics`.
    static func statistics(agency: String, year: Int?, _ db: any SQLConnection) throws -> DossierV1.AgencyStatistics {
        try DossierMonthStatistics.figures(agency: agency, months: year.map { $0 * 100 + 1...$0 * 100 + 12 }, db)
    }
}