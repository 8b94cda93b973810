import Crypto
import DVCProto
import Foundation
import OneStop
import RPCCore
import Storage

/// The PDF renditions of the one-stop documents (docs/dossier.md "PDF rendition").
///
/// dossier-svc issues its documents as HTML with A4 print CSS, in the same transaction as the
/// step that issues them; a PDF is made only when someone asks for one, from the stored HTML,
/// and then kept in `document_rendition`: the submission path pays nothing for it, and most
/// documents are never wanted as PDF. A document issued again under the same number (the
/// processing-control slip, at every step) is rendered again from its new text.
struct DocumentRenditions: Sendable {
    static let pdf = "application/pdf"

    let book: DossierBook
    let renderer: WeasyPrintRenderer

    init(book: DossierBook, renderer: WeasyPrintRenderer) {
        self.book = book
        self.renderer = renderer
    }

    /// The rendition of a document of a dossier `actor` may see, with that dossier (what the
    /// access log records the read under).
    func rendition(_ request: DossierV1.GetDocumentRenditionRequest,
                   for actor: DossierActor) async throws -> (dossier: DossierV1.Dossier, rendition: DossierV1.DocumentRendition) {
        guard request.mediaType.isEmpty || request.mediaType == Self.pdf else {
            throw RPCError.invalidArgument(field: "media_type", "only \(Self.pdf) is made (got '\(request.mediaType)')")
        }
        guard !request.form.isEmpty else { throw RPCError.invalidArgument(field: "form", "required (the form's number, e.g. 01)") }
        let dossier = try await book.get(id: request.dossierId, for: actor)
        let document = try Self.document(request, in: dossier, for: actor)
        let source = Self.hex(SHA256.hash(data: document.content))

        if let kept = try await kept(document.number, source: source) {
            return (dossier, Self.rendition(document, dossier: dossier.id, kept: kept, renderedNow: false))
        }
        let pdf: Data
        do {
            pdf = try await renderer.pdf(fromHTML: document.content)
        } catch let failure as WeasyPrintRenderer.Failure {
            throw RPCError(.unavailable, "the PDF of document \(document.number) could not be made: \(failure.description)")
        }
        let made = Kept(content: pdf, sha256Hex: Self.hex(SHA256.hash(data: pdf)), sourceSHA256Hex: source,
                        createdAtMs: Int64(Date().timeIntervalSince1970 * 1000))
        try await book.database.write { db in
            try db.execute(sql: """
                INSERT INTO document_rendition (document_number, media_type, source_sha256_hex, content, sha256_hex, created_at_ms)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (document_number, media_type) DO UPDATE SET source_sha256_hex = excluded.source_sha256_hex,
                    content = excluded.content, sha256_hex = excluded.sha256_hex, created_at_ms = excluded.created_at_ms
                """, arguments: [document.number, Self.pdf, made.sourceSHA256Hex, made.content, made.sha256Hex, made.createdAtMs])
            // The PDF carries the page's QR code and is signed under the page's verification
            // code in the same transaction, so the public page recognises either file
            // (docs/signatures.md). A page annulled or never signed gets no new signature: its
            // code already says what it is.
            if let signatures = book.signatures, try signatures.validCode(documentNumber: document.number, db) != nil {
                try signatures.sign(bytes: pdf, documentNumber: document.number, rendition: Self.pdf, atMs: made.createdAtMs, db)
            }
        }
        return (dossier, Self.rendition(document, dossier: dossier.id, kept: made, renderedNow: true))
    }

    /// The issue asked for: by number, else the latest of the form. A citizen never gets the
    /// control slip (the agency's own record), as their dossier's page never lists it.
    static func document(_ request: DossierV1.GetDocumentRenditionRequest, in dossier: DossierV1.Dossier,
                         for actor: DossierActor) throws -> DossierV1.DossierDocument {
        var candidates = dossier.documents.filter { $0.form == request.form }
        if case .citizen = actor { candidates.removeAll { !$0.isForCitizens } }
        if !request.number.isEmpty { candidates.removeAll { $0.number != request.number } }
        guard let document = candidates.max(by: { ($0.issuedAtUnixMs, $0.number) < ($1.issuedAtUnixMs, $1.number) }) else {
            throw RPCError(.notFound, "dossier \(dossier.id) has no document of form \(request.form)"
                           + (request.number.isEmpty ? "" : " numbered \(request.number)"),
                           violations: [FieldViolation(field: request.number.isEmpty ? "form" : "number", description: "no such document")])
        }
        guard document.mediaType.hasPrefix("text/html") else {
            throw RPCError(.failedPrecondition, "document \(document.number) is \(document.mediaType), not HTML: no PDF is made of it")
        }
        return document
    }

    struct Kept: Sendable {
        var content: Data
        var sha256Hex: String
        var sourceSHA256Hex: String
        var createdAtMs: Int64
    }

    /// The kept rendition, if it was made from this very HTML.
    private func kept(_ number: String, source: String) async throws -> Kept? {
        try await book.database.read { db in
            try SQLRow.fetchOne(db, sql: """
                SELECT content, sha256_hex, source_sha256_hex, created_at_ms FROM document_rendition
                WHERE document_number = ? AND media_type = ? AND source_sha256_hex = ?
                """, arguments: [number, Self.pdf, source]).map {
                Kept(content: $0["content"], sha256Hex: $0["sha256_hex"], sourceSHA256Hex: $0["source_sha256_hex"],
                     createdAtMs: $0["created_at_ms"])
            }
        }
    }

    static func rendition(_ document: DossierV1.DossierDocument, dossier: String, kept: Kept,
                          renderedNow: Bool) -> DossierV1.DocumentRendition {
        var rendition = DossierV1.DocumentRendition()
        rendition.dossierId = dossier
        rendition.form = document.form
        rendition.number = document.number
        rendition.circular = document.circular
        rendition.mediaType = pdf
        rendition.content = kept.content
        rendition.sha256Hex = kept.sha256Hex
        rendition.sourceSha256Hex = kept.sourceSHA256Hex
        rendition.createdAtUnixMs = kept.createdAtMs
        rendition.renderedNow = renderedNow
        return rendition
    }

    static func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }
}
