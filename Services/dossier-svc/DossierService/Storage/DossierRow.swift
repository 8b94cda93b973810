import DVCProto
import Foundation
import OneStop
import Storage

/// One row of the `dossier` table: the columns the service queries on, plus the dossier's
/// details as a protobuf record.
struct DossierRow: Sendable, Equatable, SQLRecord {
    var id: String
    var agencyCode: String
    var procedureCode: String
    var applicantID: String
    var state: DossierV1.DossierState
    var channel: DossierV1.Channel
    var supplementFrom: DossierV1.DossierState?
    var receiptCode: String?
    var pinSalt: Data
    var pinHash: Data
    var submittedAtMs: Int64
    var receivedAtMs: Int64?
    var appointmentAtMs: Int64?
    var pausedSinceMs: Int64?
    var pausedMinutes: Int
    var decidedAtMs: Int64?
    var assignee: String
    var overdue: Bool
    var feeSettled: Bool
    var version: UInt64
    var idempotencyKey: String
    /// The receiving point when it is not the competent agency (a centre that registered a
    /// counter or postal dossier): its queue, documents and statistics show the dossier too.
    /// Kept in its own column for the centre's queue and statistics; the same value as
    /// `details.receivingAgencyCode`.
    var receivingAgency: String?
    /// Form data, missing documents, reason, result: see `DossierV1.Dossier`.
    var details: DossierV1.Dossier
    /// The position of the row's latest change in the change feed, as read (set by the
    /// database's triggers on every write, `DossierChangeFeedSchema`; 0 in a row not read back).
    var changeSeq: Int64 = 0

    static let columns = """
        id, agency_code, procedure_code, applicant_id, state, channel, supplement_from, receipt_code,
        pin_salt, pin_hash, submitted_at_ms, received_at_ms, appointment_at_ms, paused_since_ms,
        paused_minutes, decided_at_ms, assignee, overdue, fee_settled, version, idempotency_key, record,
        receiving_agency, change_seq
        """

    init(row: SQLRow) throws {
        id = row["id"]
        agencyCode = row["agency_code"]
        procedureCode = row["procedure_code"]
        applicantID = row["applicant_id"]
        state = DossierV1.DossierState(rawValue: row["state"])
        channel = DossierV1.Channel(rawValue: row["channel"])
        supplementFrom = (row["supplement_from"] as Int32?).map(DossierV1.DossierState.init(rawValue:))
        receiptCode = row["receipt_code"]
        pinSalt = row["pin_salt"]
        pinHash = row["pin_hash"]
        submittedAtMs = row["submitted_at_ms"]
        receivedAtMs = row["received_at_ms"]
        appointmentAtMs = row["appointment_at_ms"]
        pausedSinceMs = row["paused_since_ms"]
        pausedMinutes = row["paused_minutes"]
        decidedAtMs = row["decided_at_ms"]
        assignee = row["assignee"]
        overdue = row["overdue"]
        feeSettled = row["fee_settled"]
        version = UInt64(row["version"] as Int64)
        idempotencyKey = row["idempotency_key"]
        details = try DossierV1.Dossier(protobuf: row["record"] as Data)
        receivingAgency = row["receiving_agency"]
        changeSeq = row["change_seq"]
    }

    init(
        id: String, agencyCode: String, procedureCode: String, applicantID: String,
        channel: DossierV1.Channel, pinSalt: Data, pinHash: Data, submittedAtMs: Int64,
        idempotencyKey: String, details: DossierV1.Dossier, receivingAgency: String? = nil
    ) {
        self.id = id
        self.agencyCode = agencyCode
        self.procedureCode = procedureCode
        self.applicantID = applicantID
        self.state = .submitted
        self.channel = channel
        self.supplementFrom = nil
        self.receiptCode = nil
        self.pinSalt = pinSalt
        self.pinHash = pinHash
        self.submittedAtMs = submittedAtMs
        self.receivedAtMs = nil
        self.appointmentAtMs = nil
        self.pausedSinceMs = nil
        self.pausedMinutes = 0
        self.decidedAtMs = nil
        self.assignee = ""
        self.overdue = false
        self.feeSettled = false
        self.version = 1
        self.idempotencyKey = idempotencyKey
        self.details = details
        self.receivingAgency = receivingAgency
    }

