import DVCProto
import Foundation
import RPCCore
import Storage

/// One row of `draft` with its files (`draft_file`), as dossier-svc keeps a citizen's draft.
struct DraftRow: Sendable, Hashable {
    var id: String
    var ownerID: String
    var agencyCode: String
    var procedureCode: String
    var formData: [String: String]
    var version: UInt64
    var createdAtMs: Int64
    var updatedAtMs: Int64
    var expiresAtMs: Int64
    var noticedAtMs: Int64?
    var files: [DossierV1.Attachment] = []

    static let columns = "id, owner_id, agency_code, procedure_code, form_data, version, created_at_ms, updated_at_ms, expires_at_ms, noticed_at_ms"

    init(id: String, ownerID: String, agencyCode: String, procedureCode: String, formData: [String: String],
         version: UInt64, createdAtMs: Int64, updatedAtMs: Int64, expiresAtMs: Int64, noticedAtMs: Int64? = nil) {
        self.id = id
        self.ownerID = ownerID
        self.agencyCode = agencyCode
        self.procedureCode = procedureCode
        self.formData = formData
        self.version = version
        self.createdAtMs = createdAtMs
        self.updatedAtMs = updatedAtMs
        self.expiresAtMs = expiresAtMs
        self.noticedAtMs = noticedAtMs
    }

    init(row: SQLRow) {
        let json: String = row["form_data"]
        self.init(id: row["id"], ownerID: row["owner_id"], agencyCode: row["agency_code"], procedureCode: row["procedure_code"],
                  formData: (try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))) ?? [:],
                  version: UInt64(row["version"] as Int64), createdAtMs: row["created_at_ms"], updatedAtMs: row["updated_at_ms"],
                  expiresAtMs: row["expires_at_ms"], noticedAtMs: row["noticed_at_ms"])
    }

    static func encode(_ formData: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(formData)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// The owner's draft with its files, or nil: absent, another citizen's, or past its expiry
    /// (the scan has not deleted it yet) are all the same to the caller.
    static func fetch(id: String, owner: String, nowMs: Int64, _ db: any SQLConnection) throws -> DraftRow? {
        guard var draft = try SQLRow.fetchOne(db, sql: "SELECT \(columns) FROM draft WHERE id = ? AND owner_id = ?",
                                           arguments: [id, owner]).map(DraftRow.init(row:)),
              draft.expiresAtMs > nowMs else { return nil }
        draft.files = try files(of: id, db)
        return draft
    }

    static func files(of id: String, _ db: any SQLConnection) throws -> [DossierV1.Attachment] {
        try SQLRow.fetchAll(db, sql: """
            SELECT id, name, media_type, size_bytes, sha256_hex, required_document FROM draft_file
            WHERE draft_id = ? ORDER BY position
            """, arguments: [id]).map { row in
            var file = DossierV1.Attachment()
            file.id = row["id"]
            file.name = row["name"]
            file.mediaType = row["media_type"]
            file.sizeBytes = row["size_bytes"]
            file.sha256Hex = row["sha256_hex"]
            file.requiredDocument = row["required_document"]
            return file
        }
    }

    /// The bytes of every file of the owner's drafts, but `except` (the one being saved).
    static func ownerBytes(_ owner: String, except draftID: String, _ db: any SQLConnection) throws -> Int64 {
        try Int64.fetchOne(db, sql: """
            SELECT COALESCE(SUM(f.size_bytes), 0) FROM draft_file f JOIN draft d ON d.id = f.draft_id
            WHERE d.owner_id = ? AND d.id <> ?
            """, arguments: [owner, draftID]) ?? 0
    }

    /// Deletes the draft and its files' rows; returns the SHA-256 of the files it had.
    static func delete(id: String, _ db: any SQLConnection) throws -> [String] {
        let shas = try String.fetchAll(db, sql: "SELECT sha256_hex FROM draft_file WHERE draft_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM draft_file WHERE draft_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM draft WHERE id = ?", arguments: [id])
        return shas
    }

    var proto: DossierV1.Draft {
        var draft = DossierV1.Draft()
        draft.id = id
        draft.ownerId = ownerID
        draft.agencyCode = agencyCode
        draft.procedureCode = procedureCode
        draft.formData = formData
        draft.files = files
        draft.version = version
        draft.createdAtUnixMs = createdAtMs
        draft.updatedAtUnixMs = updatedAtMs
        draft.expiresAtUnixMs = expiresAtMs
        return draft
    }
}
