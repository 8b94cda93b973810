import DVCProto
import Foundation
import GRDB
import RPCCore
import Storage

/// Templates as data: every save is a new version of its key, the latest is the one used, and
/// the text is checked (placeholders, braces) before anything is stored.
struct TemplateStore: Sendable {
    let database: ServiceDatabase

    /// The longest SMS text accepted: three concatenated GSM-7 segments.
    static let smsLimit = 459

    /// Inserts version 1 of every default template whose key has no version yet.
    func seedDefaults() throws {
        try database.sqliteWrite { db in
            for entry in DefaultTemplates.all {
                try db.execute(
                    sql: """
                        INSERT INTO template (key, version, subject, body, sms, updated_by, updated_at)
                        SELECT ?, 1, ?, ?, ?, 'seed', ? WHERE NOT EXISTS (SELECT 1 FROM template WHERE key = ?)
                        """,
                    arguments: [entry.key, entry.subject, entry.body, entry.sms, UnixMillis.now(), entry.key])
            }
        }
    }

    func list() async throws -> [NotifyV1.Template] {
        try await database.sqliteRead { db in
            try Row.fetchAll(db, sql: """
                SELECT t.* FROM template t
                WHERE t.version = (SELECT MAX(version) FROM template WHERE key = t.key)
                ORDER BY t.key
                """).map(Self.template)
        }
    }

    /// One version of a template (0: the latest), or NOT_FOUND.
    func get(key: String, version: UInt32) async throws -> NotifyV1.Template {
        let found = try await database.sqliteRead { db in try Self.fetch(key: key, version: version, db) }
        guard let found else {
            throw RPCError(.notFound, version == 0
                ? "no template '\(key)'; known keys: \(DefaultTemplates.keys.sorted().joined(separator: ", "))"
                : "template '\(key)' has no version \(version)")
        }
        return found
    }

    /// Checks and saves a new version of `request.key`.
    func put(_ request: NotifyV1.PutTemplateRequest, by actor: String) async throws -> NotifyV1.Template {
        // Text enters the platform as NFC (docs/domain.md, "Text, money and time"): "Nguyễn" typed
        // with combining marks is stored as the precomposed form, like everything else a citizen
        // reads.
        var request = request
        request.subject = request.subject.precomposedStringWithCanonicalMapping
        request.body = request.body.precomposedStringWithCanonicalMapping
        request.sms = request.sms.precomposedStringWithCanonicalMapping
        try Self.validate(request)
        let checked = request
        return try await database.sqliteWrite { db in
            let latest = try Int64.fetchOne(db, sql: "SELECT MAX(version) FROM template WHERE key = ?", arguments: [checked.key]) ?? 0
            try db.execute(
                sql: "INSERT INTO template (key, version, subject, body, sms, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [checked.key, latest + 1, checked.subject, checked.body, checked.sms, actor, UnixMillis.now()])
            return try Self.fetch(key: checked.key, version: UInt32(latest + 1), db)!
        }
    }

    /// INVALID_ARGUMENT with one violation per bad field, each saying what to change.
    static func validate(_ request: NotifyV1.PutTemplateRequest) throws {
        var violations: [FieldViolation] = []
        if !DefaultTemplates.keys.contains(request.key) {
            violations.append(FieldViolation(
                field: "key",
                description: "'\(request.key)' is not a notification kind; known: \(DefaultTemplates.keys.sorted().joined(separator: ", "))"))
        }
        let fields: [(String, String)] = [("subject", request.subject), ("body", request.body), ("sms", request.sms)]
        for (field, text) in fields {
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                violations.append(FieldViolation(field: field, description: "must not be empty"))
                continue
            }
            do {
                _ = try TemplateText(text)
            } catch {
                violations.append(FieldViolation(field: field, description: error.description))
            }
        }
        if request.subject.contains("\n") || request.subject.contains("\r") {
            violations.append(FieldViolation(field: "subject", description: "must be one line (it becomes the email's Subject header)"))
        }
        if request.sms.count > smsLimit {
            violations.append(FieldViolation(field: "sms", description: "is \(request.sms.count) characters; at most \(smsLimit) (three SMS segments)"))
        }
        if !violations.isEmpty {
            throw RPCError(.invalidArgument,
                           violations.map { "\($0.field): \($0.description)" }.joined(separator: "; "),
                           violations: violations)
        }
    }

    /// The latest version of `key` inside a transaction (the intake renders with it).
    static func latest(key: String, _ db: Database) throws -> NotifyV1.Template? {
        try fetch(key: key, version: 0, db)
    }

    static func fetch(key: String, version: UInt32, _ db: Database) throws -> NotifyV1.Template? {
        let row = version == 0
            ? try Row.fetchOne(db, sql: "SELECT * FROM template WHERE key = ? ORDER BY version DESC LIMIT 1", arguments: [key])
            : try Row.fetchOne(db, sql: "SELECT * FROM template WHERE key = ? AND version = ?", arguments: [key, Int64(version)])
        return row.map(template)
    }

    static func template(_ row: Row) -> NotifyV1.Template {
        var template = NotifyV1.Template()
        template.key = row["key"]
        template.version = UInt32(row["version"] as Int64)
        template.subject = row["subject"]
        template.body = row["body"]
        template.sms = row["sms"]
        template.updatedBy = row["updated_by"]
        template.updatedAtUnixMs = row["updated_at"]
        return template
    }
}