    /// The columns every release since `dossier.v3.scale` has; `insert` writes these only, so
    /// the migration tests can store rows as an earlier release did.
    private static let insertedColumns = """
        id, agency_code, procedure_code, applicant_id, state, channel, supplement_from, receipt_code,
        pin_salt, pin_hash, submitted_at_ms, received_at_ms, appointment_at_ms, paused_since_ms,
        paused_minutes, decided_at_ms, assignee, overdue, fee_settled, version, idempotency_key, record
        """

    var arguments: SQLArguments {
        [id, agencyCode, procedureCode, applicantID, state.rawValue, channel.rawValue, supplementFrom?.rawValue,
         receiptCode, pinSalt, pinHash, submittedAtMs, receivedAtMs, appointmentAtMs, pausedSinceMs,
         pausedMinutes, decidedAtMs, assignee, overdue, feeSettled, Int64(version), idempotencyKey,
         details.protobufData]
    }

    private static let insertSQL =
        "INSERT INTO dossier (\(insertedColumns)) VALUES (\(Array(repeating: "?", count: 22).joined(separator: ", ")))"

    func insert(_ db: any SQLConnection) throws {
        // Cached statements: compiling (and GRDB's authorizer pass) costs more than running them.
        try db.execute(sql: Self.insertSQL, arguments: arguments)
    }

    /// Every agency that has a part in the dossier and may read it: the one holding it, the
    /// receiving point, the centre chosen for the result, the agencies it was transferred
    /// from, and every step's agency of an inter-agency dossier (each sees the handoff).
    var involvedAgencies: Set<String> {
        var agencies: Set<String> = [agencyCode]
        if let receivingAgency { agencies.insert(receivingAgency) }
        if let back = details.resultReturn, back.method == .atCentre { agencies.insert(back.agencyCode) }
        for handoff in details.handoffs { agencies.formUnion([handoff.fromAgencyCode, handoff.toAgencyCode]) }
        for step in details.groupSteps { agencies.insert(step.agencyCode) }
        agencies.remove("")
        return agencies
    }

    /// The reception desks besides the agency holding it: the receiving centre and the centre
    /// chosen for the result (`DossierWorkflow.Subject.deskAgencies`).
    var deskAgencies: Set<String> {
        var desks: Set<String> = []
        if let receivingAgency { desks.insert(receivingAgency) }
        if let back = details.resultReturn, back.method == .atCentre, !back.agencyCode.isEmpty { desks.insert(back.agencyCode) }
        return desks
    }

    /// Moves the dossier to another agency (a transfer, or an inter-agency dossier's next
    /// step), recording the handoff that both agencies see; the new agency assigns its own officer.
    mutating func handOver(to agency: String, by actor: DossierActor, action: DossierV1.Action, note: String, atMs: Int64) {
        var handoff = DossierV1.AgencyHandoff()
        handoff.fromAgencyCode = agencyCode
        handoff.toAgencyCode = agency
        handoff.atUnixMs = atMs
        handoff.by = actor.historyName
        handoff.note = note
        handoff.action = action
        details.handoffs.append(handoff)
        agencyCode = agency
        assignee = ""
        if action == .transfer, !details.groupSteps.isEmpty, details.currentStep > 0 {
            details.groupSteps[Int(details.currentStep) - 1].agencyCode = agency
        }
    }

    /// An inter-agency dossier's current step: started now at `agencyCode`, due at the appointment.
    mutating func startCurrentStep(atMs: Int64) {
        let index = Int(details.currentStep) - 1
        guard details.groupSteps.indices.contains(index) else { return }
        details.groupSteps[index].agencyCode = agencyCode
        details.groupSteps[index].startedAtUnixMs = atMs
        details.groupSteps[index].dueAtUnixMs = appointmentAtMs ?? 0
    }

