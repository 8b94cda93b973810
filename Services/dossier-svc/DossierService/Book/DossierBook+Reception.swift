import DVCProto
import OneStop
import Foundation
import RPCCore
import ServiceClients
import Storage

/// Reception anywhere, processing by the competent agency (Decree 118/2025/NĐ-CP): which
/// centre may receive for which agency, where the result goes back, and the citizen's earlier
/// papers used again.
extension DossierBook {
    /// An agency from catalog-svc (its name, kind and `receives_for`).
    func agency(_ code: String, options: CallOptions) async throws -> CatalogV1.Agency {
        var request = CatalogV1.GetAgencyRequest()
        request.code = code
        return try await catalog.unary(CatalogV1.CatalogService.getAgency, request, options: options)
    }

    /// A centre receives for the agencies its catalog entry names (`receives_for`); an agency
    /// receives for itself. PERMISSION_DENIED naming `agency_code` otherwise.
    func requireReceivesFor(centre: String, competent: String, field: String = "agency_code",
                            options: CallOptions) async throws {
        guard centre != competent else { return }
        let desk = try await agency(centre, options: options)
        guard desk.receivesFor.contains(competent) else {
            throw RPCError(.permissionDenied, "\(desk.name) (\(centre)) does not receive dossiers for \(competent)",
                           violations: [FieldViolation(field: field,
                                                       description: "not an agency \(centre) receives for (receives_for in the catalog)")])
        }
    }

    /// Where the citizen collects the result, checked: a centre that receives for the agency
    /// (or the agency itself), a postal address, or online where the procedure is fully online
    /// (level 4). Without a choice: the counter where a registered dossier was received, or the
    /// competent agency for one submitted online.
    func checkedReturn(_ request: DossierV1.SubmitDossierRequest, deskAgency: String,
                       levelAnswer: CatalogV1.GetEnabledLevelResponse, options: CallOptions) async throws -> DossierV1.ResultReturn {
        var chosen = request.resultReturn ?? DossierV1.ResultReturn()
        switch chosen.method {
        case .unspecified:
            if !deskAgency.isEmpty {
                chosen.method = .atCentre
                chosen.agencyCode = deskAgency
            }
        case .atCentre:
            guard !chosen.agencyCode.isEmpty else {
                throw RPCError.invalidArgument(field: "result_return.agency_code", "the centre where the result is collected is required")
            }
            try await requireReceivesFor(centre: chosen.agencyCode, competent: request.agencyCode,
                                         field: "result_return.agency_code", options: options)
        case .postal:
            let address = chosen.postalAddress.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !address.isEmpty, address.count <= 500 else {
                throw RPCError.invalidArgument(field: "result_return.postal_address", "the postal address is required (at most 500 characters)")
            }
            chosen.postalAddress = address
        case .online:
            try ServiceLevel.fullyOnline.require(of: levelAnswer, agency: request.agencyCode, procedure: request.procedureCode,
                                                 doing: "receiving the result online",
                                                 instead: "choose to collect it at a centre or by post")
        case .unrecognized:
            throw RPCError.invalidArgument(field: "result_return.method", "not a way of returning a result")
        }
        if chosen.method != .atCentre { chosen.agencyCode = "" }
        if chosen.method != .postal { chosen.postalAddress = "" }
        return chosen
    }

    /// The citizen's earlier papers named for reuse: a file of their own dossier that a receiving
    /// officer digitised (or that was itself reused from one), or the result of their dossier.
    /// Each becomes an attachment of the new dossier pointing at the same stored bytes, saying
    /// where it came from. INVALID_ARGUMENT naming the entry otherwise (another person's
    /// dossier, a plain upload, an unknown file: one answer, so ids cannot be probed).
    func reusable(_ requested: [DossierV1.ReusedDocument], applicant: String) async throws -> [DossierV1.Attachment] {
        guard !requested.isEmpty else { return [] }
        return try await database.read { db in
            try requested.enumerated().map { index, wanted in
                guard let file = try Self.reusableFile(dossier: wanted.dossierId, file: wanted.fileId, applicant: applicant, db) else {
                    throw RPCError.invalidArgument(field: "reused_documents[\(index)]",
                                                   "not a digitised paper or result of one of your dossiers")
                }
                var copy = file
                copy.id = UUID().uuidString.lowercased()
                copy.requiredDocument = wanted.requiredDocument
                copy.reusedFrom = "\(wanted.dossierId)/\(wanted.fileId)"
                return copy
            }
        }
    }

    /// A digitised attachment or the result of one of `applicant`'s dossiers; nil otherwise.
    static func reusableFile(dossier: String, file: String, applicant: String, _ db: any SQLConnection) throws -> DossierV1.Attachment? {
        guard let row = try DossierRow.fetch(id: dossier, db), row.applicantID == applicant else { return nil }
        if let result = row.details.resultDocument, result.id == file,
           row.state == .processed || row.state == .resultReturned {
            return result
        }
        return try attachments(of: dossier, db).first { $0.id == file && !$0.digitisedBy.isEmpty }
    }

    /// The citizen's reusable data: every digitised paper and every result of their dossiers,
    /// newest dossier first (what the online form offers instead of an upload).
    func reusableDocuments(_ request: DossierV1.ListReusableDocumentsRequest,
                           for actor: DossierActor) async throws -> DossierV1.ListReusableDocumentsResponse {
        guard case .citizen(let applicant) = actor else {
            throw RPCError(.permissionDenied, "a citizen's reusable documents are theirs alone")
        }
        return try await database.read { db in
            var response = DossierV1.ListReusableDocumentsResponse()
            var seen: Set<String> = []
            for row in try DossierQueries.ofApplicant(applicant, limit: 200, db) {
                var candidates: [(DossierV1.Attachment, Bool)] = try Self.attachments(of: row.id, db)
                    .filter { !$0.digitisedBy.isEmpty }.map { ($0, false) }
                if let result = row.details.resultDocument, row.state == .processed || row.state == .resultReturned {
                    candidates.append((result, true))
                }
                for (file, isResult) in candidates {
                    if !request.requiredDocument.isEmpty, !isResult, file.requiredDocument != request.requiredDocument { continue }
                    // The same paper reused from dossier to dossier is offered once.
                    guard seen.insert(file.sha256Hex).inserted else { continue }
                    var document = DossierV1.ReusableDocument()
                    document.dossierId = row.id
                    document.receiptCode = row.receiptCode ?? ""
                    document.procedureCode = row.procedureCode
                    document.file = file
                    document.isResult = isResult
                    response.documents.append(document)
                }
            }
            return response
        }
    }
}
