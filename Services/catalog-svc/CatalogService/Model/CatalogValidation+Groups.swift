import DVCProto
import Foundation
import RPCCore

/// The checks of the two-tier additions: what a Public Administration Service Centre receives
/// for, and procedure groups (liên thông), each refused with the field named.
extension CatalogValidation {
    /// The kind words used by seed files and group steps, by kind.
    static let kindWords: [String: CatalogV1.AgencyKind] = [
        "city": .city, "district": .district, "ward-commune": .wardCommune, "department": .department,
        "service-centre": .serviceCentre, "police": .police, "social-insurance": .socialInsurance,
    ]

    /// `receives_for` names agencies that exist and are not centres themselves, once each, and
    /// only a service centre has it. `agencies` is the catalog as it will be after the change.
    static func receivesFor(_ agency: CatalogV1.Agency, agencies: [String: CatalogV1.Agency]) throws {
        guard !agency.receivesFor.isEmpty else { return }
        guard agency.kind == .serviceCentre else {
            throw RPCError.invalidArgument(field: "agency.receives_for",
                                           "only a service centre receives dossiers for other agencies")
        }
        var seen: Set<String> = []
        for (index, code) in agency.receivesFor.enumerated() {
            let field = "agency.receives_for[\(index)]"
            guard code != "*" else {
                throw RPCError.invalidArgument(field: field, "list the agencies' codes (\"*\" is a seed file's shorthand, expanded when the file is loaded)")
            }
            guard let target = agencies[code] else {
                throw RPCError(.notFound, "agency \(code) in receives_for does not exist",
                               violations: [FieldViolation(field: field, description: "unknown agency")])
            }
            guard target.kind != .serviceCentre else {
                throw RPCError.invalidArgument(field: field, "\(code) is itself a service centre")
            }
            guard seen.insert(code).inserted else {
                throw RPCError.invalidArgument(field: field, "\(code) is listed twice")
            }
        }
    }

    /// A procedure group against the catalog as it will be: every step's procedure exists and
    /// is handled by the step's kind of agency; a fixed agency exists, is of that kind and
    /// offers the procedure; without one, some agency of the kind offers it; each step has a
    /// time limit. `offered` holds "agency\u{0}procedure" for every enabled level.
    static func group(
        _ group: CatalogV1.ProcedureGroup, field: String, agencies: [String: CatalogV1.Agency],
        procedures: [String: CatalogV1.Procedure], offered: Set<String>
    ) throws {
        var violations = Violations()
        violations.check(isCode(group.code), "\(field).code", "must be 1–64 letters, digits, '.', '-' or '_'")
        violations.check(!group.name.trimmingCharacters(in: .whitespaces).isEmpty, "\(field).name", "must not be empty")
        violations.check(!group.legalBasis.trimmingCharacters(in: .whitespaces).isEmpty, "\(field).legal_basis",
                         "must cite the regulation that joins the procedures")
        violations.check(group.steps.count >= 2, "\(field).steps", "a group joins at least two procedures")
        for (index, step) in group.steps.enumerated() {
            let at = "\(field).steps[\(index)]"
            violations.check(step.processingWorkingDays >= 1, "\(at).processing_working_days", "must be at least 1")
            guard let procedure = procedures[step.procedureCode] else {
                violations.check(false, "\(at).procedure_code", "unknown procedure \(step.procedureCode)")
                continue
            }
            guard let kind = kindWords[step.agencyKind] else {
                violations.check(false, "\(at).agency_kind",
                                 "unknown kind \"\(step.agencyKind)\" (\(kindWords.keys.sorted().joined(separator: ", ")))")
                continue
            }
            violations.check(procedure.agencyKinds.contains(kind), "\(at).agency_kind",
                             "\(procedure.code) is not handled by agencies of kind \(step.agencyKind)")
            if step.agencyCode.isEmpty {
                violations.check(agencies.values.contains { $0.kind == kind && offered.contains($0.code + "\u{0}" + procedure.code) },
                                 "\(at).agency_kind", "no agency of kind \(step.agencyKind) offers \(procedure.code)")
            } else if let agency = agencies[step.agencyCode] {
                violations.check(agency.kind == kind, "\(at).agency_code", "\(agency.code) is not of kind \(step.agencyKind)")
                violations.check(offered.contains(agency.code + "\u{0}" + procedure.code), "\(at).agency_code",
                                 "\(agency.code) offers no level of \(procedure.code)")
            } else {
                violations.check(false, "\(at).agency_code", "unknown agency \(step.agencyCode)")
            }
        }
        try violations.throwIfAny("procedure group")
    }
}
