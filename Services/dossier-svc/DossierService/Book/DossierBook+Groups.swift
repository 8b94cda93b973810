import DVCProto
import OneStop
import Foundation
import RPCCore
import ServiceClients
import Storage

/// Inter-agency procedures (thủ tục liên thông, Decree 63/2024/NĐ-CP): one dossier and one
/// receipt code for the citizen, its steps done in order by the agencies of the catalog's
/// procedure group, each step with its own time limit and officers. The dossier's
/// `agency_code` and `procedure_code` are always the current step's, so every queue, standing
/// check and statistic works on the step as on a single dossier; `group_steps` keeps the whole
/// path, and the handoffs say who passed it on when.
extension DossierBook {
    /// The group a submission starts, with its steps as the dossier will run them; nil for a
    /// single procedure. The first step must be the procedure submitted, at the agency submitted to.
    func startingGroup(_ request: DossierV1.SubmitDossierRequest, options: CallOptions) async throws -> CatalogV1.ProcedureGroup? {
        guard !request.groupCode.isEmpty else { return nil }
        var query = CatalogV1.ListProcedureGroupsRequest()
        query.procedureCode = request.procedureCode
        let groups = try await catalog.unary(CatalogV1.CatalogService.listProcedureGroups, query, options: options).groups
        guard let group = groups.first(where: { $0.code == request.groupCode }) else {
            throw RPCError.invalidArgument(field: "group_code", "no procedure group \(request.groupCode) with a step \(request.procedureCode)")
        }
        guard group.steps.count >= 2, group.steps.first?.procedureCode == request.procedureCode else {
            throw RPCError.invalidArgument(field: "group_code",
                                           "group \(group.code) starts with \(group.steps.first?.procedureCode ?? "no step"), not \(request.procedureCode)")
        }
        return group
    }

    /// The dossier's copy of the group's steps; step 1 at the agency submitted to.
    static func dossierSteps(_ group: CatalogV1.ProcedureGroup, firstAgency: String) -> [DossierV1.DossierGroupStep] {
        group.steps.enumerated().map { index, step in
            var copy = DossierV1.DossierGroupStep()
            copy.number = UInt32(index + 1)
            copy.procedureCode = step.procedureCode
            copy.agencyCode = index == 0 ? firstAgency : step.agencyCode
            copy.agencyKind = step.agencyKind
            copy.processingWorkingDays = step.processingWorkingDays
            copy.description = step.description
            return copy
        }
    }

    /// The agency the next step goes to: the group's fixed one, else the officer's choice
    /// (`target_agency_code`), which must be of the step's kind and publish its procedure.
    func nextStepAgency(_ row: DossierRow, target: String, options: CallOptions) async throws -> String {
        let index = Int(row.details.currentStep)
        guard index < row.details.groupSteps.count else {
            throw RPCError(.failedPrecondition, "dossier \(row.id) has no next step")
        }
        let next = row.details.groupSteps[index]
        if !next.agencyCode.isEmpty {
            guard target.isEmpty || target == next.agencyCode else {
                throw RPCError.invalidArgument(field: "target_agency_code", "step \(next.number) is done by \(next.agencyCode)")
            }
            return next.agencyCode
        }
        guard !target.isEmpty else {
            throw RPCError.invalidArgument(field: "target_agency_code",
                                           "step \(next.number) (\(next.procedureCode)) goes to an agency of kind \(next.agencyKind): name it")
        }
        let agency = try await agency(target, options: options)
        let kind = SeedKind.word(agency.kind)
        guard next.agencyKind.isEmpty || kind == next.agencyKind else {
            throw RPCError.invalidArgument(field: "target_agency_code", "\(target) is a \(kind), step \(next.number) needs a \(next.agencyKind)")
        }
        let level = try await catalogCache.level(agency: target, procedure: next.procedureCode, options: options)
        try ServiceLevel.information.require(of: level, agency: target, procedure: next.procedureCode,
                                             doing: "step \(next.number) of the inter-agency dossier")
        return target
    }
}

/// The catalog's words for agency kinds, as procedure groups name them.
enum SeedKind {
    static func word(_ kind: CatalogV1.AgencyKind) -> String {
        switch kind {
        case .city: "city"
        case .district: "district"
        case .wardCommune: "ward-commune"
        case .department: "department"
        case .serviceCentre: "service-centre"
        case .police: "police"
        case .socialInsurance: "social-insurance"
        case .unspecified: ""
        case .unrecognized(let value): "kind-\(value)"
        }
    }
}
