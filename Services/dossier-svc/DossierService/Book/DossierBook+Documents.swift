import DVCProto
import OneStop
import Foundation
import RPCCore
import ServiceClients
import Storage

extension DossierBook {
    /// What the one-stop documents of a dossier print about its agency, procedure and
    /// applicant, fetched from catalog-svc before the transaction that issues them.
    struct DocumentContext: Sendable {
        var agency: OneStopDocuments.Agency
        var procedure: OneStopDocuments.Procedure
        var processingTime: String
        /// The agency of the processing-control slip: whoever numbered it on receipt (the
        /// receiving centre, or the agency then holding it) keeps it through transfers and steps,
        /// so the kept copy is re-rendered under the same number.
        var controlAgency: OneStopDocuments.Agency? = nil
    }

    /// - Parameter issuer: the receiving centre when it issues the document (a desk step it took
    ///   for the competent agency); nil for the agency holding the dossier.
    func documentContext(_ row: DossierRow, issuer: String? = nil, options: CallOptions) async throws -> DocumentContext {
        var context = try await issuingContext(row, issuer: issuer, options: options)
        let control = try await database.read { db in
            try String.fetchOne(db, sql: "SELECT number FROM document WHERE dossier_id = ? AND form = ? AND circular = ?",
                                arguments: [row.id, self.formNumber(.processingControl), self.forms.circular])
        }.flatMap(DocumentNumber.init)?.agencyCode
        if let control, control != context.agency.code {
            let name = (try? await agency(control, options: options).name) ?? control
            context.controlAgency = OneStopDocuments.Agency(name: name, code: control)
        }
        return context
    }

    private func issuingContext(_ row: DossierRow, issuer: String?, options: CallOptions) async throws -> DocumentContext {
        let names = try await catalogCache.level(agency: row.agencyCode, procedure: row.procedureCode, options: options)
        if let issuer {
            let centre = try await agency(issuer, options: options)
            let procedure = try await catalogCache.procedure(row.procedureCode, options: options)
            return DocumentContext(agency: OneStopDocuments.Agency(name: centre.name, code: issuer),
                                   procedure: OneStopDocuments.Procedure(code: row.procedureCode, name: names.procedureName),
                                   processingTime: Self.processingTime(procedure))
        }
        let procedure = try await catalogCache.procedure(row.procedureCode, options: options)
        return DocumentContext(
            agency: OneStopDocuments.Agency(name: names.agencyName, code: row.agencyCode),
            procedure: OneStopDocuments.Procedure(code: row.procedureCode, name: names.procedureName),
            processingTime: Self.processingTime(procedure))
    }

    static func processingTime(_ procedure: CatalogV1.Procedure) -> String {
        let days = procedure.processingWorkingDays
        let hours = procedure.processingWorkingHours
        return days > 0 ? String(format: "%02d ngày làm việc", days) : (hours > 0 ? "\(hours) giờ làm việc" : "")
    }

    /// The applicant as the documents name them: the name the form carries, else the
    /// identity number.
    static func applicant(_ row: DossierRow) -> OneStopDocuments.Applicant {
        let form = row.details.formData
        let name = form["ho_ten"] ?? form["ho_ten_nguoi_yeu_cau"] ?? form["ho_ten_nguoi_nop"] ?? ""
        return OneStopDocuments.Applicant(name: name.isEmpty ? "Công dân \(row.applicantID)" : name,
                                          identityNumber: row.applicantID, phone: form["so_dien_thoai"] ?? "",
                                          email: form["email"] ?? "")
    }

    /// The number of `form` in the set documents are issued on.
    func formNumber(_ form: OneStopForm) -> String {
        guard let number = forms.number(of: form) else { preconditionFailure("\(form) is not a form of \(forms.citation)") }
        return number
    }

