import DVCProto
import Foundation
import GRDB
import Logging
import RPCCore
import Synchronization

/// The catalog: the current snapshot for reads, the store for changes.
///
/// Reads take the snapshot under a lock and work on it without holding the lock. A change
/// is validated against the snapshot, written in one transaction with its audit entry, and
/// followed by a reload; snapshots only ever move forward in version.
final class Catalog: Sendable {
    let store: CatalogStore
    private let current: Mutex<CatalogSnapshot>
    private let logger: Logger

    init(store: CatalogStore, logger: Logger) throws {
        self.store = store
        self.logger = logger
        self.current = Mutex(try store.loadSnapshot())
    }

    var snapshot: CatalogSnapshot { current.withLock { $0 } }

    private func reload() throws {
        let fresh = try store.loadSnapshot()
        current.withLock { snapshot in
            if fresh.version >= snapshot.version { snapshot = fresh }
        }
    }

    // MARK: Changes

    func putAgency(_ agency: CatalogV1.Agency, actor: String) async throws -> UInt64 {
        let current = snapshot
        try CatalogValidation.agency(agency, in: current)
        var agencies = current.agencies
        agencies[agency.code] = agency
        try CatalogValidation.receivesFor(agency, agencies: agencies)
        let version = try await store.write(actor: actor) { db in
            let before = try CatalogStore.record(CatalogV1.Agency.self, db, "SELECT record FROM agency WHERE code = ?", agency.code)
            try CatalogStore.putAgency(agency, db)
            return .init(action: before == nil ? "agency.create" : "agency.update", subject: agency.code,
                         beforeJSON: AuditJSON.of(before), afterJSON: AuditJSON.of(agency))
        }
        try reload()
        return version
    }

    func putProcedure(_ incoming: CatalogV1.Procedure, actor: String) async throws -> UInt64 {
        let current = snapshot
        try CatalogValidation.procedure(incoming, in: current)
        var procedure = incoming
        // Templates are uploaded with PutForm; keep what is known of the stored ones.
        let stored = current.procedures[procedure.code]
        procedure.forms = procedure.forms.map { form in
            var kept = form
            if let known = stored?.forms.first(where: { $0.id == form.id }) {
                kept.mediaType = known.mediaType
                kept.sizeBytes = known.sizeBytes
                kept.sha256Hex = known.sha256Hex
            } else {
                kept.sizeBytes = 0
                kept.sha256Hex = ""
            }
            return kept
        }
        let final = procedure
        let version = try await store.write(actor: actor) { db in
            let before = try CatalogStore.record(CatalogV1.Procedure.self, db, "SELECT record FROM procedure WHERE code = ?", final.code)
            try CatalogStore.putProcedure(final, db)
            return .init(action: before == nil ? "procedure.create" : "procedure.update", subject: final.code,
                         beforeJSON: AuditJSON.of(before), afterJSON: AuditJSON.of(final))
        }
        try reload()
        return version
    }

    func putForm(procedureCode: String, form incoming: CatalogV1.FormTemplate, content: Data, actor: String) async throws -> UInt64 {
        guard var procedure = snapshot.procedures[procedureCode] else {
            throw RPCError(.notFound, "procedure \(procedureCode) does not exist",
                           violations: [FieldViolation(field: "procedure_code", description: "unknown procedure")])
        }
        let form = try CatalogValidation.form(incoming, content: content)
        let before = procedure.forms.first { $0.id == form.id }
        if let index = procedure.forms.firstIndex(where: { $0.id == form.id }) {
            procedure.forms[index] = form
        } else {
            procedure.forms.append(form)
        }
        let updated = procedure
        let version = try await store.write(actor: actor) { db in
            try CatalogStore.putProcedure(updated, db)
            try CatalogStore.putFormContent(procedureCode: procedureCode, form: form, content: content, db)
            return .init(action: before == nil ? "form.create" : "form.update", subject: "\(procedureCode)/\(form.id)",
                         beforeJSON: AuditJSON.of(before), afterJSON: AuditJSON.of(form))
        }
        try reload()
        return version
    }

    func setLevel(_ request: CatalogV1.SetLevelRequest, actor: String) async throws -> UInt64 {
        let current = snapshot
        try CatalogValidation.level(request, in: current)
        let stored = current.levels[.init(agency: request.agencyCode, procedure: request.procedureCode)] ?? 0
        let version = try await store.write(actor: actor) { db in
            try CatalogStore.setLevel(agency: request.agencyCode, procedure: request.procedureCode, level: request.level, db)
            return .init(action: "level.set", subject: "\(request.agencyCode)/\(request.procedureCode)",
                         beforeJSON: "{\"level\":\(stored)}", afterJSON: "{\"level\":\(request.level)}")
        }
        try reload()
        return version
    }

    func setCalendarOverride(_ request: CatalogV1.SetCalendarOverrideRequest, actor: String) async throws -> UInt64 {
        let entry = request.entry ?? CatalogV1.CalendarOverride()
        try CatalogValidation.calendarOverride(entry, removing: request.remove)
        let before = snapshot.overrides[entry.date]
        if request.remove, before == nil {
            throw RPCError(.notFound, "no calendar override on \(entry.date)")
        }
        let version = try await store.write(actor: actor) { db in
            try CatalogStore.setOverride(entry, remove: request.remove, db)
            return .init(action: request.remove ? "calendar.remove" : "calendar.set", subject: entry.date,
                         beforeJSON: AuditJSON.of(before), afterJSON: request.remove ? "" : AuditJSON.of(entry))
        }
        try reload()
        return version
    }

