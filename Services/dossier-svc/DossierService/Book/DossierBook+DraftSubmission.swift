import DVCProto
import Foundation
import OneStop
import RPCCore
import Storage

/// Submitting a draft: the very submission of `submit` (the same checks of the procedure, its
/// form, its files and the same idempotency), with the draft's values and files, and the draft
/// deleted in the submission's own transaction. A refused submission leaves the draft as it was.
extension DossierBook {
    func submitDraft(_ request: DossierV1.SubmitDraftRequest, actor: DossierActor,
                     context: ServerContext) async throws -> DossierV1.SubmitDossierResponse {
        let owner = try Self.draftOwner(actor, apiKey: ActingAPIKey.of(context))
        guard !request.draftId.isEmpty else { throw RPCError.invalidArgument(field: "draft_id", "required") }
        let idempotencyKey = try IdempotencyKey.required(context, for: "submit a draft")
        let now = UnixMillis.now()
        let (found, earlier) = try await database.read { db -> (DraftRow?, (dossier: String, key: String)?) in
            let draft = try DraftRow.fetch(id: request.draftId, owner: owner, nowMs: now, db)
            let earlier = try SQLRow.fetchOne(db, sql: "SELECT dossier_id, idempotency_key FROM draft_submission WHERE draft_id = ? AND owner_id = ?",
                                           arguments: [request.draftId, owner]).map { (dossier: $0["dossier_id"] as String, key: $0["idempotency_key"] as String) }
            return (draft, earlier)
        }
        guard let draft = found else {
            // Already submitted: a retry with the same key is answered with the same dossier.
            if let earlier, earlier.key == idempotencyKey,
               let row = try await database.read({ db in try DossierRow.fetch(id: earlier.dossier, db) }) {
                var response = DossierV1.SubmitDossierResponse()
                response.dossier = try await dossier(row)
                response.trackingPin = pin(for: row.id).digits
                return response
            }
            if let earlier {
                throw RPCError(.failedPrecondition, "Hồ sơ nháp này đã được nộp thành hồ sơ \(earlier.dossier).",
                               violations: [FieldViolation(field: "draft_id", description: "already submitted as dossier \(earlier.dossier)")])
            }
            throw Self.draftNotFound(request.draftId)
        }
        try Self.requireVersion(draft, request.expectedVersion)

        // What SubmitDossier would get had the citizen sent it all at once.
        var submission = DossierV1.SubmitDossierRequest()
        submission.agencyCode = draft.agencyCode
        submission.procedureCode = draft.procedureCode
        submission.channel = .online
        submission.formData = draft.formData
        submission.resultReturn = request.resultReturn
        submission.reusedDocuments = request.reusedDocuments
        let files = draft.files
        submission.attachments = try await storeFiles { store in
            try files.map { file in
                var upload = DossierV1.AttachmentUpload()
                upload.name = file.name
                upload.content = try store.read(sha256: file.sha256Hex)
                upload.requiredDocument = file.requiredDocument
                return upload
            }
        }
        let draftID = draft.id
        let version = draft.version
        return try await submit(submission, actor: actor, context: context) { dossier, db in
            // The draft as the caller saw it, or nothing happens: another device may have saved
            // (or submitted) it meanwhile.
            let current = try Int64.fetchOne(db, sql: "SELECT version FROM draft WHERE id = ? AND owner_id = ?", arguments: [draftID, owner])
            guard let current, UInt64(current) == version else {
                throw RPCError(.aborted, "Hồ sơ nháp vừa được thay đổi ở nơi khác. Hãy mở lại hồ sơ nháp rồi nộp.",
                               violations: [FieldViolation(field: "expected_version", description: "the draft changed while it was being submitted")])
            }
            _ = try DraftRow.delete(id: draftID, db)
            try db.execute(sql: """
                INSERT INTO draft_submission (draft_id, owner_id, idempotency_key, dossier_id, submitted_at_ms) VALUES (?, ?, ?, ?, ?)
                """, arguments: [draftID, owner, idempotencyKey, dossier.id, now])
        }
    }
}
