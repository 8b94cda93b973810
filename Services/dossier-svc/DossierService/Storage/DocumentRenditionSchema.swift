/// The kept renditions of the one-stop documents (`dossier.v14.renditions`): a document's PDF,
/// made from its stored HTML on the first request (docs/dossier.md "PDF rendition").
///
/// One row per document number and media type. `source_sha256_hex` is the digest of the HTML
/// it was made from: the processing-control slip is issued again under the same number at every
/// step, and a rendition of an older text is made again rather than served.
enum DocumentRenditionSchema {
    static let schema = """
        CREATE TABLE document_rendition (
            document_number TEXT NOT NULL REFERENCES document(number),
            media_type TEXT NOT NULL,
            source_sha256_hex TEXT NOT NULL,
            content BLOB NOT NULL,
            sha256_hex TEXT NOT NULL,
            created_at_ms INTEGER NOT NULL,
            PRIMARY KEY (document_number, media_type)
        ) STRICT;
        """

    /// `schema` in PostgreSQL: the same table.
    static let postgres = """
        CREATE TABLE document_rendition (
            document_number TEXT NOT NULL REFERENCES document(number),
            media_type TEXT NOT NULL,
            source_sha256_hex TEXT NOT NULL,
            content BYTEA NOT NULL,
            sha256_hex TEXT NOT NULL,
            created_at_ms BIGINT NOT NULL,
            PRIMARY KEY (document_number, media_type)
        );
        """
}
