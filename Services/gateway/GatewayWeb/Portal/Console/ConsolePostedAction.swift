import DVCProto
import Foundation
import Hummingbird
import OneStop
import RPCCore

/// An action form as posted to `/can-bo/ho-so/{id}/xu-ly`, urlencoded or (the approval, with
/// its result file) multipart, turned into the ActRequest it stands for.
struct ConsolePostedAction: Sendable {
    /// The text fields (first value per name).
    var fields: [String: String]
    /// The result file of an approval, if one was chosen.
    var resultFile: MultipartForm.File?

    /// A body of either kind. A multipart body is held to dossier-svc's own limits (10 MiB per
    /// file), refused as it streams in; `MultipartForm.Refusal` names the input at fault.
    static func read(_ request: Request) async throws -> ConsolePostedAction {
        guard MultipartForm.isMultipart(request) else {
            return ConsolePostedAction(fields: try await PortalForm.fields(request), resultFile: nil)
        }
        let form = try await MultipartForm.read(request, limits: .init(maxFileBytes: 10 << 20, maxTotalBytes: 50 << 20, maxFields: 200))
        // (A file input left empty is dropped by MultipartForm: no file, the note alone.)
        return ConsolePostedAction(fields: form.fields, resultFile: form.files.first { $0.field == "result_document" })
    }

    /// The action named by the form, or nil for a number that is no action.
    var action: DossierV1.Action? {
        guard let raw = fields["action"].flatMap(Int32.init) else { return nil }
        let action = DossierV1.Action(rawValue: raw)
        return Self.isOfficerAction(action) ? action : nil
    }

    /// A number the workflow knows as an action some officer role performs.
    static func isOfficerAction(_ action: DossierV1.Action) -> Bool {
        DossierWorkflow.rules.contains { rule in
            guard rule.action == action, case .officer = rule.performer else { return false }
            return true
        }
    }

    /// The values to show again if the step is refused (never the file, never the token).
    var echoed: [String: String] {
        fields.filter { ["note", "missing_documents", "result_note", "new_appointment", "target_agency_code"].contains($0.key) }
    }

    /// The ActRequest, or the input the console itself could not read (the new appointment).
    func actRequest(dossierID: String, action: DossierV1.Action) throws -> DossierV1.ActRequest {
        var act = DossierV1.ActRequest()
        act.dossierId = dossierID
        act.action = action
        act.expectedVersion = fields["expected_version"].flatMap(UInt64.init) ?? 0
        act.note = (fields["note"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        switch action {
        case .requestSupplement:
            // One missing document per line; blank lines are the officer's spacing, not items.
            act.missingDocuments = (fields["missing_documents"] ?? "")
                .split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        case .approve:
            act.resultNote = (fields["result_note"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if let file = resultFile {
                var upload = DossierV1.AttachmentUpload()
                upload.name = file.filename.isEmpty ? "ket-qua" : file.filename
                upload.content = file.content
                act.resultDocument = upload
            }
        case .apologize:
            guard let at = Self.hanoiTime(fields["new_appointment"] ?? "") else {
                throw RPCError.invalidArgument(field: "new_appointment", "Hãy chọn ngày và giờ hẹn trả kết quả mới.")
            }
            act.newAppointmentAtUnixMs = at
        case .transfer, .completeStep:
            act.targetAgencyCode = (fields["target_agency_code"] ?? "").trimmingCharacters(in: .whitespaces)
        default:
            break
        }
        return act
    }

    /// A `datetime-local` value ("2026-12-15T09:30", seconds optional) read as Hà Nội time
    /// (UTC+7, no daylight saving), as Unix milliseconds.
    static func hanoiTime(_ text: String) -> Int64? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text.trimmingCharacters(in: .whitespaces)) {
                return Int64(date.timeIntervalSince1970 * 1000)
            }
        }
        return nil
    }
}
