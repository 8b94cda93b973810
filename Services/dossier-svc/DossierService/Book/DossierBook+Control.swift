import DVCProto
import OneStop
import Foundation
import RPCCore
import ServiceClients
import Storage

extension DossierBook {
    /// Keeps the dossier's processing-control slip (Mẫu số 05 of 2018, 06 of 2025) in step with
    /// its history: the slip is numbered when the dossier is received and re-rendered, under the
    /// same number and issue date, in the transaction of every later step, so the kept copy
    /// always lists every handover up to now.
    func refreshProcessingControl(row: DossierRow, context: DocumentContext, atMs: Int64, _ db: any SQLConnection) throws {
        guard let receiptCode = row.receiptCode else { return }
        let form = formNumber(.processingControl)
        // The slip of the set in force: a dossier received under the other set gets a new one
        // (its old slip stays, under its own circular).
        let existing = try SQLRow.fetchOne(db, sql: """
            SELECT number, issued_at_ms FROM document WHERE dossier_id = ? AND form = ? AND circular = ?
            """, arguments: [row.id, form, forms.circular])
        let issuedAtMs: Int64 = existing?["issued_at_ms"] ?? atMs
        let issuedAt = Date(timeIntervalSince1970: Double(issuedAtMs) / 1000)
        let sequence: Int
        if let number = existing.flatMap({ DocumentNumber($0["number"] as String) }) {
            sequence = number.sequence
        } else {
            sequence = try Sequences.nextDocument(agency: (context.controlAgency ?? context.agency).code, form: form,
                                                  year: VietnameseDateFormat.year(of: issuedAt), db)
        }
        let receiptNumber = try String.fetchOne(db, sql: """
            SELECT number FROM document WHERE dossier_id = ? AND form = ? ORDER BY issued_at_ms LIMIT 1
            """, arguments: [row.id, formNumber(.receipt)]) ?? ""
        let date = { (ms: Int64?) in Date(timeIntervalSince1970: Double(ms ?? atMs) / 1000) }
        var slip = OneStopDocuments.ProcessingControl(
            agency: context.controlAgency ?? context.agency, sequence: sequence, issuedAt: issuedAt, receiptCode: receiptCode,
            receiptNumber: receiptNumber, applicant: Self.applicant(row), procedure: context.procedure,
            receivedAt: date(row.receivedAtMs), appointmentAt: date(row.appointmentAtMs),
            steps: try DossierQueries.history(row.id, db).map { OneStopDocuments.ProcessingControl.Step($0) }, forms: forms
        ).dossierDocument()
        // Each rendering is signed anew: a new verification code, the previous one replaced.
        try signIssued(&slip, row: row, issuer: context.controlAgency ?? context.agency, atMs: atMs, db)
        if existing == nil {
            try db.execute(sql: """
                INSERT INTO document (dossier_id, form, circular, number, issued_at_ms, media_type, content) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [row.id, slip.form, slip.circular, slip.number, slip.issuedAtUnixMs, slip.mediaType, slip.content])
        } else {
            try db.execute(sql: "UPDATE document SET content = ? WHERE number = ?", arguments: [slip.content, slip.number])
        }
    }

    /// The agency's tracking book (Mẫu số 06 of 2018, 07 of 2025) for a local year: every
    /// dossier it received that year, in the order received. The book is a register, not a
    /// letter: one book per agency and year, always number 1, rendered from the data when asked.
    func trackingBook(_ request: DossierV1.TrackingBookRequest, for actor: DossierActor,
                      options: CallOptions) async throws -> DossierV1.DossierDocument {
        guard !request.agencyCode.isEmpty else { throw RPCError.invalidArgument(field: "agency_code", "required") }
        switch actor {
        case .officer(_, let agency, _), .agencySystem(let agency):
            guard agency == request.agencyCode else {
                throw RPCError(.permissionDenied, "\(actor) of \(agency) may not read the tracking book of \(request.agencyCode)")
            }
        case .system:
            break
        case .citizen:
            throw RPCError(.permissionDenied, "the tracking book is for the agency's officers")
        }
        let now = Date()
        let year = request.year == 0 ? VietnameseDateFormat.year(of: now) : Int(request.year)
        guard (2000...2099).contains(year) else { throw RPCError.invalidArgument(field: "year", "must be 2000 to 2099") }
        let (since, until) = (Self.newYearUnixMs(year), Self.newYearUnixMs(year + 1))
        let agency = request.agencyCode
        let (rows, returned) = try await database.read { db in
            (try DossierQueries.received(agency: agency, sinceMs: since, untilMs: until, db),
             try DossierQueries.resultReturnedAt(agency: agency, db))
        }
        var getAgency = CatalogV1.GetAgencyRequest()
        getAgency.code = agency
        let agencyName = try await catalog.unary(CatalogV1.CatalogService.getAgency, getAgency, options: options).name
        var procedureNames: [String: String] = [:]
        for code in Set(rows.map { $0.procedureCode }) {
            procedureNames[code] = try? await catalogCache.procedure(code, options: options).name
        }
        let entries = rows.map { row in
            OneStopDocuments.TrackingBook.Entry(
                Self.view(row, attachments: [], documents: []),
                applicantName: Self.applicant(row).name,
                procedureName: procedureNames[row.procedureCode] ?? row.procedureCode,
                returnedAt: returned[row.id].map { VietnameseDateFormat.instant(unixMilliseconds: $0) })
        }
        return OneStopDocuments.TrackingBook(
            agency: OneStopDocuments.Agency(name: agencyName, code: agency), sequence: 1,
            issuedAt: year == VietnameseDateFormat.year(of: now) ? now : Date(timeIntervalSince1970: Double(until - 1) / 1000),
            period: "Năm \(year)", entries: entries, forms: forms
        ).dossierDocument()
    }

    /// An attachment or the result document of a dossier the actor may see, with its bytes.
    /// The file, with the dossier it belongs to (what the access log records it under).
    func file(_ request: DossierV1.GetFileRequest, for actor: DossierActor) async throws -> (dossier: DossierV1.Dossier, file: DossierV1.File) {
        guard !request.fileId.isEmpty else { throw RPCError.invalidArgument(field: "file_id", "required") }
        let dossier = try await get(id: request.dossierId, for: actor)
        var file = DossierV1.File()
        if let attachment = dossier.attachments.first(where: { $0.id == request.fileId }) {
            file.id = attachment.id
            file.name = attachment.name
            file.mediaType = attachment.mediaType
            file.sha256Hex = attachment.sha256Hex
        } else if let result = dossier.resultDocument, result.id == request.fileId {
            file.id = result.id
            file.name = result.name
            file.mediaType = result.mediaType
            file.sha256Hex = result.sha256Hex
            file.isResult = true
        } else {
            throw RPCError(.notFound, "dossier \(request.dossierId) has no file \(request.fileId)")
        }
        let sha = file.sha256Hex
        file.content = try await storeFiles { store in try store.read(sha256: sha) }
        return (dossier, file)
    }
}
