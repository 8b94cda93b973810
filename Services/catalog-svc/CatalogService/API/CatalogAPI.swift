import DVCProto
import Foundation
import RPCCore
import ServiceKit

/// `dvc.catalog.v1.CatalogService` over RPC. Reads answer from the in-memory snapshot; changes
/// go through `Catalog`, which validates, writes and records them.
struct CatalogAPI: RegistrableRPCService {
    typealias Service = CatalogV1.CatalogService

    let catalog: Catalog

    /// Longest search query accepted, in characters: long enough for any real query, short
    /// enough that nobody makes the server fold megabytes of text.
    static let maximumQueryLength = 256
    static let defaultPageSize: UInt32 = 20
    static let maximumPageSize: UInt32 = 100

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.listAgencies) { request, _ in listAgencies(request) }
        router.register(Service.getAgency) { request, _ in try getAgency(request) }
        router.register(Service.listFields) { _, _ in listFields() }
        router.register(Service.getProcedure) { request, _ in try getProcedure(request) }
        router.register(Service.searchProcedures) { request, _ in try search(request) }
        router.register(Service.getEnabledLevel) { request, _ in try enabledLevel(request) }
        router.register(Service.getForm) { request, _ in try await form(request) }
        router.register(Service.computeAppointment) { request, _ in try computeAppointment(request) }
        router.register(Service.listHolidays) { request, _ in try listHolidays(request) }
        router.register(Service.countWorkingMinutes) { request, _ in try countWorkingMinutes(request) }
        router.register(Service.listProcedureGroups) { request, _ in try listProcedureGroups(request) }
        router.register(Service.putAgency) { request, context in
            try await admin { try await catalog.putAgency(request.agency ?? .init(), actor: actor(context)) }
        }
        router.register(Service.putProcedure) { request, context in
            try await admin { try await catalog.putProcedure(request.procedure ?? .init(), actor: actor(context)) }
        }
        router.register(Service.putForm) { request, context in
            try await admin {
                try await catalog.putForm(procedureCode: request.procedureCode, form: request.form ?? .init(),
                                          content: request.content, actor: actor(context))
            }
        }
        router.register(Service.setLevel) { request, context in
            try await admin { try await catalog.setLevel(request, actor: actor(context)) }
        }
        router.register(Service.setCalendarOverride) { request, context in
            try await admin { try await catalog.setCalendarOverride(request, actor: actor(context)) }
        }
        router.register(Service.importCatalog) { request, context in
            try await admin {
                try await catalog.importDocument(request.catalog ?? .init(), formContents: request.formContents,
                                                 actor: actor(context))
            }
        }
        router.register(Service.exportCatalog) { _, _ in catalog.snapshot.document() }
        router.register(Service.listAudit) { request, _ in try await audit(request) }
    }

    // MARK: Reads

    func listAgencies(_ request: CatalogV1.ListAgenciesRequest) -> CatalogV1.ListAgenciesResponse {
        let snapshot = catalog.snapshot
        var response = CatalogV1.ListAgenciesResponse()
        response.agencies = (snapshot.childrenOf[request.parentCode] ?? []).compactMap { snapshot.agencies[$0] }
        return response
    }

    func getAgency(_ request: CatalogV1.GetAgencyRequest) throws -> CatalogV1.Agency {
        guard let agency = catalog.snapshot.agencies[request.code] else {
            throw RPCError(.notFound, "agency \(request.code) does not exist")
        }
        return agency
    }

    func listFields() -> CatalogV1.ListFieldsResponse {
        var response = CatalogV1.ListFieldsResponse()
        response.fields = catalog.snapshot.fields.values.sorted { $0.code < $1.code }
        return response
    }

    func getProcedure(_ request: CatalogV1.GetProcedureRequest) throws -> CatalogV1.GetProcedureResponse {
        let snapshot = catalog.snapshot
        let procedure = try snapshot.procedure(request.code, field: "code")
        var response = CatalogV1.GetProcedureResponse()
        response.procedure = procedure
        response.levels = (snapshot.agenciesOffering[procedure.code] ?? []).compactMap { code in
            guard let agency = snapshot.agencies[code] else { return nil }
            let level = snapshot.enabledLevel(agency: code, procedure: procedure.code)
            guard level > 0 else { return nil }
            var entry = CatalogV1.LevelAtAgency()
            entry.agencyCode = code
            entry.agencyName = agency.name
            entry.level = level
            return entry
        }
        return response
    }

    /// The procedure groups (liên thông), by code; with a procedure, those with a step of it.
    func listProcedureGroups(_ request: CatalogV1.ListProcedureGroupsRequest) throws -> CatalogV1.ListProcedureGroupsResponse {
        let snapshot = catalog.snapshot
        if !request.procedureCode.isEmpty { _ = try snapshot.procedure(request.procedureCode) }
        var response = CatalogV1.ListProcedureGroupsResponse()
        response.groups = snapshot.groups.values
            .filter { request.procedureCode.isEmpty || $0.steps.contains { $0.procedureCode == request.procedureCode } }
            .sorted { $0.code < $1.code }
        return response
    }

    func enabledLevel(_ request: CatalogV1.GetEnabledLevelRequest) throws -> CatalogV1.GetEnabledLevelResponse {
        let snapshot = catalog.snapshot
        let agency = try snapshot.agency(request.agencyCode)
        let procedure = try snapshot.procedure(request.procedureCode)
        var response = CatalogV1.GetEnabledLevelResponse()
        response.level = snapshot.enabledLevel(agency: agency.code, procedure: procedure.code)
        response.agencyCeiling = agency.levelCeiling
        response.agencyName = agency.name
        response.procedureName = procedure.name
        return response
    }

    func search(_ request: CatalogV1.SearchProceduresRequest) throws -> CatalogV1.SearchProceduresResponse {
        let snapshot = catalog.snapshot
        guard request.query.count <= Self.maximumQueryLength else {
            throw RPCError(.invalidArgument, "query: \(request.query.count) characters, above the limit of \(Self.maximumQueryLength)",
                           violations: [FieldViolation(field: "query", description: "longer than \(Self.maximumQueryLength) characters")])
        }
        let words = VietnameseFolding.words(request.query)
        guard !words.isEmpty || !request.agencyCode.isEmpty || !request.fieldCode.isEmpty else {
            throw RPCError(.invalidArgument, "query: give at least one word, or filter by agency or field",
                           violations: [FieldViolation(field: "query", description: "empty")])
        }
        guard request.minLevel <= 4 else {
            throw RPCError(.invalidArgument, "min_level \(request.minLevel) does not exist: levels are 1 to 4",
                           violations: [FieldViolation(field: "min_level", description: "must be 0 to 4")])
        }
        guard request.pageSize <= Self.maximumPageSize else {
            throw RPCError.invalidArgument(field: "page_size", "at most \(Self.maximumPageSize)")
        }
        if !request.agencyCode.isEmpty { _ = try snapshot.agency(request.agencyCode) }
        if !request.fieldCode.isEmpty, snapshot.fields[request.fieldCode] == nil {
            throw RPCError(.notFound, "field \(request.fieldCode) does not exist",
                           violations: [FieldViolation(field: "field_code", description: "unknown field")])
        }
        var token: PageToken?
        if !request.pageToken.isEmpty {
            guard let parsed = PageToken(request.pageToken) else {
                throw RPCError.invalidArgument(field: "page_token", "not a token from a previous page")
            }
            token = parsed
        }
        let agency = request.agencyCode.isEmpty ? nil : request.agencyCode
        let minLevel = max(request.minLevel, 1)
        let include: (String) -> Bool = { code in
            guard let procedure = snapshot.procedures[code] else { return false }
            if !request.fieldCode.isEmpty, procedure.fieldCode != request.fieldCode { return false }
            return snapshot.bestLevel(procedure: code, agency: agency) >= minLevel
        }
        let hits: [SearchIndex.Hit]
        if words.isEmpty {
            // Browsing by filter: every match, by name.
            hits = snapshot.procedures.values
                .filter { include($0.code) }
                .sorted { (VietnameseFolding.fold($0.name), $0.code) < (VietnameseFolding.fold($1.name), $1.code) }
                .map { SearchIndex.Hit(code: $0.code, score: 0) }
        } else {
            hits = snapshot.searchIndex.search(request.query, include: include)
        }
        let pageSize = Int(request.pageSize == 0 ? Self.defaultPageSize : request.pageSize)
        let start = token?.start(in: hits.map(\.code)) ?? 0
        let page = hits[start..<min(start + pageSize, hits.count)]
        var response = CatalogV1.SearchProceduresResponse()
        response.total = UInt32(hits.count)
        response.procedures = page.compactMap { hit in
            guard let procedure = snapshot.procedures[hit.code] else { return nil }
            var summary = CatalogV1.ProcedureSummary()
            summary.code = procedure.code
            summary.name = procedure.name
            summary.fieldCode = procedure.fieldCode
            summary.level = snapshot.bestLevel(procedure: procedure.code, agency: agency)
            summary.score = hit.score
            return summary
        }
        if let last = page.last, start + page.count < hits.count {
            response.nextPageToken = PageToken(offset: start + page.count, lastCode: last.code).text
        }
        return response
    }

    func form(_ request: CatalogV1.GetFormRequest) async throws -> CatalogV1.GetFormResponse {
        guard let procedure = catalog.snapshot.procedures[request.procedureCode] else {
            throw RPCError(.notFound, "procedure \(request.procedureCode) does not exist")
        }
        guard let form = procedure.forms.first(where: { $0.id == request.formId }) else {
            throw RPCError(.notFound, "procedure \(procedure.code) has no form \(request.formId)",
                           violations: [FieldViolation(field: "form_id", description: "unknown form")])
        }
        guard let content = try catalog.store.formContent(id: form.id) else {
            throw RPCError(.notFound, "the template of form \(form.id) has not been uploaded yet")
        }
        var response = CatalogV1.GetFormResponse()
        response.form = form
        response.content = content
        return response
    }

    func audit(_ request: CatalogV1.ListAuditRequest) async throws -> CatalogV1.ListAuditResponse {
        let size = request.pageSize == 0 ? 50 : min(Int(request.pageSize), 500)
        var response = CatalogV1.ListAuditResponse()
        response.entries = try catalog.store.audit(pageSize: size, beforeID: request.beforeId)
        return response
    }

    // MARK: Changes

    /// Who made a change: under mutual TLS the caller's certificate (an operator's names the
    /// person), with `x-dvc-actor` only as a note beside it; without TLS, `x-dvc-actor`.
    /// Changes without either are refused, so that no change goes unattributed in the audit log.
    func actor(_ context: ServerContext) throws -> String {
        guard let actor = AuthenticatedActor.name(context) else {
            throw RPCError(.unauthenticated, "administrative changes need metadata \(CatalogAPI.actorKey) naming who makes them")
        }
        return actor
    }

    static let actorKey = "x-dvc-actor"

    private func admin(_ change: () async throws -> UInt64) async throws -> CatalogV1.AdminResponse {
        var response = CatalogV1.AdminResponse()
        response.version = try await change()
        return response
    }
}
