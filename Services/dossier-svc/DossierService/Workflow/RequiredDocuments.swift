import DVCProto
import Foundation
import RPCCore

/// Which of a procedure's required documents (thành phần hồ sơ, in the catalog) a submission
/// must carry as a file, and whether it does.
///
/// The catalog lists every paper the procedure may involve, in the words of the national
/// database; not all of them are filed as a file with every dossier. The catalog has no flag for
/// that, so the kind is read from the document's own wording, as an officer reads it:
/// - **presented** ("xuất trình"): shown at the counter (an identity paper), not filed;
/// - **conditional** ("(nếu …)", "trường hợp", "khi", "(đối với …)"): only in the case it names, which
///   the applicant and the officer judge; not enforced;
/// - **application form** (a form template of the catalog, or "Tờ khai", "Đơn", "Giấy/Văn bản đề
///   nghị"): the online form's data is that paper when the procedure declares form fields;
/// - **filed**: every other document, which the dossier must carry (a file that says it is
///   that document, uploaded, scanned at the counter or reused from an earlier dossier).
///
/// Decree 118/2025/NĐ-CP has the receiving officer check that the dossier is complete before
/// receiving it; this check is the part a machine can make at submission: every filed document
/// is there. Before it, a submission with none of the required papers was accepted.
public struct RequiredDocuments: Sendable {
    public enum Kind: Sendable, Equatable {
        case presented, conditional, applicationForm, filed
    }

    public let documents: [CatalogV1.RequiredDocument]
    /// Whether the procedure's forms declare fields (the online form stands for its application).
    public let hasFormFields: Bool

    public init(procedure: CatalogV1.Procedure) {
        documents = procedure.documents
        hasFormFields = procedure.forms.contains { !$0.fields.isEmpty }
    }

    public static func kind(of document: CatalogV1.RequiredDocument, hasFormFields: Bool) -> Kind {
        let name = document.name.lowercased()
        if name.contains("xuất trình") { return .presented }
        // A condition in its own words: "(nếu …)", "(trường hợp …)", "khi …", "(đối với …)". Not a
        // bare "nếu": "Giấy chứng sinh; nếu không có thì …" names a substitute, not a condition.
        let conditions = ["(nếu", "nếu có", "trường hợp", "(khi ", " khi ", "(đối với"]
        if conditions.contains(where: name.contains) { return .conditional }
        let applicationWords = ["tờ khai", "đơn ", "giấy đề nghị", "văn bản đề nghị", "phiếu yêu cầu"]
        if hasFormFields, !document.formId.isEmpty || applicationWords.contains(where: name.hasPrefix) {
            return .applicationForm
        }
        return .filed
    }

    /// The names of the documents a dossier must carry as files.
    public var filed: [String] {
        documents.filter { Self.kind(of: $0, hasFormFields: hasFormFields) == .filed }.map(\.name)
    }

    /// Checks the documents the files say they are (`attachments[i].required_document`, and the
    /// reused ones'): each must be one of the procedure's, and every filed document must be there.
    /// A file that does not say (a client of the first API version, or the portal's form, which
    /// has one input per document in the catalog's order) is taken, in order, for the filed
    /// documents still missing; the answer is the name each file stands for ("" for an extra
    /// paper), which the dossier keeps. INVALID_ARGUMENT names the field: the attachment with an
    /// unknown name, or `attachments` listing what is missing (in Vietnamese, as the citizen's
    /// form shows it).
    @discardableResult
    func check(attachments: [String], reused: [String]) throws(RPCError) -> [String] {
        let known = Set(documents.map(\.name))
        var violations: [FieldViolation] = []
        for (index, name) in attachments.enumerated() where !name.isEmpty && !known.contains(name) {
            violations.append(FieldViolation(field: "attachments[\(index)].required_document",
                                             description: "not a required document of the procedure: \(name)"))
        }
        for (index, name) in reused.enumerated() where !known.contains(name) {
            violations.append(FieldViolation(field: "reused_documents[\(index)].required_document",
                                             description: "not a required document of the procedure: \(name)"))
        }
        var given = Set(attachments + reused)
        var missing = filed.filter { !given.contains($0) }
        var named = attachments
        for index in named.indices where named[index].isEmpty && !missing.isEmpty {
            named[index] = missing.removeFirst()
            given.insert(named[index])
        }
        if !missing.isEmpty {
            violations.append(FieldViolation(field: "attachments",
                                             description: "Thiếu giấy tờ bắt buộc: " + missing.joined(separator: "; ")))
        }
        guard violations.isEmpty else {
            throw RPCError(.invalidArgument, "the dossier's papers do not match the procedure's required documents",
                           violations: violations)
        }
        return named
    }
}
