import Crypto
import DVCProto
import OneStop
import Foundation
import Logging
import NIOPosix
import RPCCore
import ServiceClients
import Storage

/// The book of dossiers: submission, actions, tracking and queries, on the service's database
/// and attachment store, with catalog-svc for what a procedure requires and when it is due.
///
/// Every change is one transaction: the dossier row (checked against the version its actor
/// saw), its history entry, the documents it issues and its event in the outbox; attachment
/// files are durable on disk before that transaction references them.
final class DossierBook: Sendable {
    let database: ServiceDatabase
    let attachments: AttachmentStore
    let catalog: any RPCClientProtocol
    let catalogCache: CatalogCache
    /// Threads for attachment files: reading and writing them blocks, which Swift's
    /// cooperative pool (one thread per core) must never do. The flush that makes them durable
    /// is shared (`AttachmentStore.makeDurable`), so a few threads are enough.
    private let fileThreads: NIOThreadPool
    /// Submissions commit in groups: one WAL flush for everyone waiting.
    private let submissions: GroupCommit
    /// The key's bytes (SymmetricKey is not Sendable); immutable once loaded.
    private let pinKeyBytes: Data
    /// Failed tracking PINs per receipt code and per client address.
    let trackingLockout: TrackingLockout
    /// The one-stop forms documents are issued on (setting `one_stop_forms`).
    let forms: OneStopFormSet
    /// How long drafts live and how much a citizen may keep (`DraftSettings`).
    let drafts: DraftSettings
    let logger: Logger

    /// Where dossier events go: the outbox destinations that consume them. notify-svc always;
    /// `national-portal-sync` too when the deployment connects to the national portal
    /// (setting `national_portal_sync`, docs/national-portal.md).
    let eventDestinations: [String]

    /// The signatures of every document and result issued (docs/signatures.md). The service
    /// always has them (the demo CA without `signing_dir`); nil only in tests of the book alone.
    let signatures: DocumentSignatures?

    init(database: ServiceDatabase, attachments: AttachmentStore, catalog: any RPCClientProtocol,
         trackingLockout: TrackingLockout = TrackingLockout(), forms: OneStopFormSet = .circular2025,
         eventDestinations: [String] = ["notify-svc"], signatures: DocumentSignatures? = nil,
         drafts: DraftSettings = DraftSettings(), logger: Logger) throws {
        self.drafts = drafts
        self.eventDestinations = eventDestinations
        self.signatures = signatures
        self.database = database
        self.attachments = attachments
        self.catalog = catalog
        self.catalogCache = CatalogCache(catalog: catalog)
        self.fileThreads = NIOThreadPool(numberOfThreads: 4)
        self.submissions = GroupCommit(database: database)
        self.fileThreads.start()
        self.logger = logger
        self.trackingLockout = trackingLockout
        self.forms = forms
        self.pinKeyBytes = try Self.loadKey(database)
    }

    /// The key tracking PINs are derived from: made once, kept in the database.
    static func loadKey(_ database: ServiceDatabase) throws -> Data {
        try database.write { db in
            if let existing = try Data.fetchOne(db, sql: "SELECT key FROM service_key WHERE id = 1") {
                return existing
            }
            let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
            try db.execute(sql: "INSERT INTO service_key (id, key) VALUES (1, ?)", arguments: [bytes])
            return bytes
        }
    }

    /// A dossier's tracking PIN, derived from its id, so a retried submission can show the
    /// citizen the same PIN again although only its salted digest is stored.
    func pin(for dossierID: String) -> TrackingPIN { Self.pin(for: dossierID, key: pinKeyBytes) }

