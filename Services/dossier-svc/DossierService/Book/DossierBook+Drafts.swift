import DVCProto
import Foundation
import Logging
import OneStop
import RPCCore
import ServiceClients
import Storage

/// Drafts (docs/drafts.md): a citizen's dossier not yet submitted, saved and resumed on any
/// device. Only the owner sees one: any other caller's id is NOT_FOUND, like an id that does not
/// exist, and only a citizen acting themselves (no agency's API key) may call at all.
extension DossierBook {
    /// The most values a draft's form may hold, and how long a name and a value may be: a draft
    /// is checked against its procedure only when submitted, so these bound what it can store.
    static let draftMaxFields = 300
    static let draftMaxKeyBytes = 100
    static let draftMaxValueBytes = 8000
    /// As many files as a submission may carry.
    static let draftMaxFiles = 20

    /// The citizen a draft call is for: refused for officers, systems and calls through an
    /// agency's API key (a draft is the citizen's own work in progress, not an agency's).
    static func draftOwner(_ actor: DossierActor, apiKey: String) throws -> String {
        guard case .citizen(let id) = actor, apiKey.isEmpty else {
            throw RPCError(.permissionDenied, "drafts are their owner's only: a citizen signed in as themselves (not through an agency's API key)")
        }
        return id
    }

