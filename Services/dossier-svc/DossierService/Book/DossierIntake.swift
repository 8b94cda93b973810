import DVCProto
import OneStop
import RPCCore

/// Who brings a dossier in and through which receiving point: a citizen online (the city's
/// portal, or the national portal through an API key), or a receiving officer (cán bộ tiếp
/// nhận) registering the papers a citizen brought to the counter or sent by post.
///
/// Decree 118/2025/NĐ-CP: every dossier the one-stop office handles is received through it and
/// kept in the system of record, whatever the channel; the receiving point (a centre) and the
/// competent agency are recorded apart. Before, a counter dossier had to be submitted "as the
/// citizen", passed the online level check and said in its history that it came online.
struct DossierIntake: Sendable {
    /// The citizen the dossier is for (their 12-digit identity number).
    let applicant: String
    let channel: DossierV1.Channel
    /// The receiving officer's agency for a counter or postal dossier; "" online.
    let deskAgency: String
    /// "officer:<id>" for a counter or postal dossier; "" online.
    let registeredBy: String

    init(_ request: DossierV1.SubmitDossierRequest, actor: DossierActor) throws(RPCError) {
        switch actor {
        case .citizen(let id):
            // A citizen submits online, for themselves.
            if !request.applicantId.isEmpty, request.applicantId != id {
                throw RPCError.invalidArgument(field: "applicant_id", "a citizen submits for themselves; leave it empty")
            }
            switch request.channel {
            case .unspecified, .online: channel = .online
            case .nationalPortal: channel = .nationalPortal
            default:
                throw RPCError.invalidArgument(field: "channel",
                                               "a counter or postal dossier is registered by a receiving officer; a citizen submits online")
            }
            if let index = request.attachments.firstIndex(where: \.digitised) {
                throw RPCError.invalidArgument(field: "attachments[\(index)].digitised",
                                               "only a receiving officer confirms a digitised copy of a paper")
            }
            applicant = id
            deskAgency = ""
            registeredBy = ""
        case .officer(let id, let agency, let roles):
            guard roles.contains(.receiver) else {
                throw RPCError(.permissionDenied, "only a receiving officer (cán bộ tiếp nhận) registers a dossier at the counter")
            }
            guard request.applicantId.utf8.count == 12, request.applicantId.allSatisfy(\.isASCII),
                  request.applicantId.allSatisfy(\.isNumber) else {
                throw RPCError.invalidArgument(field: "applicant_id", "the applicant's 12-digit identity number is required")
            }
            switch request.channel {
            case .inPerson, .postal: channel = request.channel
            case .unspecified: channel = .inPerson
            default:
                throw RPCError.invalidArgument(field: "channel", "a registered dossier came in person (CHANNEL_IN_PERSON) or by post (CHANNEL_POSTAL)")
            }
            // The officer confirms each scan matches the paper before it joins the dossier (số hóa).
            if let index = request.attachments.firstIndex(where: { !$0.digitised }) {
                throw RPCError.invalidArgument(field: "attachments[\(index)].digitised",
                                               "the receiving officer confirms each scanned paper matches the original")
            }
            applicant = request.applicantId
            deskAgency = agency
            registeredBy = "officer:\(id)"
        case .agencySystem, .system:
            throw RPCError(.permissionDenied, "a dossier is submitted by a citizen or registered by a receiving officer")
        }
    }

    /// The history's first entry says how it came in.
    var historyNote: String {
        switch channel {
        case .inPerson: "tiếp nhận trực tiếp tại \(deskAgency)"
        case .postal: "tiếp nhận qua bưu chính công ích tại \(deskAgency)"
        case .nationalPortal: "nộp hồ sơ trực tuyến qua Cổng Dịch vụ công quốc gia"
        default: "nộp hồ sơ trực tuyến"
        }
    }

    /// A stored upload as the dossier keeps it: which required document it is and, for a scan
    /// at the counter, who confirmed it and when.
    func describe(_ file: DossierV1.Attachment, upload: DossierV1.AttachmentUpload, atMs: Int64) -> DossierV1.Attachment {
        var file = file
        file.requiredDocument = upload.requiredDocument
        if upload.digitised, !registeredBy.isEmpty {
            file.digitisedBy = registeredBy
            file.digitisedAtUnixMs = atMs
        }
        return file
    }
}