    /// The derivation itself, shared with `DossierBulkLoader` so loaded dossiers track alike.
    static func pin(for dossierID: String, key: Data) -> TrackingPIN {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(dossierID.utf8), using: SymmetricKey(data: key))
        let digits = mac.prefix(TrackingPIN.defaultLength).map { String($0 % 10) }.joined()
        return TrackingPIN(digits)!
    }

    // MARK: - Submission

    /// - Parameter alongside: more work for the submission's own transaction, given the
    ///   dossier's row (made now, or found as the same submission made earlier with the same
    ///   idempotency key): what submitting a draft does to the draft (`submitDraft`). If it
    ///   throws, nothing of the submission is written.
    func submit(_ request: DossierV1.SubmitDossierRequest, actor: DossierActor,
                context: ServerContext,
                alongside: (@Sendable (DossierRow, any SQLConnection) throws -> Void)? = nil) async throws -> DossierV1.SubmitDossierResponse {
        let intake = try DossierIntake(request, actor: actor)
        let applicant = intake.applicant
        let idempotencyKey = try IdempotencyKey.required(context, for: "submit")
        let apiKey = try ActingAPIKey.of(context)
        // A retry of a submission that succeeded returns the same dossier: found inside the
        // transaction below (retries are rare; a read here would cost every submission a trip
        // to the database).

        var violations: [FieldViolation] = []
        if request.agencyCode.isEmpty { violations.append(FieldViolation(field: "agency_code", description: "required")) }
        if request.procedureCode.isEmpty { violations.append(FieldViolation(field: "procedure_code", description: "required")) }
        if request.attachments.count > 20 { violations.append(FieldViolation(field: "attachments", description: "at most 20 files")) }
        if request.reusedDocuments.count > 20 {
            violations.append(FieldViolation(field: "reused_documents", description: "at most 20 documents"))
        }
        guard violations.isEmpty else { throw RPCError(.invalidArgument, "incomplete submission", violations: violations) }

        let options = context.downstreamOptions(CallOptions(idempotent: true))
        let level = try await catalogCache.level(agency: request.agencyCode, procedure: request.procedureCode, options: options)
        if intake.registeredBy.isEmpty {
            // Online, the procedure must be offered online (một phần or above) at that agency.
            try ServiceLevel.online.require(of: level, agency: request.agencyCode, procedure: request.procedureCode,
                                            doing: "online submission")
        } else {
            // At the counter or by post, any procedure the agency publishes (level 1 to 4): every
            // dossier the one-stop office handles is in the system of record.
            try ServiceLevel.information.require(of: level, agency: request.agencyCode, procedure: request.procedureCode,
                                                 doing: "registering a dossier at the counter")
            try await requireReceivesFor(centre: intake.deskAgency, competent: request.agencyCode, options: options)
        }
        let resultReturn = try await checkedReturn(request, deskAgency: intake.deskAgency, levelAnswer: level, options: options)
        let procedure = try await catalogCache.procedure(request.procedureCode, options: options)
        let formData = try FormDataValidator(procedure: procedure).validate(request.formData)
        let reused = try await reusable(request.reusedDocuments, applicant: applicant)
        let papers = try RequiredDocuments(procedure: procedure).check(attachments: request.attachments.map(\.requiredDocument),
                                                                       reused: request.reusedDocuments.map(\.requiredDocument))
        let group = try await startingGroup(request, options: options)

        // Files first, durably; the row that references them commits after.
        let uploads = request.attachments
        let now = UnixMillis.now()
        let stored = try await storeDurably(uploads).enumerated().map { index, file in
            var described = intake.describe(file.proto, upload: uploads[index], atMs: now)
            described.requiredDocument = papers[index]
            return described
        } + reused

        let id = UUID().uuidString.lowercased()
        let pin = pin(for: id)
        let pinStored = pin.stored()
        var details = DossierV1.Dossier()
        details.formData = formData
        details.receivingAgencyCode = intake.deskAgency
        details.registeredBy = intake.registeredBy
        details.resultReturn = resultReturn
        if let group {
            details.groupCode = group.code
            details.groupSteps = Self.dossierSteps(group, firstAgency: request.agencyCode)
            details.currentStep = 1
        }
        let receiving = intake.deskAgency.isEmpty || intake.deskAgency == request.agencyCode ? nil : intake.deskAgency
        let row = DossierRow(id: id, agencyCode: request.agencyCode, procedureCode: request.procedureCode,
                             applicantID: applicant, channel: intake.channel,
                             pinSalt: Data(pinStored.salt), pinHash: Data(pinStored.digest), submittedAtMs: now,
                             idempotencyKey: idempotencyKey, details: details, receivingAgency: receiving)
        let traceparent = context.trace.child().traceparent
        let (committed, created): (DossierRow, Bool) = try await submissions.write { db in
            // Two retries racing: the second finds the first's row (in the same batch too).
            if let existing = try DossierRow.fetch(applicant: applicant, idempotencyKey: idempotencyKey, db) {
                // A retry is the same submission again; a key reused for another (a corrected
                // form, other files) would silently return the first and lose the second.
                guard try Self.isSameSubmission(existing, agency: row.agencyCode, procedure: row.procedureCode,
                                                formData: formData, files: stored.map(\.sha256Hex), db) else {
                    throw RPCError(.failedPrecondition,
                                   "the idempotency key \(idempotencyKey) was already used for another submission (dossier \(existing.id)); "
                                       + "a new or corrected submission needs a new key",
                                   violations: [FieldViolation(field: MetadataKey.idempotencyKey,
                                                               description: "already used for a different submission")])
                }
                try alongside?(existing, db)
                return (existing, false)
            }
            try row.insertAll(db)
            for (position, file) in stored.enumerated() {
                try Self.insertAttachment(file, dossier: id, position: position, db)
            }
            try DossierQueries.appendHistory(id, actor: actor.historyName, apiKey: apiKey, atMs: now, from: .unspecified, to: .submitted,
                                             action: .unspecified, note: intake.historyNote, db)
            try self.enqueueEvent(type: "dossier.submitted", row: row, action: .unspecified, note: "",
                                  traceparent: traceparent, db)
            try alongside?(row, db)
            return (row, true)
        }
        guard created else { return try await response(committed) }
        logger.info("dossier submitted", metadata: ["dossier": "\(committed.id)", "request_id": "\(context.requestID)"])
        // Everything the answer shows was just written: no need to read it back.
        var response = DossierV1.SubmitDossierResponse()
        response.dossier = Self.view(committed, attachments: stored, documents: [])
        response.trackingPin = pin.digits
        return response
    }

    /// Whether a submission names the same agency, procedure, form data and files (by their
    /// SHA-256, in order) as the dossier already made with its idempotency key.
    static func isSameSubmission(_ existing: DossierRow, agency: String, procedure: String, formData: [String: String],
                                 files: [String], _ db: any SQLConnection) throws -> Bool {
        guard existing.agencyCode == agency, existing.procedureCode == procedure,
              existing.details.formData == formData else { return false }
        let kept = try String.fetchAll(db, sql: "SELECT sha256_hex FROM attachment WHERE dossier_id = ? ORDER BY position",
                                       arguments: [existing.id])
        return kept == files
    }

    private func response(_ row: DossierRow) async throws -> DossierV1.SubmitDossierResponse {
        var response = DossierV1.SubmitDossierResponse()
        response.dossier = try await dossier(row)
        response.trackingPin = pin(for: row.id).digits
        return response
    }

    /// Writes uploads on the file threads, then waits for the flush that makes them durable
    /// (shared with every submission waiting at the same moment): after this returns, a row
    /// may reference them.
    func storeDurably(_ uploads: [DossierV1.AttachmentUpload], existingSizes: [Int64] = [],
                      fieldPrefix: String = "attachments") async throws -> [StoredAttachment] {
        let stored = try await storeFiles { store in
            try store.stage(uploads, existingSizes: existingSizes, fieldPrefix: fieldPrefix)
        }
        if !stored.isEmpty { try await attachments.makeDurable() }
        return stored
    }

    /// Runs blocking attachment-store work on the file threads.
    func storeFiles<T: Sendable>(_ work: @escaping @Sendable (AttachmentStore) throws -> T) async throws -> T {
        let store = attachments
        return try await fileThreads.runIfActive { try work(store) }
    }

    // MARK: - Reading

    func dossier(_ row: DossierRow) async throws -> DossierV1.Dossier {
        let (files, documents) = try await database.read { db in
            (try Self.attachments(of: row.id, db), try Self.documents(of: row.id, db))
        }
        return Self.view(row, attachments: files, documents: documents)
    }

    /// A list's dossiers, their files and documents read in one read transaction: each
    /// document named (form, number, date) without its bytes, which GetDossier carries, so a page
    /// stays small.
    func listed(_ rows: some Collection<DossierRow> & Sendable) async throws -> [DossierV1.Dossier] {
        try await database.read { db in
            try rows.map { row in
                Self.view(row, attachments: try Self.attachments(of: row.id, db),
                          documents: try Self.documents(of: row.id, contents: false, db))
            }
        }
    }

    static func view(_ row: DossierRow, attachments: [DossierV1.Attachment], documents: [DossierV1.DossierDocument]) -> DossierV1.Dossier {
        var dossier = row.details
        dossier.id = row.id
        dossier.receiptCode = row.receiptCode ?? ""
        dossier.agencyCode = row.agencyCode
        dossier.procedureCode = row.procedureCode
        dossier.applicantId = row.applicantID
        dossier.state = row.state
        dossier.channel = row.channel
        dossier.attachments = attachments
        dossier.submittedAtUnixMs = row.submittedAtMs
        dossier.receivedAtUnixMs = row.receivedAtMs ?? 0
        dossier.appointmentAtUnixMs = row.appointmentAtMs ?? 0
        dossier.version = row.version
        dossier.assignee = row.assignee
        dossier.pausedWorkingMinutes = UInt32(row.pausedMinutes)
        dossier.documents = documents
        dossier.overdue = row.overdue
        dossier.decidedAtUnixMs = row.decidedAtMs ?? 0
        return dossier
    }

    static func attachments(of id: String, _ db: any SQLConnection) throws -> [DossierV1.Attachment] {
        try SQLRow.fetchAll(db, sql: """
            SELECT id, name, media_type, size_bytes, sha256_hex, required_document, digitised_by, digitised_at_ms, reused_from
            FROM attachment WHERE dossier_id = ? ORDER BY position
            """, arguments: [id]).map { row in
            var attachment = DossierV1.Attachment()
            attachment.id = row["id"]
            attachment.name = row["name"]
            attachment.mediaType = row["media_type"]
            attachment.sizeBytes = row["size_bytes"]
            attachment.sha256Hex = row["sha256_hex"]
            attachment.requiredDocument = row["required_document"]
            attachment.digitisedBy = row["digitised_by"]
            attachment.digitisedAtUnixMs = row["digitised_at_ms"]
            attachment.reusedFrom = row["reused_from"]
            return attachment
        }
    }

    /// One attachment row, with what it is (the required document), who confirmed its scan and
    /// where it was reused from.
    static func insertAttachment(_ file: DossierV1.Attachment, dossier: String, position: Int, _ db: any SQLConnection) throws {
        try db.execute(sql: """
            INSERT INTO attachment (id, dossier_id, position, name, media_type, size_bytes, sha256_hex,
                required_document, digitised_by, digitised_at_ms, reused_from)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [file.id, dossier, position, file.name, file.mediaType, file.sizeBytes, file.sha256Hex,
                                     file.requiredDocument, file.digitisedBy, file.digitisedAtUnixMs, file.reusedFrom])
    }

    static func documents(of id: String, contents: Bool = true, _ db: any SQLConnection) throws -> [DossierV1.DossierDocument] {
        try SQLRow.fetchAll(db, sql: """
            SELECT form, circular, number, issued_at_ms, media_type, \(contents ? "content" : db.dialect(sqlite: "X'' AS content", postgres: "'\\x'::bytea AS content")) FROM document
            WHERE dossier_id = ? ORDER BY issued_at_ms, number
            """, arguments: [id]).map { row in
            var document = DossierV1.DossierDocument()
            document.form = row["form"]
            document.circular = row["circular"]
            document.number = row["number"]
            document.issuedAtUnixMs = row["issued_at_ms"]
            document.mediaType = row["media_type"]
            document.content = row["content"]
            return document
        }
    }

    /// A dossier the caller may see: its owner, an officer of its agency, or a system.
    func get(id: String, for actor: DossierActor) async throws -> DossierV1.Dossier {
        guard let row = try await database.read({ db in try DossierRow.fetch(id: id, db) }), Self.maySee(row, actor) else {
            // The same answer for "absent" and "not yours": ids cannot be probed.
            throw RPCError(.notFound, "dossier \(id) does not exist or is not yours")
        }
        return try await dossier(row)
    }

    /// The owner; an officer or system of an agency with a part in it (the one holding it, the
    /// receiving centre, the centre returning the result, an agency it was transferred from, a
    /// step's agency: `DossierRow.involvedAgencies`); a platform service.
    static func maySee(_ row: DossierRow, _ actor: DossierActor) -> Bool {
        switch actor {
        case .citizen(let id): id == row.applicantID
        case .officer(_, let agency, _), .agencySystem(let agency): row.involvedAgencies.contains(agency)
        case .system: true
        }
    }

    func history(id: String, for actor: DossierActor) async throws -> [DossierV1.HistoryEntry] {
        _ = try await get(id: id, for: actor)
        return try await database.read { db in try DossierQueries.history(id, db) }
    }

    // MARK: - Events

    /// - Parameter traceparent: the trace of the call that caused the event (a child span of
    ///   it), so notify-svc logs its handling under the same trace id; "" for the scanner's.
    func enqueueEvent(type: String, row: DossierRow, action: DossierV1.Action, note: String,
                      traceparent: String = "", _ db: any SQLConnection) throws {
        var body = DossierV1.DossierEvent()
        body.dossier = Self.view(row, attachments: [], documents: [])
        body.action = action
        body.note = note
        var event = EventsV1.Event()
        event.type = type
        event.aggregateId = row.id
        event.source = "dossier-svc"
        event.payload = body.protobufData
        event.traceparent = traceparent
        // The connector reports only the dossiers that came from the national portal.
        let destinations = eventDestinations.filter { $0 != "national-portal-sync" || row.channel == .nationalPortal }
        _ = try Outbox.enqueue(event, to: destinations, in: db)
    }
}
