import DVCProto
import Foundation
import OneStop
import Logging
import RPCCore
import Storage

extension DossierBook {
    /// The verification record of `code` for anyone (no personal data in it), with every
    /// rendition's signature checked again over the bytes kept here when they are (the page as
    /// it stands, the result file): `signatures_checked`.
    func verification(code: String) async throws -> DossierV1.Verification {
        guard let signatures else { throw RPCError(.unimplemented, "this dossier-svc signs nothing") }
        guard VerificationCode.normalized(code) != nil else {
            throw RPCError.invalidArgument(field: "code", "a verification code is \(VerificationCode.length) characters of Crockford base32")
        }
        let found = try await database.read { db -> (DossierV1.Verification, [String: Data])? in
            guard let verification = try signatures.verification(code: code, db) else { return nil }
            var kept: [String: Data] = [:]
            if !verification.documentNumber.isEmpty,
               let content = try Data.fetchOne(db, sql: "SELECT content FROM document WHERE number = ?", arguments: [verification.documentNumber]) {
                kept[DocumentSignatures.sha256Hex(content)] = content
            }
            return (verification, kept)
        }
        guard let found else {
            throw RPCError(.notFound, "Không có văn bản với mã xác minh \(code).",
                           violations: [FieldViolation(field: "code", description: "unknown")])
        }
        var (verification, kept) = found
        if verification.documentNumber.isEmpty, let result = verification.renditions.first {
            let sha = result.sha256Hex
            if let bytes = try? await storeFiles({ store in try store.read(sha256: sha) }) { kept[sha] = bytes }
        }
        let chain = verification.certificate?.chainPem ?? ""
        let checkable = verification.renditions.filter { kept[$0.sha256Hex] != nil }
        verification.signaturesChecked = !checkable.isEmpty && checkable.allSatisfy { rendition in
            DocumentSignatures.check(rendition.signature, content: kept[rendition.sha256Hex]!, chainPEM: chain,
                                     signedAtMs: rendition.signedAtUnixMs)
        }
        return verification
    }

    /// Annuls a signed document: an approver of its issuing agency, with a reason. The record
    /// keeps who, when and why (the audit of the annulment; also logged).
    func annul(_ request: DossierV1.AnnulDocumentRequest, actor: DossierActor) async throws -> DossierV1.Verification {
        guard let signatures else { throw RPCError(.unimplemented, "this dossier-svc signs nothing") }
        guard case .officer(let id, let agency, let roles) = actor, roles.contains(.approver) else {
            throw RPCError(.permissionDenied, "annulling a signed document needs an officer of its issuing agency with the role approver")
        }
        let reason = request.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw RPCError.invalidArgument(field: "reason", "Vui lòng nêu lý do thu hồi.") }
        guard reason.count <= 1000 else { throw RPCError.invalidArgument(field: "reason", "at most 1000 characters") }
        guard !request.code.isEmpty else { throw RPCError.invalidArgument(field: "code", "required") }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await database.write { db in
            try signatures.annul(code: request.code, reason: reason, officer: "officer:\(id)", agencyCode: agency, atMs: now, db)
        }
        logger.notice("signed document annulled", metadata: ["code": "\(request.code)", "officer": "\(id)", "agency": "\(agency)", "reason": "\(reason)"])
        return try await verification(code: request.code)
    }

    /// The signed documents of a dossier the actor may see, newest first.
    func signedDocuments(_ request: DossierV1.ListSignaturesRequest, for actor: DossierActor) async throws -> DossierV1.ListSignaturesResponse {
        guard let signatures else { throw RPCError(.unimplemented, "this dossier-svc signs nothing") }
        guard !request.dossierId.isEmpty else { throw RPCError.invalidArgument(field: "dossier_id", "required") }
        _ = try await get(id: request.dossierId, for: actor)
        var response = DossierV1.ListSignaturesResponse()
        response.signatures = try await database.read { db in try signatures.signatures(dossierID: request.dossierId, db) }
        return response
    }
}
