import Storage

/// Numbers that must never be issued twice: receipt sequences per agency and local day, and
/// document numbers per agency, form and year. Each is taken inside the transaction that
/// uses it, so a crash either keeps both the number and its use, or neither; a number is
/// never handed out again. (The stored row's `last` is named by its table: PostgreSQL finds a
/// bare `last` ambiguous with `excluded.last`.)
enum Sequences {
    /// The next receipt sequence of `agency` on local day `day` (yyMMdd), from 1.
    static func nextReceipt(agency: String, day: String, _ db: any SQLConnection) throws -> Int {
        try Int.fetchOne(db, sql: """
            INSERT INTO receipt_sequence (agency_code, day, last) VALUES (?, ?, 1)
            ON CONFLICT (agency_code, day) DO UPDATE SET last = receipt_sequence.last + 1
            RETURNING last
            """, arguments: [agency, day]) ?? 1
    }

    /// The next number of document `form` of `agency` in `year`, from 1.
    static func nextDocument(agency: String, form: String, year: Int, _ db: any SQLConnection) throws -> Int {
        try Int.fetchOne(db, sql: """
            INSERT INTO document_sequence (agency_code, form, year, last) VALUES (?, ?, ?, 1)
            ON CONFLICT (agency_code, form, year) DO UPDATE SET last = document_sequence.last + 1
            RETURNING last
            """, arguments: [agency, form, year]) ?? 1
    }
}