    func saveDraft(_ request: DossierV1.SaveDraftRequest, actor: DossierActor, context: ServerContext) async throws -> DossierV1.Draft {
        let owner = try Self.draftOwner(actor, apiKey: ActingAPIKey.of(context))
        let now = UnixMillis.now()
        let isNew = request.draftId.isEmpty
        var violations: [FieldViolation] = []
        if isNew {
            if request.agencyCode.isEmpty { violations.append(FieldViolation(field: "agency_code", description: "required for a new draft")) }
            if request.procedureCode.isEmpty { violations.append(FieldViolation(field: "procedure_code", description: "required for a new draft")) }
            if request.expectedVersion != 0 {
                violations.append(FieldViolation(field: "expected_version", description: "a new draft has no version yet: 0"))
            }
        }
        if request.formData.count > Self.draftMaxFields {
            violations.append(FieldViolation(field: "form_data", description: "at most \(Self.draftMaxFields) values"))
        }
        for (key, value) in request.formData.sorted(by: { $0.key < $1.key }) {
            if key.isEmpty || key.utf8.count > Self.draftMaxKeyBytes {
                violations.append(FieldViolation(field: "form_data", description: "a name of 1–\(Self.draftMaxKeyBytes) bytes"))
            } else if value.utf8.count > Self.draftMaxValueBytes {
                violations.append(FieldViolation(field: "form_data.\(key)", description: "at most \(Self.draftMaxValueBytes) bytes"))
            }
        }
        guard violations.isEmpty else {
            throw RPCError(.invalidArgument, violations.map { "\($0.field): \($0.description)" }.joined(separator: "; "), violations: violations)
        }

        // What is saved now: the draft, its files kept, and what the owner's other drafts hold.
        var existing: DraftRow?
        if !isNew {
            existing = try await database.read { db in try DraftRow.fetch(id: request.draftId, owner: owner, nowMs: now, db) }
        }
        if !isNew {
            guard let existing else { throw Self.draftNotFound(request.draftId) }
            try Self.requireVersion(existing, request.expectedVersion)
            if !request.agencyCode.isEmpty, request.agencyCode != existing.agencyCode {
                throw RPCError.invalidArgument(field: "agency_code", "a draft stays at its agency (\(existing.agencyCode)): leave it empty")
            }
            if !request.procedureCode.isEmpty, request.procedureCode != existing.procedureCode {
                throw RPCError.invalidArgument(field: "procedure_code", "a draft stays with its procedure (\(existing.procedureCode)): leave it empty")
            }
        } else {
            // A draft is the start of an online submission: only where the procedure is offered online.
            let options = context.downstreamOptions(CallOptions(idempotent: true))
            let level = try await catalogCache.level(agency: request.agencyCode, procedure: request.procedureCode, options: options)
            try ServiceLevel.online.require(of: level, agency: request.agencyCode, procedure: request.procedureCode, doing: "a draft")
        }
        let current = existing?.files ?? []
        for (index, id) in request.removeFileIds.enumerated() where !current.contains(where: { $0.id == id }) {
            throw RPCError.invalidArgument(field: "remove_file_ids[\(index)]", "the draft has no file \(id)")
        }
        let removed = Set(request.removeFileIds)
        let kept = current.filter { !removed.contains($0.id) }
        if kept.count + request.attachments.count > Self.draftMaxFiles {
            throw RPCError.invalidArgument(field: "attachments", "a dossier holds at most \(Self.draftMaxFiles) files")
        }
        let draftID = existing?.id ?? UUID().uuidString.lowercased()
        let newBytes = request.attachments.reduce(Int64(0)) { $0 + Int64($1.content.count) }
        // Checked before a byte is written, and again in the transaction (another device may save at the same time).
        try await database.read { db in
            try self.requireRoom(owner: owner, draftID: draftID, isNew: isNew, bytes: kept.reduce(0) { $0 + $1.sizeBytes } + newBytes, db)
        }

        // The files as a dossier's attachments: the same checks and limits (10 MiB each, 50 MiB in all).
        let stored = try await storeDurably(request.attachments, existingSizes: kept.map(\.sizeBytes))
        let files = stored.enumerated().map { index, file in
            var proto = file.proto
            proto.requiredDocument = request.attachments[index].requiredDocument
            return proto
        }
        let settings = drafts
        let before = existing
        let saved: (DraftRow, [String]) = try await database.write { db in
            var row: DraftRow
            if let existing = before {
                // The version is checked again here: the read above may be stale by now.
                guard let fresh = try DraftRow.fetch(id: existing.id, owner: owner, nowMs: now, db) else {
                    throw Self.draftNotFound(existing.id)
                }
                try Self.requireVersion(fresh, request.expectedVersion)
                row = fresh
            } else {
                row = DraftRow(id: draftID, ownerID: owner, agencyCode: request.agencyCode, procedureCode: request.procedureCode,
                               formData: [:], version: 0, createdAtMs: now, updatedAtMs: now, expiresAtMs: now)
            }
            let keptNow = row.files.filter { !removed.contains($0.id) }
            try self.requireRoom(owner: owner, draftID: draftID, isNew: isNew,
                                 bytes: keptNow.reduce(0) { $0 + $1.sizeBytes } + newBytes, db)
            row.formData = request.formData
            row.version += 1
            row.updatedAtMs = now
            row.expiresAtMs = now + settings.ttlMs
            row.noticedAtMs = nil
            if isNew {
                try db.execute(sql: "INSERT INTO draft (\(DraftRow.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)", arguments: [
                    row.id, row.ownerID, row.agencyCode, row.procedureCode, DraftRow.encode(row.formData), Int64(row.version),
                    row.createdAtMs, row.updatedAtMs, row.expiresAtMs])
            } else {
                try db.execute(sql: """
                    UPDATE draft SET form_data = ?, version = ?, updated_at_ms = ?, expires_at_ms = ?, noticed_at_ms = NULL WHERE id = ?
                    """, arguments: [DraftRow.encode(row.formData), Int64(row.version), row.updatedAtMs, row.expiresAtMs, row.id])
            }
            var dropped: [String] = []
            for id in removed {
                if let sha = try String.fetchOne(db, sql: "SELECT sha256_hex FROM draft_file WHERE id = ? AND draft_id = ?", arguments: [id, row.id]) {
                    dropped.append(sha)
                }
                try db.execute(sql: "DELETE FROM draft_file WHERE id = ? AND draft_id = ?", arguments: [id, row.id])
            }
            var position = (try Int.fetchOne(db, sql: "SELECT MAX(position) FROM draft_file WHERE draft_id = ?", arguments: [row.id]) ?? -1) + 1
            for file in files {
                try db.execute(sql: """
                    INSERT INTO draft_file (id, draft_id, position, name, media_type, size_bytes, sha256_hex, required_document)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [file.id, row.id, position, file.name, file.mediaType, file.sizeBytes, file.sha256Hex, file.requiredDocument])
                position += 1
            }
            row.files = try DraftRow.files(of: row.id, db)
            return (row, dropped)
        }
        await removeUnreferenced(saved.1, nowMs: now)
        logger.info("draft saved", metadata: ["draft": "\(saved.0.id)", "version": "\(saved.0.version)", "request_id": "\(context.requestID)"])
        return saved.0.proto
    }

    /// RESOURCE_EXHAUSTED, in the citizen's words, when a save would pass the owner's limits:
    /// the number of drafts, or the bytes of all their drafts' files.
    func requireRoom(owner: String, draftID: String, isNew: Bool, bytes: Int64, _ db: any SQLConnection) throws {
        if isNew {
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM draft WHERE owner_id = ?", arguments: [owner]) ?? 0
            if count >= drafts.maxDraftsPerOwner {
                throw RPCError(.resourceExhausted,
                               "Ông/Bà đã có \(count) hồ sơ nháp, tối đa \(drafts.maxDraftsPerOwner). Hãy nộp hoặc xóa bớt hồ sơ nháp trước khi lưu hồ sơ nháp mới.",
                               violations: [FieldViolation(field: "draft_id", description: "at most \(drafts.maxDraftsPerOwner) drafts per citizen")])
            }
        }
        let others = try DraftRow.ownerBytes(owner, except: draftID, db)
        if others + bytes > drafts.ownerLimitBytes {
            let limit = drafts.ownerLimitBytes
            throw RPCError(.resourceExhausted,
                           "Tổng dung lượng tệp của các hồ sơ nháp vượt quá \(limit.byteSizeText) (\(limit) byte). Hãy bỏ bớt tệp hoặc xóa hồ sơ nháp cũ; hồ sơ nháp đã lưu không thay đổi.",
                           violations: [FieldViolation(field: "attachments",
                                                       description: "the drafts' files would add up to \(others + bytes) bytes: at most \(limit) bytes per citizen")])
        }
    }

    func getDraft(_ request: DossierV1.GetDraftRequest, actor: DossierActor, context: ServerContext) async throws -> DossierV1.Draft {
        let owner = try Self.draftOwner(actor, apiKey: ActingAPIKey.of(context))
        guard !request.draftId.isEmpty else { throw RPCError.invalidArgument(field: "draft_id", "required") }
        let now = UnixMillis.now()
        guard let draft = try await database.read({ db in try DraftRow.fetch(id: request.draftId, owner: owner, nowMs: now, db) }) else {
            throw Self.draftNotFound(request.draftId)
        }
        return draft.proto
    }

    func listDrafts(actor: DossierActor, context: ServerContext) async throws -> DossierV1.ListDraftsResponse {
        let owner = try Self.draftOwner(actor, apiKey: ActingAPIKey.of(context))
        let now = UnixMillis.now()
        var response = DossierV1.ListDraftsResponse()
        response.drafts = try await database.read { db in
            try SQLRow.fetchAll(db, sql: """
                SELECT \(DraftRow.columns) FROM draft WHERE owner_id = ? AND expires_at_ms > ? ORDER BY updated_at_ms DESC, id
                """, arguments: [owner, now]).map { row in
                var draft = DraftRow(row: row)
                draft.files = try DraftRow.files(of: draft.id, db)
                return draft.proto
            }
        }
        response.usedBytes = response.drafts.flatMap(\.files).reduce(0) { $0 + $1.sizeBytes }
        response.limitBytes = drafts.ownerLimitBytes
        response.maxDrafts = UInt32(drafts.maxDraftsPerOwner)
        return response
    }

    func deleteDraft(_ request: DossierV1.DeleteDraftRequest, actor: DossierActor, context: ServerContext) async throws -> DossierV1.DeleteDraftResponse {
        let owner = try Self.draftOwner(actor, apiKey: ActingAPIKey.of(context))
        guard !request.draftId.isEmpty else { throw RPCError.invalidArgument(field: "draft_id", "required") }
        let now = UnixMillis.now()
        let shas = try await database.write { db in
            guard let draft = try DraftRow.fetch(id: request.draftId, owner: owner, nowMs: now, db) else {
                throw Self.draftNotFound(request.draftId)
            }
            if request.expectedVersion != 0 { try Self.requireVersion(draft, request.expectedVersion) }
            return try DraftRow.delete(id: draft.id, db)
        }
        await removeUnreferenced(shas, nowMs: now)
        return DossierV1.DeleteDraftResponse()
    }

    /// The same answer for "absent", "not yours" and "expired": ids cannot be probed.
    static func draftNotFound(_ id: String) -> RPCError {
        RPCError(.notFound, "draft \(id) does not exist, is not yours or has expired",
                 violations: [FieldViolation(field: "draft_id", description: "no such draft of yours")])
    }

    /// ABORTED naming `expected_version` when the draft was saved since the caller read it
    /// (from another device, say): the caller reads it again rather than overwrite that save.
    static func requireVersion(_ draft: DraftRow, _ expected: UInt64) throws {
        guard draft.version == expected else {
            throw RPCError(.aborted,
                           "Hồ sơ nháp đã được lưu ở nơi khác (phiên bản \(draft.version), không phải \(expected)). Hãy mở lại hồ sơ nháp để xem bản mới nhất.",
                           violations: [FieldViolation(field: "expected_version",
                                                       description: "the draft is at version \(draft.version), not \(expected)")])
        }
    }

    /// Deletes the bytes of files no dossier and no draft references any more, if they were not
    /// stored again lately (`DraftSettings.fileGraceMs`): content-addressed bytes may be shared
    /// with a dossier, or be on their way into one.
    func removeUnreferenced(_ shas: [String], nowMs: Int64) async {
        guard !shas.isEmpty else { return }
        let unique = Array(Set(shas))
        let unreferenced: [String]
        do {
            unreferenced = try await database.read { db in
                try unique.filter { sha in
                    try Int.fetchOne(db, sql: """
                        SELECT (SELECT COUNT(*) FROM attachment WHERE sha256_hex = ?) + (SELECT COUNT(*) FROM draft_file WHERE sha256_hex = ?)
                        """, arguments: [sha, sha]) == 0
                }
            }
        } catch {
            logger.warning("draft files not cleaned up", metadata: ["error": "\(error)"])
            return
        }
        let olderThan = Date(timeIntervalSince1970: Double(nowMs - drafts.fileGraceMs) / 1000)
        _ = try? await storeFiles { store in
            unreferenced.reduce(0) { $0 + (store.remove(sha256: $1, olderThan: olderThan) ? 1 : 0) }
        }
    }
}
