import DVCProto
import OneStop
import Foundation
import GRDB
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
        /// The agency of the processing-control slip (05): whoever numbered it on receipt (the
        /// receiving centre, or the agency then holding it) keeps it through transfers and steps,
        /// so the kept copy is re-rendered under the same number.
        var controlAgency: OneStopDocuments.Agency? = nil
    }

    /// - Parameter issuer: the receiving centre when it issues the document (a desk step it took
    ///   for the competent agency); nil for the agency holding the dossier.
    func documentContext(_ row: DossierRow, issuer: String? = nil, options: CallOptions) async throws -> DocumentContext {
        var context = try await issuingContext(row, issuer: issuer, options: options)
        let control = try await database.read { db in
            try String.fetchOne(db, sql: "SELECT number FROM document WHERE dossier_id = ? AND form = ?",
                                arguments: [row.id, OneStopForm.processingControl.rawValue])
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

    /// The document an action issues (01 on receipt, 02 on a supplement request, 03 on a
    /// refusal at reception, 04 with an apology and a new date), numbered from the agency's sequence in the same transaction and
    /// kept with the dossier.
    func issueDocument(for action: DossierV1.Action, row: DossierRow, actor: DossierActor,
                       context: DocumentContext, atMs: Int64, previousAppointmentMs: Int64? = nil,
                       _ db: Database) throws {
        let issuedAt = Date(timeIntervalSince1970: Double(atMs) / 1000)
        let year = VietnameseDateFormat.year(of: issuedAt)
        let applicant = Self.applicant(row)
        let officer: String = if case .officer(let id, _, _) = actor { id } else { "" }
        // The issuing agency's own numbering: the centre's for a desk step it took.
        let issuerCode = context.agency.code
        let submittedAt = Date(timeIntervalSince1970: Double(row.submittedAtMs) / 1000)
        let document: DossierV1.DossierDocument
        switch action {
        case .receive:
            let sequence = try Sequences.nextDocument(agency: issuerCode, form: OneStopForm.receipt.rawValue, year: year, db)
            let attachments = try Self.attachments(of: row.id, db)
            document = OneStopDocuments.Receipt(
                agency: context.agency, sequence: sequence, issuedAt: issuedAt, receiptCode: row.receiptCode ?? "",
                applicant: applicant, procedure: context.procedure,
                documents: attachments.map(OneStopDocuments.Receipt.ReceivedDocument.init), processingTime: context.processingTime,
                receivedAt: issuedAt,
                appointmentAt: Date(timeIntervalSince1970: Double(row.appointmentAtMs ?? atMs) / 1000),
                channel: row.channel, receiverName: officer
            ).dossierDocument()
        case .requestSupplement:
            let sequence = try Sequences.nextDocument(agency: issuerCode, form: OneStopForm.supplementRequest.rawValue, year: year, db)
            document = OneStopDocuments.SupplementRequest(
                agency: context.agency, sequence: sequence, issuedAt: issuedAt, receiptCode: row.receiptCode ?? "",
                applicant: applicant, procedure: context.procedure, submittedAt: submittedAt,
                missing: row.details.missingDocuments, reason: row.details.reason, officerName: officer
            ).dossierDocument()
        case .refuseReception:
            let sequence = try Sequences.nextDocument(agency: issuerCode, form: OneStopForm.refusal.rawValue, year: year, db)
            document = OneStopDocuments.Refusal(
                agency: context.agency, sequence: sequence, issuedAt: issuedAt, receiptCode: row.receiptCode ?? "",
                applicant: applicant, procedure: context.procedure, submittedAt: submittedAt,
                reason: row.details.reason, officerName: officer
            ).dossierDocument()
        case .apologize:
            let sequence = try Sequences.nextDocument(agency: issuerCode, form: OneStopForm.apology.rawValue, year: year, db)
            let date = { (ms: Int64?) in Date(timeIntervalSince1970: Double(ms ?? atMs) / 1000) }
            document = OneStopDocuments.Apology(
                agency: context.agency, sequence: sequence, issuedAt: issuedAt, receiptCode: row.receiptCode ?? "",
                applicant: applicant, procedure: context.procedure, receivedAt: date(row.receivedAtMs),
                appointmentAt: date(previousAppointmentMs), reason: row.details.reason,
                newAppointmentAt: date(row.appointmentAtMs), signerName: officer
            ).dossierDocument()
        default:
            return
        }
        try db.execute(sql: """
            INSERT INTO document (dossier_id, form, number, issued_at_ms, media_type, content) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [row.id, document.form, document.number, atMs, document.mediaType, document.content])
    }
}
