import DVCProto
import Foundation
import OneStop
import Storage

/// Writes dossiers straight into a dossier-svc data folder as the service itself stores them
/// after each of their steps: the row, its history, its attachment rows, the receipt code from
/// the agency's daily sequence and the salted digest of the tracking PIN derived from the
/// folder's own key. Every step is checked by `DossierWorkflow`, so only dossiers the service
/// could have reached are written.
///
/// For filling a database with a realistic history (the scale benchmark: a million dossiers in
/// minutes, not the hours the workflow's RPCs would take). What it does not write: attachment
/// files (rows only), the one-stop documents, and outbox events (long delivered, for a
/// history). Not to be used on a folder a running service writes to.
public final class DossierBulkLoader {
    /// One workflow step after submission.
    public struct Step: Sendable {
        public var action: DossierV1.Action
        public var actor: DossierActor
        public var atMs: Int64
        /// The reason (refusals, withdrawal) or the officer's note.
        public var note: String
        public var missingDocuments: [String]

        public init(_ action: DossierV1.Action, by actor: DossierActor, atMs: Int64, note: String = "",
                    missingDocuments: [String] = []) {
            self.action = action
            self.actor = actor
            self.atMs = atMs
            self.note = note
            self.missingDocuments = missingDocuments
        }
    }

    /// An attachment row; its file is not written.
    public struct Attachment: Sendable {
        public var name: String
        public var mediaType: String
        public var sizeBytes: Int64
        public var sha256Hex: String

        public init(name: String, mediaType: String, sizeBytes: Int64, sha256Hex: String) {
            self.name = name
            self.mediaType = mediaType
            self.sizeBytes = sizeBytes
            self.sha256Hex = sha256Hex
        }
    }

    /// A dossier as submitted, and the steps it went through.
    public struct Dossier: Sendable {
        public var id: String
        public var agencyCode: String
        public var procedureCode: String
        public var applicantID: String
        public var channel: DossierV1.Channel
        public var submittedAtMs: Int64
        public var formData: [String: String]
        public var attachments: [Attachment]
        public var steps: [Step]
        /// The appointment set on receipt (the service asks catalog-svc's calendar for it).
        public var appointmentAtMs: Int64?
        /// Working minutes spent waiting for supplements (catalog-svc counts them).
        public var pausedMinutes: Int
        /// Set by the deadline scanner on a dossier still held past its appointment.
        public var overdue: Bool
        public var resultNote: String

        public init(id: String, agencyCode: String, procedureCode: String, applicantID: String,
                    channel: DossierV1.Channel = .online, submittedAtMs: Int64, formData: [String: String] = [:],
                    attachments: [Attachment] = [], steps: [Step] = [], appointmentAtMs: Int64? = nil,
                    pausedMinutes: Int = 0, overdue: Bool = false, resultNote: String = "") {
            self.id = id
            self.agencyCode = agencyCode
            self.procedureCode = procedureCode
            self.applicantID = applicantID
            self.channel = channel
            self.submittedAtMs = submittedAtMs
            self.formData = formData
            self.attachments = attachments
            self.steps = steps
            self.appointmentAtMs = appointmentAtMs
            self.pausedMinutes = pausedMinutes
            self.overdue = overdue
            self.resultNote = resultNote
        }
    }

    public struct InvalidStep: Error, CustomStringConvertible {
        public var description: String
    }

    private let database: ServiceDatabase
    private let pinKey: Data

    /// Opens (creating and migrating if needed) the folder's database, as dossier-svc does:
    /// SQLite in `dataDirectory`, or the PostgreSQL database `database` names (a postgres://
    /// URL, the service's setting `database`).
    public convenience init(dataDirectory: String, database url: String? = nil) throws {
        try self.init(database: try ServiceDatabase.open(database: url, directory: dataDirectory, name: "dossier",
                                                         migrations: DossierSchema.migrations))
    }

    /// Loads into a database already opened and migrated.
    init(database: ServiceDatabase) throws {
        self.database = database
        pinKey = try DossierBook.loadKey(database)
        if database.backend == .sqlite {
            // A large page cache: the random ids make inserts touch pages all over the indexes.
            try database.write { db in try db.execute(sql: "PRAGMA cache_size = -1048576") }
        }
    }

    /// The PIN dossier-svc shows for `dossierID` in this folder.
    public func pin(for dossierID: String) -> TrackingPIN { DossierBook.pin(for: dossierID, key: pinKey) }

