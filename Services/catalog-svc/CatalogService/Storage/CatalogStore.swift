import DVCProto
import Foundation
import GRDB
import Storage

/// catalog-svc's SQLite database: the durable copy of the catalog, its form template bytes,
/// and the audit log of every change. Reads of the catalog go to `CatalogSnapshot`; this type
/// loads snapshots and applies changes, each in one transaction with its audit entry and a
/// new catalog version.
struct CatalogStore: Sendable {
    let database: ServiceDatabase

    /// One change: what it does to the database, and what the audit log says of it.
    struct Change: Sendable {
        var action: String
        var subject: String
        var beforeJSON: String
        var afterJSON: String
    }

    // MARK: Reading

    func isEmpty() throws -> Bool {
        try database.sqliteRead { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM agency") ?? 0 } == 0
    }

    func loadSnapshot() throws -> CatalogSnapshot {
        try database.sqliteRead { db in
            let version = try UInt64.fetchOne(db, sql: "SELECT version FROM catalog_version WHERE id = 1") ?? 0
            let agencies = try Self.decodeAll(CatalogV1.Agency.self, db, "SELECT record FROM agency")
            let fields = try Self.decodeAll(CatalogV1.Field.self, db, "SELECT record FROM field")
            let procedures = try Self.decodeAll(CatalogV1.Procedure.self, db, "SELECT record FROM procedure")
            let levels = try Row.fetchAll(db, sql: "SELECT agency_code, procedure_code, level FROM enabled_level").map { row in
                var level = CatalogV1.SetLevelRequest()
                level.agencyCode = row["agency_code"]
                level.procedureCode = row["procedure_code"]
                level.level = row["level"]
                return level
            }
            let overrides = try Row.fetchAll(db, sql: "SELECT date, working, reason FROM calendar_override").map { row in
                var entry = CatalogV1.CalendarOverride()
                entry.date = row["date"]
                entry.working = row["working"]
                entry.reason = row["reason"]
                return entry
            }
            let groups = try Self.decodeAll(CatalogV1.ProcedureGroup.self, db, "SELECT record FROM procedure_group")
            return CatalogSnapshot(version: version, agencies: agencies, fields: fields, procedures: procedures,
                                   levels: levels, overrides: overrides, groups: groups)
        }
    }

    func formContent(id: String) throws -> Data? {
        try database.sqliteRead { db in
            try Data.fetchOne(db, sql: "SELECT content FROM form_content WHERE form_id = ?", arguments: [id])
        }
    }

    func audit(pageSize: Int, beforeID: UInt64) throws -> [CatalogV1.AuditEntry] {
        try database.sqliteRead { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, actor, at_unix_ms, action, subject, before_json, after_json FROM audit
                WHERE id < ? ORDER BY id DESC LIMIT ?
                """, arguments: [beforeID == 0 ? Int64.max : Int64(beforeID), pageSize])
            return rows.map { row in
                var entry = CatalogV1.AuditEntry()
                entry.id = row["id"]
                entry.actor = row["actor"]
                entry.atUnixMs = row["at_unix_ms"]
                entry.action = row["action"]
                entry.subject = row["subject"]
                entry.beforeJson = row["before_json"]
                entry.afterJson = row["after_json"]
                return entry
            }
        }
    }

    // MARK: Writing

    /// Runs `apply` and records `change` in one transaction, bumping the catalog version.
    /// `apply` returns the audit entry's details, which often depend on what it found.
    func write(actor: String, _ apply: @escaping @Sendable (Database) throws -> Change) async throws -> UInt64 {
        try await database.sqliteWrite { db in
            let change = try apply(db)
            try db.execute(sql: "UPDATE catalog_version SET version = version + 1 WHERE id = 1")
            try db.execute(sql: """
                INSERT INTO audit (actor, at_unix_ms, action, subject, before_json, after_json)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [actor, UnixMillis.now(), change.action, change.subject,
                                 change.beforeJSON, change.afterJSON])
            return try UInt64.fetchOne(db, sql: "SELECT version FROM catalog_version WHERE id = 1") ?? 0
        }
    }

    static func putAgency(_ agency: CatalogV1.Agency, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO agency (code, parent_code, record) VALUES (?, ?, ?)
            ON CONFLICT (code) DO UPDATE SET parent_code = excluded.parent_code, record = excluded.record
            """, arguments: [agency.code, agency.parentCode, agency.protobufData])
    }

    static func putField(_ field: CatalogV1.Field, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO field (code, record) VALUES (?, ?)
            ON CONFLICT (code) DO UPDATE SET record = excluded.record
            """, arguments: [field.code, field.protobufData])
    }

    static func putProcedure(_ procedure: CatalogV1.Procedure, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO procedure (code, record) VALUES (?, ?)
            ON CONFLICT (code) DO UPDATE SET record = excluded.record
            """, arguments: [procedure.code, procedure.protobufData])
    }

    static func putGroup(_ group: CatalogV1.ProcedureGroup, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO procedure_group (code, record) VALUES (?, ?)
            ON CONFLICT (code) DO UPDATE SET record = excluded.record
            """, arguments: [group.code, group.protobufData])
    }

    static func putFormContent(procedureCode: String, form: CatalogV1.FormTemplate, content: Data, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO form_content (form_id, procedure_code, media_type, sha256_hex, content) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (form_id) DO UPDATE SET procedure_code = excluded.procedure_code,
                media_type = excluded.media_type, sha256_hex = excluded.sha256_hex, content = excluded.content
            """, arguments: [form.id, procedureCode, form.mediaType, form.sha256Hex, content])
    }

    static func setLevel(agency: String, procedure: String, level: UInt32, _ db: Database) throws {
        if level == 0 {
            try db.execute(sql: "DELETE FROM enabled_level WHERE agency_code = ? AND procedure_code = ?",
                           arguments: [agency, procedure])
        } else {
            try db.execute(sql: """
                INSERT INTO enabled_level (agency_code, procedure_code, level) VALUES (?, ?, ?)
                ON CONFLICT (agency_code, procedure_code) DO UPDATE SET level = excluded.level
                """, arguments: [agency, procedure, level])
        }
    }

    static func setOverride(_ entry: CatalogV1.CalendarOverride, remove: Bool, _ db: Database) throws {
        if remove {
            try db.execute(sql: "DELETE FROM calendar_override WHERE date = ?", arguments: [entry.date])
        } else {
            try db.execute(sql: """
                INSERT INTO calendar_override (date, working, reason) VALUES (?, ?, ?)
                ON CONFLICT (date) DO UPDATE SET working = excluded.working, reason = excluded.reason
                """, arguments: [entry.date, entry.working, entry.reason])
        }
    }

    static func record<M: ProtoMessage>(_ type: M.Type, _ db: Database, _ sql: String, _ key: String) throws -> M? {
        guard let data = try Data.fetchOne(db, sql: sql, arguments: [key]) else { return nil }
        return try M(protobuf: data)
    }

    private static func decodeAll<M: ProtoMessage>(_ type: M.Type, _ db: Database, _ sql: String) throws -> [M] {
        try Data.fetchAll(db, sql: sql).map { try M(protobuf: $0) }
    }
}
