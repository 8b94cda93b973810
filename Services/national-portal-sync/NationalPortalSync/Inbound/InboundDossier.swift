import Foundation

/// A dossier as the national portal delivers it (docs/national-portal.md, "Inbound"): the
/// portal's id, the competent agency and procedure of the province's catalog, the applicant the
/// portal identified (VNeID), the form data and the files.
struct InboundDossier: Sendable, Equatable {
    struct File: Sendable, Equatable {
        var name: String
        var content: Data
        var requiredDocument: String
    }

    var portalID: String
    var agencyCode: String
    var procedureCode: String
    var applicantID: String
    var formData: [String: String]
    var files: [File]

    /// A field the portal got wrong, named as in the JSON.
    struct Invalid: Error, Equatable {
        var field: String
        var message: String
    }

    init(json data: Data) throws(Invalid) {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw Invalid(field: "", message: "the body is not a JSON object")
        }
        func text(_ key: String, max: Int = 64) throws(Invalid) -> String {
            guard let value = object[key] as? String, !value.isEmpty else { throw Invalid(field: key, message: "required, a non-empty string") }
            guard value.utf8.count <= max else { throw Invalid(field: key, message: "at most \(max) bytes") }
            return value
        }
        portalID = try text("portal_dossier_id")
        guard portalID.utf8.allSatisfy({ $0 < 0x80 && (Character(UnicodeScalar($0)).isLetter || Character(UnicodeScalar($0)).isNumber || "-._".utf8.contains($0)) }) else {
            throw Invalid(field: "portal_dossier_id", message: "letters, digits, '-', '.' or '_' only")
        }
        agencyCode = try text("agency_code")
        procedureCode = try text("procedure_code")
        applicantID = try text("applicant_id")
        guard applicantID.utf8.count == 12, applicantID.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw Invalid(field: "applicant_id", message: "the applicant's 12-digit identity number")
        }
        var form: [String: String] = [:]
        if let raw = object["form_data"] {
            guard let dictionary = raw as? [String: Any] else { throw Invalid(field: "form_data", message: "an object of strings") }
            for (key, value) in dictionary {
                guard let string = value as? String else { throw Invalid(field: "form_data.\(key)", message: "a string") }
                form[key] = string
            }
        }
        formData = form
        var files: [File] = []
        if let raw = object["files"] {
            guard let list = raw as? [Any] else { throw Invalid(field: "files", message: "an array") }
            for (index, item) in list.enumerated() {
                guard let file = item as? [String: Any] else { throw Invalid(field: "files[\(index)]", message: "an object") }
                guard let name = file["name"] as? String, !name.isEmpty else { throw Invalid(field: "files[\(index)].name", message: "required") }
                guard let encoded = file["content_base64"] as? String, let content = Data(base64Encoded: encoded), !content.isEmpty else {
                    throw Invalid(field: "files[\(index)].content_base64", message: "required, base64 of the file's bytes")
                }
                files.append(File(name: name, content: content, requiredDocument: file["required_document"] as? String ?? ""))
            }
        }
        self.files = files
    }
}