    /// Replaces nothing: adds or updates every record of the document, in one transaction, so
    /// an import either fully happens or not at all. Records are checked against the catalog
    /// as it will be after the import (a procedure may use a field the same file adds).
    func importDocument(_ document: CatalogV1.CatalogDocument, formContents: [String: Data], actor: String) async throws -> UInt64 {
        var checked: [CatalogV1.Procedure] = []
        var contents: [(procedure: String, form: CatalogV1.FormTemplate, content: Data)] = []
        // Validate in dependency order against a growing picture of the catalog.
        let base = snapshot
        var agencies = Array(base.agencies.values)
        var fields = Array(base.fields.values)
        func picture() -> CatalogSnapshot {
            CatalogSnapshot(version: base.version, agencies: agencies, fields: fields,
                            procedures: Array(base.procedures.values) + checked, levels: [], overrides: [])
        }
        for agency in Self.parentsFirst(document.agencies) {
            try CatalogValidation.agency(agency, in: picture())
            agencies.removeAll { $0.code == agency.code }
            agencies.append(agency)
        }
        let allAgencies = Dictionary(agencies.map { ($0.code, $0) }, uniquingKeysWith: { $1 })
        for agency in document.agencies {
            try CatalogValidation.receivesFor(agency, agencies: allAgencies)
        }
        for field in document.fields {
            guard CatalogValidation.isCode(field.code), !field.name.isEmpty else {
                throw RPCError.invalidArgument(field: "catalog.fields", "field \(field.code) needs a code and a name")
            }
            fields.removeAll { $0.code == field.code }
            fields.append(field)
        }
        for procedure in document.procedures {
            try CatalogValidation.procedure(procedure, in: picture())
            var withForms = procedure
            for (index, form) in procedure.forms.enumerated() {
                guard let content = formContents[form.id] else {
                    throw RPCError.invalidArgument(field: "form_contents[\(form.id)]",
                                                   "procedure \(procedure.code) declares form \(form.id) but no template bytes came with it")
                }
                let checkedForm = try CatalogValidation.form(form, content: content)
                withForms.forms[index] = checkedForm
                contents.append((procedure.code, checkedForm, content))
            }
            checked.append(withForms)
        }
        let after = picture()
        let levelsPicture = CatalogSnapshot(version: 0, agencies: agencies, fields: fields,
                                            procedures: Array(after.procedures.values), levels: [], overrides: [])
        for level in document.levels {
            try CatalogValidation.level(level, in: levelsPicture)
        }
        for entry in document.calendarOverrides {
            try CatalogValidation.calendarOverride(entry, removing: false)
        }
        var offered = base.offeredPairs
        for level in document.levels {
            let pair = level.agencyCode + "\u{0}" + level.procedureCode
            if level.level == 0 { offered.remove(pair) } else { offered.insert(pair) }
        }
        var groupCodes: Set<String> = []
        for (index, group) in document.procedureGroups.enumerated() {
            try CatalogValidation.group(group, field: "catalog.procedure_groups[\(index)]", agencies: allAgencies,
                                        procedures: after.procedures, offered: offered)
            guard groupCodes.insert(group.code).inserted else {
                throw RPCError.invalidArgument(field: "catalog.procedure_groups[\(index)].code", "duplicate group \(group.code)")
            }
        }
        let procedures = checked
        let files = contents
        let version = try await store.write(actor: actor) { db in
            for agency in Self.parentsFirst(document.agencies) { try CatalogStore.putAgency(agency, db) }
            for field in document.fields { try CatalogStore.putField(field, db) }
            for procedure in procedures { try CatalogStore.putProcedure(procedure, db) }
            for file in files {
                try CatalogStore.putFormContent(procedureCode: file.procedure, form: file.form, content: file.content, db)
            }
            for level in document.levels {
                try CatalogStore.setLevel(agency: level.agencyCode, procedure: level.procedureCode, level: level.level, db)
            }
            for entry in document.calendarOverrides { try CatalogStore.setOverride(entry, remove: false, db) }
            for group in document.procedureGroups { try CatalogStore.putGroup(group, db) }
            let summary = "{\"agencies\":\(document.agencies.count),\"fields\":\(document.fields.count),"
                + "\"procedures\":\(procedures.count),\"levels\":\(document.levels.count),"
                + "\"calendar_overrides\":\(document.calendarOverrides.count),"
                + "\"procedure_groups\":\(document.procedureGroups.count)}"
            return .init(action: "catalog.import", subject: "catalog", beforeJSON: "", afterJSON: summary)
        }
        try reload()
        logger.info("catalog imported", metadata: ["version": "\(version)", "procedures": "\(procedures.count)"])
        return version
    }

    /// Agencies ordered so that every parent comes before its children.
    static func parentsFirst(_ agencies: [CatalogV1.Agency]) -> [CatalogV1.Agency] {
        let codes = Set(agencies.map(\.code))
        var placed: Set<String> = []
        var ordered: [CatalogV1.Agency] = []
        var remaining = agencies
        while !remaining.isEmpty {
            let ready = remaining.filter { $0.parentCode.isEmpty || !codes.contains($0.parentCode) || placed.contains($0.parentCode) }
            // A cycle inside the file: place the rest as they are; validation refuses them.
            let batch = ready.isEmpty ? remaining : ready
            for agency in batch { placed.insert(agency.code) }
            ordered.append(contentsOf: batch)
            remaining.removeAll { placed.contains($0.code) }
        }
        return ordered
    }
}
