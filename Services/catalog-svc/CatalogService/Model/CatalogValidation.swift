import Crypto
import DVCProto
import Foundation
import OneStop
import RPCCore

/// The checks an administrative change must pass before it touches the database; each bad
/// field becomes one field violation of an INVALID_ARGUMENT, and a change that is well-formed
/// but impossible in the current catalog gets NOT_FOUND or FAILED_PRECONDITION naming why.
enum CatalogValidation {
    /// Most bytes accepted for one form template.
    static let maximumFormBytes = 10 * 1024 * 1024
    static let formFieldTypes: Set<String> = ["text", "date", "number", "citizen_id", "email", "phone", "select"]

    struct Violations {
        var list: [FieldViolation] = []

        mutating func check(_ condition: Bool, _ field: String, _ description: String) {
            if !condition { list.append(FieldViolation(field: field, description: description)) }
        }

        func throwIfAny(_ what: String) throws {
            guard !list.isEmpty else { return }
            let summary = list.map { "\($0.field): \($0.description)" }.joined(separator: "; ")
            throw RPCError(.invalidArgument, "invalid \(what): \(summary)", violations: list)
        }
    }

    static func isCode(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || ".-_".unicodeScalars.contains($0) }
    }

    static func agency(_ agency: CatalogV1.Agency, in snapshot: CatalogSnapshot) throws {
        var violations = Violations()
        violations.check(isCode(agency.code), "agency.code", "must be 1–64 letters, digits, '.', '-' or '_'")
        violations.check(!agency.name.trimmingCharacters(in: .whitespaces).isEmpty, "agency.name", "must not be empty")
        violations.check(agency.kind != .unspecified && !isUnrecognized(agency.kind), "agency.kind",
                         "must be city, district, ward-commune, department, service-centre, police or social-insurance")
        violations.check(ServiceLevel.enableable.contains(agency.levelCeiling), "agency.level_ceiling", "must be 1 to 4")
        do {
            _ = try OfficeHours(proto: agency.officeHours)
        } catch {
            violations.check(false, "agency.office_hours", "\(error)")
        }
        try violations.throwIfAny("agency")
        if !agency.parentCode.isEmpty {
            guard snapshot.agencies[agency.parentCode] != nil else {
                throw RPCError(.notFound, "parent agency \(agency.parentCode) does not exist",
                               violations: [FieldViolation(field: "agency.parent_code", description: "unknown agency")])
            }
            // An agency cannot be moved under itself or under one of its own descendants.
            if snapshot.agencies[agency.code] != nil, snapshot.subtree(of: agency.code).contains(agency.parentCode) {
                throw RPCError(.failedPrecondition, "agency \(agency.code) cannot be placed under \(agency.parentCode), which is inside it",
                               violations: [FieldViolation(field: "agency.parent_code", description: "would make a cycle")])
            }
        }
    }

    static func procedure(_ procedure: CatalogV1.Procedure, in snapshot: CatalogSnapshot) throws {
        var violations = Violations()
        violations.check(isCode(procedure.code), "procedure.code", "must be 1–64 letters, digits, '.', '-' or '_'")
        violations.check(!procedure.name.trimmingCharacters(in: .whitespaces).isEmpty, "procedure.name", "must not be empty")
        violations.check(!procedure.agencyKinds.isEmpty, "procedure.agency_kinds", "must name at least one kind of agency")
        violations.check((procedure.processingWorkingDays > 0) != (procedure.processingWorkingHours > 0),
                         "procedure.processing_working_days",
                         "exactly one of processing_working_days and processing_working_hours must be set")
        for problem in FeeValidation.problems(procedure) {
            violations.check(false, problem.field, problem.description)
        }
        for (index, document) in procedure.documents.enumerated() {
            violations.check(!document.name.isEmpty, "procedure.documents[\(index)].name", "must not be empty")
            violations.check(document.count >= 1, "procedure.documents[\(index)].count", "must be at least 1")
        }
        var formIDs: Set<String> = []
        for (index, form) in procedure.forms.enumerated() {
            violations.check(isCode(form.id) && formIDs.insert(form.id).inserted, "procedure.forms[\(index)].id",
                             "must be a unique code")
            formFields(form.fields, path: "procedure.forms[\(index)]", into: &violations)
        }
        try violations.throwIfAny("procedure")
        guard snapshot.fields[procedure.fieldCode] != nil else {
            throw RPCError(.notFound, "field \(procedure.fieldCode) does not exist",
                           violations: [FieldViolation(field: "procedure.field_code", description: "unknown field")])
        }
    }

    static func formFields(_ fields: [CatalogV1.FormField], path: String, into violations: inout Violations) {
        var names: Set<String> = []
        for (index, field) in fields.enumerated() {
            let at = "\(path).fields[\(index)]"
            violations.check(isCode(field.name) && names.insert(field.name).inserted, "\(at).name", "must be a unique code")
            violations.check(formFieldTypes.contains(field.type), "\(at).type",
                             "must be one of \(formFieldTypes.sorted().joined(separator: ", "))")
            if !field.pattern.isEmpty {
                violations.check((try? NSRegularExpression(pattern: field.pattern)) != nil, "\(at).pattern",
                                 "is not a valid regular expression")
            }
            violations.check(field.type != "select" || !field.options.isEmpty, "\(at).options", "a select needs options")
        }
    }

    /// Checks a template's bytes and returns the form with its size and digest filled in.
    static func form(_ form: CatalogV1.FormTemplate, content: Data) throws -> CatalogV1.FormTemplate {
        var violations = Violations()
        violations.check(isCode(form.id), "form.id", "must be 1–64 letters, digits, '.', '-' or '_'")
        violations.check(!form.name.isEmpty, "form.name", "must not be empty")
        formFields(form.fields, path: "form", into: &violations)
        try violations.throwIfAny("form")
        guard !content.isEmpty else {
            throw RPCError.invalidArgument(field: "content", "the template is empty")
        }
        guard content.count <= maximumFormBytes else {
            throw RPCError(.invalidArgument, "content: \(content.count) bytes, above the limit of \(maximumFormBytes)",
                           violations: [FieldViolation(field: "content", description: "larger than \(maximumFormBytes) bytes")])
        }
        let kind = ContentSniffer.kind(of: content)
        guard kind != .executable, kind != .unknown else {
            throw RPCError.invalidArgument(field: "content", "the bytes are \(kind.description), not a document template")
        }
        guard kind.mediaTypes.contains(form.mediaType) else {
            throw RPCError.invalidArgument(
                field: "form.media_type",
                "declared \(form.mediaType.isEmpty ? "nothing" : form.mediaType), but the bytes are \(kind.description)")
        }
        var checked = form
        checked.sizeBytes = Int64(content.count)
        checked.sha256Hex = SHA256.hash(data: content).map { String(format: "%02x", $0) }.joined()
        return checked
    }

    static func level(_ request: CatalogV1.SetLevelRequest, in snapshot: CatalogSnapshot) throws {
        guard ServiceLevel(rawValue: request.level).exists else {
            throw RPCError(.invalidArgument, "level \(request.level) does not exist: levels are 1 to 4 (0 withdraws)",
                           violations: [FieldViolation(field: "level", description: "must be 0 to 4")])
        }
        guard let agency = snapshot.agencies[request.agencyCode] else {
            throw RPCError(.notFound, "agency \(request.agencyCode) does not exist",
                           violations: [FieldViolation(field: "agency_code", description: "unknown agency")])
        }
        guard let procedure = snapshot.procedures[request.procedureCode] else {
            throw RPCError(.notFound, "procedure \(request.procedureCode) does not exist",
                           violations: [FieldViolation(field: "procedure_code", description: "unknown procedure")])
        }
        guard request.level <= agency.levelCeiling else {
            throw RPCError(.failedPrecondition,
                           "\(agency.name) (\(agency.code)) can offer at most level \(agency.levelCeiling), not \(request.level)")
        }
        guard request.level == 0 || procedure.agencyKinds.contains(agency.kind) else {
            throw RPCError(.failedPrecondition,
                           "\(procedure.name) is not handled by agencies of the kind of \(agency.name) (\(agency.code))")
        }
    }

    static func calendarOverride(_ entry: CatalogV1.CalendarOverride, removing: Bool) throws {
        var violations = Violations()
        violations.check(LocalDate(entry.date) != nil, "entry.date", "must be a date yyyy-MM-dd")
        violations.check(removing || !entry.reason.trimmingCharacters(in: .whitespaces).isEmpty, "entry.reason",
                         "must say why (the announcement it comes from)")
        try violations.throwIfAny("calendar override")
    }

    private static func isUnrecognized(_ kind: CatalogV1.AgencyKind) -> Bool {
        if case .unrecognized = kind { return true }
        return false
    }
}
