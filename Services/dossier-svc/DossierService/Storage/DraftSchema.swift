/// Drafts (`dossier.v11.drafts`, docs/drafts.md): a citizen's dossier not yet submitted, its
/// files, and what became of a submitted draft.
///
/// `draft_file` rows name their bytes by SHA-256 in the same content-addressed store as the
/// dossiers' attachments (`AttachmentStore`), so submitting a draft stores nothing twice.
/// `draft_submission` remembers, for a while, which dossier a submitted draft became and under
/// which idempotency key, so a retried submission answers the same dossier once the draft is gone.
enum DraftSchema {
    static let schema = """
        CREATE TABLE draft (
            id TEXT PRIMARY KEY NOT NULL,
            owner_id TEXT NOT NULL,
            agency_code TEXT NOT NULL,
            procedure_code TEXT NOT NULL,
            form_data TEXT NOT NULL,
            version INTEGER NOT NULL,
            created_at_ms INTEGER NOT NULL,
            updated_at_ms INTEGER NOT NULL,
            expires_at_ms INTEGER NOT NULL,
            -- When the notice of the coming deletion was queued; NULL until then (a save clears it).
            noticed_at_ms INTEGER
        ) STRICT;
        CREATE INDEX draft_owner ON draft (owner_id, updated_at_ms);
        CREATE INDEX draft_expiry ON draft (expires_at_ms);
        CREATE TABLE draft_file (
            id TEXT PRIMARY KEY NOT NULL,
            draft_id TEXT NOT NULL REFERENCES draft(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            media_type TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            sha256_hex TEXT NOT NULL,
            required_document TEXT NOT NULL
        ) STRICT;
        CREATE INDEX draft_file_draft ON draft_file (draft_id, position);
        CREATE INDEX draft_file_sha ON draft_file (sha256_hex);
        CREATE TABLE draft_submission (
            draft_id TEXT PRIMARY KEY NOT NULL,
            owner_id TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            dossier_id TEXT NOT NULL,
            submitted_at_ms INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX draft_submission_age ON draft_submission (submitted_at_ms);
        """

    /// `schema` in PostgreSQL: the same tables, columns and indexes.
    static let postgres = """
        CREATE TABLE draft (
            id TEXT PRIMARY KEY NOT NULL,
            owner_id TEXT NOT NULL,
            agency_code TEXT NOT NULL,
            procedure_code TEXT NOT NULL,
            form_data TEXT NOT NULL,
            version BIGINT NOT NULL,
            created_at_ms BIGINT NOT NULL,
            updated_at_ms BIGINT NOT NULL,
            expires_at_ms BIGINT NOT NULL,
            noticed_at_ms BIGINT
        );
        CREATE INDEX draft_owner ON draft (owner_id, updated_at_ms);
        CREATE INDEX draft_expiry ON draft (expires_at_ms);
        CREATE TABLE draft_file (
            id TEXT PRIMARY KEY NOT NULL,
            draft_id TEXT NOT NULL REFERENCES draft(id) ON DELETE CASCADE,
            position BIGINT NOT NULL,
            name TEXT NOT NULL,
            media_type TEXT NOT NULL,
            size_bytes BIGINT NOT NULL,
            sha256_hex TEXT NOT NULL,
            required_document TEXT NOT NULL
        );
        CREATE INDEX draft_file_draft ON draft_file (draft_id, position);
        CREATE INDEX draft_file_sha ON draft_file (sha256_hex);
        CREATE TABLE draft_submission (
            draft_id TEXT PRIMARY KEY NOT NULL,
            owner_id TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            dossier_id TEXT NOT NULL,
            submitted_at_ms BIGINT NOT NULL
        );
        CREATE INDEX draft_submission_age ON draft_submission (submitted_at_ms);
        """
}
