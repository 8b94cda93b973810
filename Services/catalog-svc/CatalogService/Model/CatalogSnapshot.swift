import DVCProto
import RPCCore

/// The whole catalog at one version, in memory: every read of catalog-svc is served from it
/// with no database access. A change writes to SQLite and then replaces the snapshot.
///
/// A city's catalog is small (thousands of procedures, hundreds of agencies), so holding it
/// is cheap and makes GetProcedure, GetEnabledLevel and Search fast and predictable.
struct CatalogSnapshot: Sendable {
    struct LevelKey: Hashable, Sendable {
        var agency: String
        var procedure: String
    }

    let version: UInt64
    let agencies: [String: CatalogV1.Agency]
    let childrenOf: [String: [String]]
    let fields: [String: CatalogV1.Field]
    let procedures: [String: CatalogV1.Procedure]
    /// Enabled level by (agency, procedure), as stored (the ceiling is applied when read).
    let levels: [LevelKey: UInt32]
    /// Agencies offering each procedure.
    let agenciesOffering: [String: [String]]
    let overrides: [String: CatalogV1.CalendarOverride]
    /// Procedure groups (liên thông) by code.
    let groups: [String: CatalogV1.ProcedureGroup]
    let searchIndex: SearchIndex

    init(
        version: UInt64,
        agencies: [CatalogV1.Agency],
        fields: [CatalogV1.Field],
        procedures: [CatalogV1.Procedure],
        levels: [CatalogV1.SetLevelRequest],
        overrides: [CatalogV1.CalendarOverride],
        groups: [CatalogV1.ProcedureGroup] = []
    ) {
        self.version = version
        self.agencies = Dictionary(agencies.map { ($0.code, $0) }, uniquingKeysWith: { $1 })
        var children: [String: [String]] = [:]
        for agency in agencies.sorted(by: { $0.code < $1.code }) {
            children[agency.parentCode, default: []].append(agency.code)
        }
        self.childrenOf = children
        self.fields = Dictionary(fields.map { ($0.code, $0) }, uniquingKeysWith: { $1 })
        self.procedures = Dictionary(procedures.map { ($0.code, $0) }, uniquingKeysWith: { $1 })
        var levelMap: [LevelKey: UInt32] = [:]
        var offering: [String: [String]] = [:]
        for level in levels where level.level > 0 {
            levelMap[LevelKey(agency: level.agencyCode, procedure: level.procedureCode)] = level.level
            offering[level.procedureCode, default: []].append(level.agencyCode)
        }
        self.levels = levelMap
        self.agenciesOffering = offering.mapValues { $0.sorted() }
        self.overrides = Dictionary(overrides.map { ($0.date, $0) }, uniquingKeysWith: { $1 })
        self.groups = Dictionary(groups.map { ($0.code, $0) }, uniquingKeysWith: { $1 })
        self.searchIndex = SearchIndex(procedures: procedures)
    }

    /// "agency\u{0}procedure" for every enabled level, as group validation wants it.
    var offeredPairs: Set<String> {
        Set(levels.keys.map { $0.agency + "\u{0}" + $0.procedure })
    }

    static let empty = CatalogSnapshot(version: 0, agencies: [], fields: [], procedures: [], levels: [], overrides: [])

    /// The level `agency` offers for `procedure`: 0 when it does not, and never above the
    /// agency's ceiling (a ceiling lowered later caps every level at once).
    func enabledLevel(agency: String, procedure: String) -> UInt32 {
        guard let stored = levels[LevelKey(agency: agency, procedure: procedure)], let owner = agencies[agency] else {
            return 0
        }
        return min(stored, owner.levelCeiling)
    }

    /// The highest level at which `procedure` is offered anywhere (or at `agency`).
    func bestLevel(procedure: String, agency: String? = nil) -> UInt32 {
        if let agency { return enabledLevel(agency: agency, procedure: procedure) }
        return (agenciesOffering[procedure] ?? []).map { enabledLevel(agency: $0, procedure: procedure) }.max() ?? 0
    }

    /// Every agency under `code`, at any depth, `code` included.
    func subtree(of code: String) -> Set<String> {
        var result: Set<String> = [code]
        var queue = [code]
        while let next = queue.popLast() {
            for child in childrenOf[next] ?? [] where result.insert(child).inserted {
                queue.append(child)
            }
        }
        return result
    }

    /// The whole catalog as one document (export).
    func document() -> CatalogV1.CatalogDocument {
        var document = CatalogV1.CatalogDocument()
        document.agencies = agencies.values.sorted { $0.code < $1.code }
        document.fields = fields.values.sorted { $0.code < $1.code }
        document.procedures = procedures.values.sorted { $0.code < $1.code }
        document.levels = levels.map { key, level in
            var entry = CatalogV1.SetLevelRequest()
            entry.agencyCode = key.agency
            entry.procedureCode = key.procedure
            entry.level = level
            return entry
        }.sorted { ($0.agencyCode, $0.procedureCode) < ($1.agencyCode, $1.procedureCode) }
        document.calendarOverrides = overrides.values.sorted { $0.date < $1.date }
        document.procedureGroups = groups.values.sorted { $0.code < $1.code }
        return document
    }
}

extension CatalogSnapshot {
    /// The agency with this code, or NOT_FOUND naming it and the request field it came from.
    func agency(_ code: String, field: String = "agency_code") throws -> CatalogV1.Agency {
        guard let agency = agencies[code] else {
            throw RPCError(.notFound, "agency \(code) does not exist",
                           violations: [FieldViolation(field: field, description: "unknown agency")])
        }
        return agency
    }

    /// The procedure with this code, or NOT_FOUND naming it and the request field it came from.
    func procedure(_ code: String, field: String = "procedure_code") throws -> CatalogV1.Procedure {
        guard let procedure = procedures[code] else {
            throw RPCError(.notFound, "procedure \(code) does not exist",
                           violations: [FieldViolation(field: field, description: "unknown procedure")])
        }
        return procedure
    }
}
