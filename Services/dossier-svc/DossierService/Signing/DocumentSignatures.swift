import Crypto
import DVCProto
import Foundation
import OneStop
import RPCCore
import Storage

/// The signatures of everything dossier-svc issues, and their verification records
/// (docs/signatures.md): each one-stop document as issued (the HTML page, with the QR code of
/// its own verification link printed on it) and each result file as uploaded, signed with the
/// issuing agency's key (CMS, detached, DER) in the transaction that issues it.
///
/// A record is found by its code. A processing-control slip re-rendered, or a result replaced
/// by a new upload, gets a new code; the old record is then "replaced by" the new one.
struct DocumentSignatures: Sendable {
    let keys: AgencySigningKeys
    /// The portal's public address (setting `public_url`), without a trailing '/'.
    let publicURL: String

    init(keys: AgencySigningKeys, publicURL: String) {
        self.keys = keys
        var url = publicURL
        while url.hasSuffix("/") { url.removeLast() }
        self.publicURL = url
    }

    /// `<public_url>/xac-minh/<code>`: what the QR code holds.
    func link(_ code: String) -> String { "\(publicURL)/xac-minh/\(code)" }

    /// The issuer of a record: its code and name as the page shows them.
    struct Issuer: Sendable {
        var code: String
        var name: String
    }

    /// Stamps `document` with a new code's QR block, signs the page as stamped and records it.
    /// A valid record of the same number (the processing-control slip before this step) is
    /// replaced by the new one. Returns the code.
    @discardableResult
    func signDocument(_ document: inout DossierV1.DossierDocument, title: String, dossierID: String, receiptCode: String,
                      issuer: Issuer, atMs: Int64, _ db: any SQLConnection) throws -> String {
        let code = try newCode(db)
        document.content = SignatureStamp.stamp(document.content, link: link(code), code: code, issuer: issuer.name)
        try record(code: code, kind: "document", documentNumber: document.number, fileID: "", title: "Mẫu số \(document.form) – \(title)",
                   dossierID: dossierID, receiptCode: receiptCode, issuer: issuer, mediaType: document.mediaType,
                   bytes: document.content, atMs: atMs, replacing: ("document_number = ?", [document.number]), db)
        return code
    }

    /// Signs a result file as uploaded (its bytes, any type, PDFs included) and records it; the
    /// dossier's previous valid result record is replaced by it. Returns the code.
    @discardableResult
    func signResult(_ bytes: Data, file: DossierV1.Attachment, dossierID: String, receiptCode: String, issuer: Issuer,
                    atMs: Int64, _ db: any SQLConnection) throws -> String {
        let code = try newCode(db)
        try record(code: code, kind: "result", documentNumber: "", fileID: file.id, title: "Kết quả giải quyết",
                   dossierID: dossierID, receiptCode: receiptCode, issuer: issuer, mediaType: file.mediaType, bytes: bytes,
                   atMs: atMs, replacing: ("dossier_id = ? AND kind = 'result'", [dossierID]), db)
        return code
    }

    /// Another rendition of a one-stop document already signed (e.g. its PDF): signs `bytes`
    /// with the issuing agency's key and records their SHA-256 and signature under the same
    /// verification code as the page (the document's current record, by its number). A second
    /// call for the same media type replaces that rendition. Returns the code.
    @discardableResult
    func sign(bytes: Data, documentNumber: String, rendition mediaType: String, atMs: Int64, _ db: any SQLConnection) throws -> String {
        guard let row = try validRecord(documentNumber: documentNumber, db) else {
            throw RPCError(.notFound, "document \(documentNumber) has no valid signed record to add a rendition to")
        }
        let code: String = row["code"]
        let issuer = Issuer(code: row["issuer_code"], name: row["issuer_name"])
        let credential = try currentCredential(issuer, atMs: atMs, db)
        let signature = try CMS.sign(bytes, with: credential, at: Self.date(atMs))
        try db.execute(sql: """
            INSERT INTO signed_rendition (code, media_type, sha256_hex, signature, signed_at_ms) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (code, media_type) DO UPDATE SET sha256_hex = excluded.sha256_hex, signature = excluded.signature,
                signed_at_ms = excluded.signed_at_ms
            """, arguments: [code, mediaType, Self.sha256Hex(bytes), signature, atMs])
        return code
    }

