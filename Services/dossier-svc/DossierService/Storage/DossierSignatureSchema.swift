/// The signatures of what dossier-svc issues and their verification records
/// (`dossier.v13.signatures`, docs/signatures.md).
///
/// - `signing_certificate`: every certificate that ever signed, with the chain to its CA, kept
///   for good so a document signed years ago still shows and verifies with its own certificate
///   after the agency's key is rotated; `revoked_at_ms` is set by `dossier-svc signing revoke`.
/// - `signed_document`: one row per verification code: what was signed (a one-stop document by
///   its number, or a result file), by which agency, when, with which certificate, and its
///   status (0 valid, 1 replaced by `replaced_by`, 2 annulled by an officer with a reason).
/// - `signed_rendition`: the bytes signed under a code, one row per rendition (the HTML page as
///   issued; later e.g. its PDF), by their SHA-256, with the CMS signature (DER).
enum DossierSignatureSchema {
    static let schema = """
        CREATE TABLE signing_certificate (
            sha256_hex TEXT PRIMARY KEY,
            agency_code TEXT NOT NULL,
            serial_hex TEXT NOT NULL,
            subject TEXT NOT NULL,
            issuer TEXT NOT NULL,
            not_before_ms INTEGER NOT NULL,
            not_after_ms INTEGER NOT NULL,
            chain_pem TEXT NOT NULL,
            first_used_ms INTEGER NOT NULL,
            revoked_at_ms INTEGER,
            revocation_reason TEXT NOT NULL DEFAULT ''
        ) STRICT;
        CREATE INDEX signing_certificate_agency ON signing_certificate (agency_code, serial_hex);
        CREATE TABLE signed_document (
            code TEXT PRIMARY KEY,
            dossier_id TEXT NOT NULL REFERENCES dossier(id),
            kind TEXT NOT NULL CHECK (kind IN ('document', 'result')),
            document_number TEXT NOT NULL,
            file_id TEXT NOT NULL,
            document_type TEXT NOT NULL,
            issuer_code TEXT NOT NULL,
            issuer_name TEXT NOT NULL,
            receipt_code TEXT NOT NULL,
            signed_at_ms INTEGER NOT NULL,
            certificate_sha256 TEXT NOT NULL REFERENCES signing_certificate(sha256_hex),
            status INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2)),
            replaced_by TEXT NOT NULL DEFAULT '',
            annulled_at_ms INTEGER,
            annulled_by TEXT NOT NULL DEFAULT '',
            annul_reason TEXT NOT NULL DEFAULT ''
        ) STRICT;
        CREATE INDEX signed_document_number ON signed_document (document_number, status);
        CREATE INDEX signed_document_dossier ON signed_document (dossier_id, kind, status);
        CREATE TABLE signed_rendition (
            code TEXT NOT NULL REFERENCES signed_document(code),
            media_type TEXT NOT NULL,
            sha256_hex TEXT NOT NULL,
            signature BLOB NOT NULL,
            signed_at_ms INTEGER NOT NULL,
            PRIMARY KEY (code, media_type)
        ) STRICT;
        """

    /// `schema` in PostgreSQL: the same tables, columns and indexes.
    static let postgres = """
        CREATE TABLE signing_certificate (
            sha256_hex TEXT PRIMARY KEY,
            agency_code TEXT NOT NULL,
            serial_hex TEXT NOT NULL,
            subject TEXT NOT NULL,
            issuer TEXT NOT NULL,
            not_before_ms BIGINT NOT NULL,
            not_after_ms BIGINT NOT NULL,
            chain_pem TEXT NOT NULL,
            first_used_ms BIGINT NOT NULL,
            revoked_at_ms BIGINT,
            revocation_reason TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX signing_certificate_agency ON signing_certificate (agency_code, serial_hex);
        CREATE TABLE signed_document (
            code TEXT PRIMARY KEY,
            dossier_id TEXT NOT NULL REFERENCES dossier(id),
            kind TEXT NOT NULL CHECK (kind IN ('document', 'result')),
            document_number TEXT NOT NULL,
            file_id TEXT NOT NULL,
            document_type TEXT NOT NULL,
            issuer_code TEXT NOT NULL,
            issuer_name TEXT NOT NULL,
            receipt_code TEXT NOT NULL,
            signed_at_ms BIGINT NOT NULL,
            certificate_sha256 TEXT NOT NULL REFERENCES signing_certificate(sha256_hex),
            status BIGINT NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2)),
            replaced_by TEXT NOT NULL DEFAULT '',
            annulled_at_ms BIGINT,
            annulled_by TEXT NOT NULL DEFAULT '',
            annul_reason TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX signed_document_number ON signed_document (document_number, status);
        CREATE INDEX signed_document_dossier ON signed_document (dossier_id, kind, status);
        CREATE TABLE signed_rendition (
            code TEXT NOT NULL REFERENCES signed_document(code),
            media_type TEXT NOT NULL,
            sha256_hex TEXT NOT NULL,
            signature BYTEA NOT NULL,
            signed_at_ms BIGINT NOT NULL,
            PRIMARY KEY (code, media_type)
        );
        """
}