    /// Writes `dossiers` in one transaction; none of them if one is invalid. Rows go in
    /// multi-row INSERTs (a few statements per thousand dossiers, not several per dossier: on
    /// PostgreSQL each statement is a round trip) and receipt numbers are taken per agency and
    /// day for the whole batch.
    public func load(_ dossiers: [Dossier]) throws {
        var rows: [DossierRow] = []
        var histories: [[HistoryEntry]] = []
        for dossier in dossiers {
            let (row, history) = try Self.replay(dossier, pin: pin(for: dossier.id).stored())
            rows.append(row)
            histories.append(history)
        }
        try database.write { db in
            try Self.issueReceiptCodes(&rows, histories: histories, db)
            try Self.insert(rows: rows, dossiers: dossiers, histories: histories, db)
        }
    }

    /// How many dossiers the folder holds.
    public func dossierCount() throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dossier") ?? 0 }
    }

    /// The receipt codes of up to `count` received dossiers spread over the whole table, with
    /// their PINs: what a citizen types to track them.
    public func trackingSamples(count: Int) throws -> [(receiptCode: String, pin: String)] {
        let codes = try database.read { db -> [(String, String)] in
            guard db.backend == .sqlite else {
                // No rowid: a random sample of the received dossiers, spread over the table.
                let received = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM dossier WHERE receipt_code IS NOT NULL") ?? 0
                guard received > 0 else { return [] }
                let percent = min(100, max(0.01, 200 * Double(count) / Double(received)))
                return try SQLRow.fetchAll(db, sql: """
                    SELECT id, receipt_code FROM dossier TABLESAMPLE BERNOULLI (\(percent)) REPEATABLE (1)
                    WHERE receipt_code IS NOT NULL LIMIT ?
                    """, arguments: [count]).map { ($0["id"], $0["receipt_code"]) }
            }
            let last = try Int64.fetchOne(db, sql: "SELECT MAX(rowid) FROM dossier") ?? 0
            guard last > 0 else { return [] }
            var found: [(String, String)] = []
            for index in 0..<Int64(count) {
                let rowid = 1 + index * last / Int64(count)
                if let row = try SQLRow.fetchOne(db, sql: """
                    SELECT id, receipt_code FROM dossier WHERE rowid >= ? AND receipt_code IS NOT NULL ORDER BY rowid LIMIT 1
                    """, arguments: [rowid]) {
                    found.append((row["id"], row["receipt_code"]))
                }
            }
            return found
        }
        return codes.map { (receiptCode: $0.1, pin: pin(for: $0.0).digits) }
    }

    /// The plan of each read statement the benchmarked calls run (with these filters), the
    /// statement first: SQLite's `EXPLAIN QUERY PLAN` lines, PostgreSQL's `EXPLAIN` lines.
    public func queryPlans(agency: String, state: DossierV1.DossierState, assignee: String,
                           dueBeforeMs: Int64, year: Int) throws -> [(name: String, sql: String, plan: [String])] {
        let cursor = DossierQueries.Cursor(appointmentMs: dueBeforeMs, id: "x")
        func queue(_ name: String, state: DossierV1.DossierState? = nil, assignee: String? = nil, due: Int64? = nil,
                   overdue: Bool = false, after: DossierQueries.Cursor? = nil, search: String = "",
                   order: DossierV1.QueueOrder = .appointment) -> (String, String, SQLArguments) {
            let filter = DossierQueries.QueueFilter(agency: agency, state: state, assignee: assignee, dueBeforeMs: due,
                                                    overdueOnly: overdue, search: QueueSearch(search), order: order)
            let (sql, arguments) = DossierQueries.queueSQL(filter, after: after, limit: 21, backend: database.backend)
            return (name, sql, arguments)
        }
        let months = year * 100 + 1...year * 100 + 12
        let (statisticsSQL, statisticsArguments) = DossierMonthStatistics.figuresSQL(agency: agency, months: months, byMonth: false)
        let (monthlySQL, monthlyArguments) = DossierMonthStatistics.figuresSQL(agency: agency, months: months, byMonth: true)
        let newest = DossierQueries.Cursor(order: .submittedNewest, key: dueBeforeMs, id: "x")
        let statements: [(String, String, SQLArguments)] = [
            ("track: dossier by receipt code", "SELECT \(DossierRow.columns) FROM dossier WHERE receipt_code = ?", ["x"]),
            ("track: its attachments",
             "SELECT id, name, media_type, size_bytes, sha256_hex FROM attachment WHERE dossier_id = ? ORDER BY position", ["x"]),
            ("track: its documents",
             "SELECT form, circular, number, issued_at_ms, media_type, content FROM document WHERE dossier_id = ? ORDER BY issued_at_ms, number",
             ["x"]),
            queue("queue: agency"),
            queue("queue: agency, later page", after: cursor),
            queue("queue: by state", state: state),
            queue("queue: by state, later page", state: state, after: cursor),
            queue("queue: by assignee", assignee: assignee),
            queue("queue: by state and assignee", state: state, assignee: assignee),
            queue("queue: due soon", due: dueBeforeMs),
            queue("queue: by state, due soon", state: state, due: dueBeforeMs),
            queue("queue: overdue", overdue: true),
            queue("queue: newest submitted", order: .submittedNewest),
            queue("queue: newest submitted, later page", after: newest, order: .submittedNewest),
            queue("queue: by state, oldest submitted", state: state, order: .submittedOldest),
            queue("queue: search by identity number", search: "001099012345"),
            queue("queue: search by receipt code", search: "\(agency)-2601"),
            queue("queue: search by name", search: "nguyen van"),
            ("queue: state counts", "SELECT state, count FROM agency_state_count WHERE agency_code = ?", [agency]),
            ("statistics: agency and year", statisticsSQL, statisticsArguments),
            ("statistics: agency, each month of the year", monthlySQL, monthlyArguments),
            ("deadline scanner: candidates", DeadlineScanner.candidatesSQL, [dueBeforeMs]),
        ]
        return try database.read { db in
            try statements.map { name, sql, arguments in
                (name: name, sql: sql, plan: try Self.plan(sql, arguments: arguments, db))
            }
        }
    }

    /// Closes the database: the last connection folds the write-ahead log into the file, so
    /// the file's size is the database's.
    public func close() throws { try database.close() }

    /// A statement's plan: SQLite's `EXPLAIN QUERY PLAN` details, or PostgreSQL's `EXPLAIN` lines.
    static func plan(_ sql: String, arguments: SQLArguments, _ db: any SQLConnection) throws -> [String] {
        switch db.backend {
        case .sqlite:
            try SQLRow.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] }
        case .postgres:
            try String.fetchAll(db, sql: "EXPLAIN " + sql, arguments: arguments)
        }
    }

    typealias HistoryEntry = (actor: String, atMs: Int64, from: DossierV1.DossierState, to: DossierV1.DossierState,
                              action: DossierV1.Action, note: String)

    /// The row a dossier has after its steps (its receipt code still to number) and its history.
    private static func replay(_ dossier: Dossier, pin pinStored: TrackingPIN.Stored) throws -> (DossierRow, [HistoryEntry]) {
        var details = DossierV1.Dossier()
        details.formData = dossier.formData
        var row = DossierRow(id: dossier.id, agencyCode: dossier.agencyCode, procedureCode: dossier.procedureCode,
                             applicantID: dossier.applicantID, channel: dossier.channel, pinSalt: Data(pinStored.salt),
                             pinHash: Data(pinStored.digest), submittedAtMs: dossier.submittedAtMs,
                             idempotencyKey: dossier.id, details: details)
        var history: [HistoryEntry] = [
            ("citizen:\(dossier.applicantID)", dossier.submittedAtMs, .unspecified, .submitted, .unspecified,
             "nộp hồ sơ trực tuyến"),
        ]
        // The same changes `DossierBook.act` makes for each action.
        for step in dossier.steps {
            let subject = DossierWorkflow.Subject(state: row.state, ownerID: row.applicantID, agencyCode: row.agencyCode,
                                                  supplementRequestedFrom: row.supplementFrom)
            let command = DossierWorkflow.Command(step.action, by: step.actor, reason: step.note,
                                                  missingDocuments: step.missingDocuments, feeSettled: true)
            let transition: DossierWorkflow.Transition
            do {
                transition = try DossierWorkflow.transition(command, for: subject)
            } catch {
                throw InvalidStep(description: "dossier \(dossier.id): \(step.action) from \(row.state): \(error)")
            }
            row.state = transition.to
            switch step.action {
            case .receive:
                row.receivedAtMs = step.atMs
                row.appointmentAtMs = dossier.appointmentAtMs
                guard ReceiptCode.Day(unixMs: step.atMs) != nil else {
                    throw InvalidStep(description: "dossier \(dossier.id): receipt time out of range")
                }
            case .refuseReception, .refuse, .withdraw:
                row.details.reason = step.note
            case .startProcessing:
                if case .officer(let id, _, _) = step.actor { row.assignee = id }
            case .requestSupplement:
                row.details.missingDocuments = step.missingDocuments
                row.pausedSinceMs = step.atMs
                row.supplementFrom = transition.from
            case .resubmit:
                row.details.missingDocuments = []
                row.supplementFrom = nil
                row.pausedSinceMs = nil
            case .confirmPayment:
                row.feeSettled = true
            case .approve:
                row.details.resultNote = dossier.resultNote
            default:
                break
            }
            if transition.isDecision { row.decidedAtMs = step.atMs }
            if transition.clock == .resume, step.action == .withdraw { row.pausedSinceMs = nil }
            history.append((step.actor.historyName, step.atMs, transition.from, transition.to, step.action, step.note))
        }
        row.pausedMinutes = dossier.pausedMinutes
        row.overdue = dossier.overdue
        row.version = UInt64(1 + dossier.steps.count)
        return (row, history)
    }

    /// Numbers the receipt codes of the batch's received dossiers, in batch order: one
    /// statement per agency and local day, taking that many numbers of its sequence at once.
    private static func issueReceiptCodes(_ rows: inout [DossierRow], histories: [[HistoryEntry]],
                                          _ db: any SQLConnection) throws {
        var wanted: [String: [Int]] = [:]  // "agency|day" → indexes of rows, in order
        var order: [String] = []
        for (index, row) in rows.enumerated() {
            guard let received = histories[index].first(where: { $0.action == .receive })?.atMs,
                  let day = ReceiptCode.Day(unixMs: received) else { continue }
            let key = "\(row.agencyCode)|\(day.stamp)"
            if wanted[key] == nil { order.append(key) }
            wanted[key, default: []].append(index)
        }
        for key in order {
            let indexes = wanted[key]!
            let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
            let last = try Int.fetchOne(db, sql: """
                INSERT INTO receipt_sequence (agency_code, day, last) VALUES (?, ?, ?)
                ON CONFLICT (agency_code, day) DO UPDATE SET last = receipt_sequence.last + excluded.last
                RETURNING last
                """, arguments: [parts[0], parts[1], indexes.count]) ?? indexes.count
            for (offset, index) in indexes.enumerated() {
                let received = histories[index].first(where: { $0.action == .receive })!.atMs
                let day = ReceiptCode.Day(unixMs: received)!
                let sequence = last - indexes.count + 1 + offset
                rows[index].receiptCode = try ReceiptCode(agencyCode: rows[index].agencyCode, day: day, sequence: sequence).description
            }
        }
    }

    /// Rows per multi-row INSERT: well under both backends' limit on parameters (SQLite's
    /// 32766, PostgreSQL's 65535) at 24 a dossier.
    static let rowsPerStatement = 500

    private static func insert(rows: [DossierRow], dossiers: [Dossier], histories: [[HistoryEntry]],
                               _ db: any SQLConnection) throws {
        try DossierRow.insertAll(rows, db)
        var attachments: [SQLArguments] = []
        var entries: [SQLArguments] = []
        for (index, dossier) in dossiers.enumerated() {
            for (position, file) in dossier.attachments.enumerated() {
                attachments.append([UUID().uuidString.lowercased(), dossier.id, position, file.name, file.mediaType,
                                    file.sizeBytes, file.sha256Hex])
            }
            for (sequence, entry) in histories[index].enumerated() {
                entries.append([dossier.id, sequence + 1, entry.actor, "", entry.atMs, entry.from.rawValue, entry.to.rawValue,
                                entry.action.rawValue, entry.note])
            }
        }
        try insertMany("INSERT INTO attachment (id, dossier_id, position, name, media_type, size_bytes, sha256_hex) VALUES",
                       attachments, db)
        try insertMany("""
            INSERT INTO history (dossier_id, sequence, actor, api_key, at_ms, from_state, to_state, action, note) VALUES
            """, entries, db)
    }

    /// `insert` followed by the rows' value lists, in statements of at most `rowsPerStatement` rows.
    static func insertMany(_ insert: String, _ rows: [SQLArguments], _ db: any SQLConnection) throws {
        guard let width = rows.first?.values.count else { return }
        let tuple = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + rowsPerStatement)]
            let sql = insert + " " + Array(repeating: tuple, count: chunk.count).joined(separator: ", ")
            try db.execute(sql: sql, arguments: SQLArguments(chunk.flatMap(\.values)))
            start += chunk.count
        }
    }
}