    /// The verification code of `documentNumber`'s valid record, nil when it has none (annulled,
    /// replaced without a successor under its number, or never signed).
    func validCode(documentNumber: String, _ db: any SQLConnection) throws -> String? {
        try validRecord(documentNumber: documentNumber, db)?["code"]
    }

    /// The valid record of `documentNumber`: its code and issuer.
    private func validRecord(documentNumber: String, _ db: any SQLConnection) throws -> SQLRow? {
        try SQLRow.fetchOne(db, sql: """
            SELECT code, issuer_code, issuer_name FROM signed_document WHERE document_number = ? AND status = 0 ORDER BY signed_at_ms DESC LIMIT 1
            """, arguments: [documentNumber])
    }

    // MARK: Records

    private func record(code: String, kind: String, documentNumber: String, fileID: String, title: String, dossierID: String,
                        receiptCode: String, issuer: Issuer, mediaType: String, bytes: Data, atMs: Int64,
                        replacing: (condition: String, arguments: SQLArguments), _ db: any SQLConnection) throws {
        let credential = try currentCredential(issuer, atMs: atMs, db)
        let signature = try CMS.sign(bytes, with: credential, at: Self.date(atMs))
        try db.execute(sql: "UPDATE signed_document SET status = 1, replaced_by = ? WHERE status = 0 AND \(replacing.condition)",
                       arguments: [code] + replacing.arguments)
        try db.execute(sql: """
            INSERT INTO signed_document (code, dossier_id, kind, document_number, file_id, document_type, issuer_code, issuer_name,
                                         receipt_code, signed_at_ms, certificate_sha256)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [code, dossierID, kind, documentNumber, fileID, title, issuer.code, issuer.name, receiptCode, atMs,
                             credential.certificate.sha256Hex])
        try db.execute(sql: """
            INSERT INTO signed_rendition (code, media_type, sha256_hex, signature, signed_at_ms) VALUES (?, ?, ?, ?, ?)
            """, arguments: [code, mediaType, Self.sha256Hex(bytes), signature, atMs])
    }

    /// The agency's credential now, its certificate kept for good. A revoked certificate never
    /// signs again: the demo CA issues a new one; with `signing_dir` the operator must.
    private func currentCredential(_ issuer: Issuer, atMs: Int64, _ db: any SQLConnection) throws -> SigningCredential {
        var credential = try loadCredential(issuer)
        if try isRevoked(credential, db) {
            guard keys.isDemo else {
                throw RPCError(.failedPrecondition,
                               "the signing certificate of \(issuer.code) (serial \(credential.certificate.serialHex)) is revoked: install a new one in signing_dir")
            }
            do { try keys.rotateDemo(agencyCode: issuer.code, agencyName: issuer.name) } catch let error as AgencySigningKeys.NoSpace {
                throw RPCError(.resourceExhausted, "signing: \(error)")
            } catch {
                throw RPCError(.internalError, "signing: \(error)")
            }
            credential = try loadCredential(issuer)
        }
        let certificate = credential.certificate
        try db.execute(sql: """
            INSERT INTO signing_certificate (sha256_hex, agency_code, serial_hex, subject, issuer, not_before_ms, not_after_ms,
                                             chain_pem, first_used_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256_hex) DO NOTHING
            """, arguments: [certificate.sha256Hex, issuer.code, certificate.serialHex, certificate.subject, certificate.issuer,
                             Int64(certificate.notBefore.timeIntervalSince1970 * 1000), Int64(certificate.notAfter.timeIntervalSince1970 * 1000),
                             credential.chainPEM, atMs])
        return credential
    }

    private func loadCredential(_ issuer: Issuer) throws -> SigningCredential {
        do {
            return try keys.credential(agencyCode: issuer.code, agencyName: issuer.name)
        } catch let error as AgencySigningKeys.NoSpace {
            throw RPCError(.resourceExhausted, "signing: \(error)")
        } catch {
            throw RPCError(.failedPrecondition, "signing: \(error)")
        }
    }

    private func isRevoked(_ credential: SigningCredential, _ db: any SQLConnection) throws -> Bool {
        try Int64.fetchOne(db, sql: "SELECT revoked_at_ms FROM signing_certificate WHERE sha256_hex = ?",
                           arguments: [credential.certificate.sha256Hex]) != nil
    }

    private func newCode(_ db: any SQLConnection) throws -> String {
        while true {
            let code = VerificationCode.random()
            if try !Bool(exists: db, code) { return code }
        }
    }

    // MARK: Reading, annulling, revoking

    /// What the verification page shows for `code`; nil when there is no such code. Every
    /// rendition's signature is checked again against the chain it was made with.
    func verification(code: String, _ db: any SQLConnection) throws -> DossierV1.Verification? {
        guard let normalized = VerificationCode.normalized(code),
              let row = try SQLRow.fetchOne(db, sql: """
                SELECT d.*, c.serial_hex, c.subject, c.issuer, c.not_before_ms, c.not_after_ms, c.chain_pem,
                       c.revoked_at_ms, c.revocation_reason
                FROM signed_document d JOIN signing_certificate c ON c.sha256_hex = d.certificate_sha256 WHERE d.code = ?
                """, arguments: [normalized])
        else { return nil }
        return try Self.verification(row, db)
    }

    /// The records of a dossier, newest first. Records of the same millisecond (one step's
    /// document and its result, say) come in a fixed order both backends agree on: a result
    /// before a document, a higher number before a lower one, as no insertion counter exists
    /// on PostgreSQL.
    func signatures(dossierID: String, _ db: any SQLConnection) throws -> [DossierV1.Verification] {
        try SQLRow.fetchAll(db, sql: """
            SELECT d.*, c.serial_hex, c.subject, c.issuer, c.not_before_ms, c.not_after_ms, c.chain_pem,
                   c.revoked_at_ms, c.revocation_reason
            FROM signed_document d JOIN signing_certificate c ON c.sha256_hex = d.certificate_sha256
            WHERE d.dossier_id = ? ORDER BY d.signed_at_ms DESC, d.kind DESC, d.document_number DESC, d.code
            """, arguments: [dossierID]).map { try Self.verification($0, db) }
    }

    private static func verification(_ row: SQLRow, _ db: any SQLConnection) throws -> DossierV1.Verification {
        var verification = DossierV1.Verification()
        verification.code = row["code"]
        verification.issuerAgencyCode = row["issuer_code"]
        verification.issuerAgencyName = row["issuer_name"]
        verification.documentType = row["document_type"]
        verification.documentNumber = row["document_number"]
        verification.receiptCode = row["receipt_code"]
        verification.signedAtUnixMs = row["signed_at_ms"]
        var certificate = DossierV1.SigningCertificateInfo()
        certificate.subject = row["subject"]
        certificate.issuer = row["issuer"]
        certificate.serialHex = row["serial_hex"]
        certificate.notBeforeUnixMs = row["not_before_ms"]
        certificate.notAfterUnixMs = row["not_after_ms"]
        certificate.chainPem = row["chain_pem"]
        let revokedAt: Int64? = row["revoked_at_ms"]
        certificate.revokedAtUnixMs = revokedAt ?? 0
        certificate.revocationReason = row["revocation_reason"]
        verification.certificate = certificate
        let renditions = try SQLRow.fetchAll(db, sql: """
            SELECT media_type, sha256_hex, signature, signed_at_ms FROM signed_rendition WHERE code = ? ORDER BY signed_at_ms, media_type
            """, arguments: [verification.code])
        verification.renditions = renditions.map { rendition in
            var signed = DossierV1.SignedRendition()
            signed.mediaType = rendition["media_type"]
            signed.sha256Hex = rendition["sha256_hex"]
            signed.signature = rendition["signature"]
            signed.signedAtUnixMs = rendition["signed_at_ms"]
            return signed
        }
        let status: Int = row["status"]
        verification.replacedBy = row["replaced_by"]
        verification.annulledAtUnixMs = (row["annulled_at_ms"] as Int64?) ?? 0
        verification.annulReason = row["annul_reason"]
        switch status {
        case 2: verification.status = .annulled
        case 1: verification.status = .replaced
        default: verification.status = .valid
        }
        if let revokedAt {
            if verification.signedAtUnixMs < revokedAt {
                verification.signedBeforeRevocation = true
            } else if verification.status == .valid || verification.status == .replaced {
                verification.status = .certificateRevoked
            }
        }
        return verification
    }

    /// Whether the signatures in `verification` verify against their chain, each at its signing
    /// time. The content is not kept here: a signature is checked over the bytes whose SHA-256
    /// the record holds, which the caller fetched (the document or the result file).
    static func check(_ signature: Data, content: Data, chainPEM: String, signedAtMs: Int64) -> Bool {
        CMS.verify(signature, content: content, trustedPEM: chainPEM, at: date(signedAtMs))
    }

    /// Annuls a record: an officer of its issuing agency, with a reason. A record already
    /// annulled is FAILED_PRECONDITION; a replaced one may still be annulled.
    func annul(code: String, reason: String, officer: String, agencyCode: String, atMs: Int64, _ db: any SQLConnection) throws {
        guard let normalized = VerificationCode.normalized(code),
              let row = try SQLRow.fetchOne(db, sql: "SELECT issuer_code, status FROM signed_document WHERE code = ?", arguments: [normalized])
        else { throw RPCError(.notFound, "Không có văn bản với mã xác minh \(code).", violations: [FieldViolation(field: "code", description: "unknown")]) }
        guard (row["issuer_code"] as String) == agencyCode else {
            throw RPCError(.permissionDenied, "only an officer of the issuing agency \(row["issuer_code"] as String) may annul document \(normalized)")
        }
        guard (row["status"] as Int) != 2 else {
            throw RPCError(.failedPrecondition, "Văn bản \(normalized) đã bị thu hồi trước đó.",
                           violations: [FieldViolation(field: "code", description: "already annulled")])
        }
        try db.execute(sql: """
            UPDATE signed_document SET status = 2, annulled_at_ms = ?, annulled_by = ?, annul_reason = ? WHERE code = ?
            """, arguments: [atMs, officer, reason, normalized])
    }

    /// Records the revocation of a certificate of `agencyCode` by its serial (hexadecimal, any
    /// case): documents it signed before `atMs` stay valid, later ones are not. Returns how many
    /// documents it had signed. Unknown serial: nil.
    static func revoke(agencyCode: String, serialHex: String, atMs: Int64, reason: String, _ db: any SQLConnection) throws -> Int? {
        let serial = serialHex.uppercased().replacingOccurrences(of: ":", with: "")
        guard let sha = try String.fetchOne(db, sql: "SELECT sha256_hex FROM signing_certificate WHERE agency_code = ? AND serial_hex = ?",
                                            arguments: [agencyCode, serial]) else { return nil }
        try db.execute(sql: "UPDATE signing_certificate SET revoked_at_ms = ?, revocation_reason = ? WHERE sha256_hex = ?",
                       arguments: [atMs, reason, sha])
        return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM signed_document WHERE certificate_sha256 = ?", arguments: [sha]) ?? 0
    }

    static func sha256Hex(_ bytes: Data) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
}

private extension Bool {
    init(exists db: any SQLConnection, _ code: String) throws {
        self = try Int.fetchOne(db, sql: "SELECT 1 FROM signed_document WHERE code = ?", arguments: [code]) != nil
    }
}