    /// The document an action issues (01 on receipt, 02 on a supplement request, 03 on a
    /// refusal at reception, 04 with an apology and a new date; under the 2025 set, 05 when the
    /// citizen withdraws a dossier already received: Decree 118/2025/NĐ-CP Điều 21), numbered
    /// from the agency's sequence of the form's number in the same transaction and kept with
    /// the dossier.
    func issueDocument(for action: DossierV1.Action, row: DossierRow, actor: DossierActor,
                       context: DocumentContext, atMs: Int64, previousAppointmentMs: Int64? = nil,
                       _ db: any SQLConnection) throws {
        let issuedAt = Date(timeIntervalSince1970: Double(atMs) / 1000)
        let year = VietnameseDateFormat.year(of: issuedAt)
        let applicant = Self.applicant(row)
        let officer: String = if case .officer(let id, _, _) = actor { id } else { "" }
        // The issuing agency's own numbering: the centre's for a desk step it took.
        let issuerCode = context.agency.code
        let submittedAt = Date(timeIntervalSince1970: Double(row.submittedAtMs) / 1000)
        var document: DossierV1.DossierDocument
        switch action {
        case .receive:
            let sequence = try Sequences.nextDocument(agency: issuerCode, form: formNumber(.receipt), year: year, db)
            let attachments = try Self.attachments(of: row.id, db)
            document = OneStopDocuments.Receipt(
                agency: context.agency, sequence: sequence, issuedAt: issuedAt, receiptCode: row.receiptCode ?? "",
                applicant: applicant, procedure: context.procedure,
                documents: attachments.map(OneStopDocuments.Receipt.ReceivedDocument.init), processingTime: context.processingTime,
                receivedAt: issuedAt,
                appointmentAt: Date(timeIntervalSince1970: Double(row.appointmentAtMs ?? atMs) / 1000),
                channel: row.channel, receiverName: officer, forms: forms
            ).dossierDocument()
        case .requestSupplement:
            let sequence = try Sequences.nextDocument(agency: issuerCode, form: formNumber(.supplementRequest), year: year, db)
            document = OneStopDocuments.SupplementRequest(
                agency: context.agency, sequence: sequence, issuedAt: issuedAt, receiptCode: row.receiptCode ?? "",
                applicant: applicant, procedure: context.procedure, submittedAt: submittedAt,
                missing: row.details.missingDocuments, reason: row.details.reason, officerName: officer, forms: forms
            ).dossierDocument()
        case .refuseReception:
            let sequence = try Sequences.nextDocument(agency: issuerCode, form: formNumber(.refusal), year: year, db)
            document = OneStopDocuments.Refusal(
                agency: context.agency, sequence: sequence, issuedAt: issuedAt, receiptCode: row.receiptCode ?? "",
                applicant: applicant, procedure: context.procedure, submittedAt: submittedAt,
                reason: row.details.reason, officerName: officer, forms: forms
            ).dossierDocument()
        case .apologize:
            let sequence = try Sequences.nextDocument(agency: issuerCode, form: formNumber(.apology), year: year, db)
            let date = { (ms: Int64?) in Date(timeIntervalSince1970: Double(ms ?? atMs) / 1000) }
            document = OneStopDocuments.Apology(
                agency: context.agency, sequence: sequence, issuedAt: issuedAt, receiptCode: row.receiptCode ?? "",
                applicant: applicant, procedure: context.procedure, receivedAt: date(row.receivedAtMs),
                appointmentAt: date(previousAppointmentMs), reason: row.details.reason,
                newAppointmentAt: date(row.appointmentAtMs), signerName: officer, forms: forms
            ).dossierDocument()
        case .withdraw:
            // Only a dossier already received is "stopped"; before reception nothing was taken
            // on. The 2018 set has no such notice.
            guard forms == .circular2025, let receiptCode = row.receiptCode, let receivedAtMs = row.receivedAtMs else { return }
            let sequence = try Sequences.nextDocument(agency: issuerCode, form: formNumber(.stopNotice), year: year, db)
            document = OneStopDocuments.StopNotice(
                agency: context.agency, sequence: sequence, issuedAt: issuedAt, receiptCode: receiptCode,
                applicant: applicant, procedure: context.procedure,
                receivedAt: Date(timeIntervalSince1970: Double(receivedAtMs) / 1000), requestedAt: issuedAt,
                reason: row.details.reason
            ).dossierDocument()
        default:
            return
        }
        try signIssued(&document, row: row, issuer: context.agency, atMs: atMs, db)
        try db.execute(sql: """
            INSERT INTO document (dossier_id, form, circular, number, issued_at_ms, media_type, content) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [row.id, document.form, document.circular, document.number, atMs, document.mediaType, document.content])
    }

    /// Signs a document as issued, its verification QR code printed on it first
    /// (`DocumentSignatures.signDocument`), in the transaction that issues it.
    func signIssued(_ document: inout DossierV1.DossierDocument, row: DossierRow, issuer: OneStopDocuments.Agency,
                    atMs: Int64, _ db: any SQLConnection) throws {
        guard let signatures else { return }
        let title = forms.form(number: document.form).map { forms.name(of: $0) } ?? ""
        try signatures.signDocument(&document, title: title, dossierID: row.id, receiptCode: row.receiptCode ?? "",
                                    issuer: DocumentSignatures.Issuer(code: issuer.code, name: issuer.name), atMs: atMs, db)
    }
}