    /// Marks the current step done and, when there is one, moves to the next.
    mutating func completeCurrentStep(by actor: DossierActor, atMs: Int64) {
        let index = Int(details.currentStep) - 1
        guard details.groupSteps.indices.contains(index) else { return }
        details.groupSteps[index].completedAtUnixMs = atMs
        details.groupSteps[index].completedBy = actor.historyName
        if index + 1 < details.groupSteps.count { details.currentStep += 1 }
    }

    /// The applicant's name as searches compare it (`ApplicantName.searchKey`).
    var applicantNameKey: String { ApplicantName.searchKey(ApplicantName.of(details.formData)) }

    /// The insert with what later migrations added: the receiving point
    /// (`dossier.v7.receiving-point`) and the searchable applicant name
    /// (`dossier.v8.console-and-indicators`), in one statement so the statistics triggers run
    /// once per new dossier.
    private static let insertAllSQL = """
        INSERT INTO dossier (\(insertedColumns), receiving_agency, applicant_name)
        VALUES (\(Array(repeating: "?", count: 24).joined(separator: ", ")))
        """

    /// Inserts the row with every column of the current schema; `insert` alone writes a row as
    /// the releases before v7 did, which the migration tests rely on.
    func insertAll(_ db: any SQLConnection) throws {
        var all = arguments
        all += [receivingAgency, applicantNameKey]
        try db.execute(sql: Self.insertAllSQL, arguments: all)
    }

    /// Inserts many rows as `insertAll` does, in multi-row statements (the bulk loader).
    static func insertAll(_ rows: [DossierRow], _ db: any SQLConnection) throws {
        try DossierBulkLoader.insertMany("INSERT INTO dossier (\(insertedColumns), receiving_agency, applicant_name) VALUES",
                                         rows.map { $0.arguments + [$0.receivingAgency, $0.applicantNameKey] }, db)
    }

    /// Writes the row if it is still at `expectedVersion`, bumping the version; false when
    /// someone else changed it first (the caller answers ABORTED). The overdue flag is not
    /// written: the deadline scanner owns it, and an action must not clear it from a stale read.
    func update(expectedVersion: UInt64, _ db: any SQLConnection) throws -> Bool {
        var next = self
        next.version = expectedVersion + 1
        try db.execute(sql: """
            UPDATE dossier SET state = ?, supplement_from = ?, receipt_code = ?, received_at_ms = ?,
                appointment_at_ms = ?, paused_since_ms = ?, paused_minutes = ?, decided_at_ms = ?, assignee = ?,
                fee_settled = ?, version = ?, record = ?, agency_code = ?, procedure_code = ?, applicant_name = ?
            WHERE id = ? AND version = ?
            """, arguments: [next.state.rawValue, next.supplementFrom?.rawValue, next.receiptCode, next.receivedAtMs,
                             next.appointmentAtMs, next.pausedSinceMs, next.pausedMinutes, next.decidedAtMs,
                             next.assignee, next.feeSettled, Int64(next.version),
                             next.details.protobufData, agencyCode, procedureCode, next.applicantNameKey, id, Int64(expectedVersion)])
        return db.changesCount == 1
    }

    static func fetch(id: String, _ db: any SQLConnection) throws -> DossierRow? {
        try DossierRow.fetchOne(db, sql: "SELECT \(columns) FROM dossier WHERE id = ?", arguments: [id])
    }

    static func fetch(applicant: String, idempotencyKey: String, _ db: any SQLConnection) throws -> DossierRow? {
        try DossierRow.fetchOne(db, sql: "SELECT \(columns) FROM dossier WHERE applicant_id = ? AND idempotency_key = ?",
                                arguments: [applicant, idempotencyKey])
    }

    static func fetch(receiptCode: String, _ db: any SQLConnection) throws -> DossierRow? {
        try DossierRow.fetchOne(db, sql: "SELECT \(columns) FROM dossier WHERE receipt_code = ?", arguments: [receiptCode])
    }
}
