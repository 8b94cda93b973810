import DVCProto
import RPCCore
import Storage

/// What notify-svc takes from one event: whose it is, which dossier, which template, and the
/// values of the placeholders. Dossier events carry the dossier; payment events carry the
/// payment, and what they lack (receipt code, name, contacts) comes from the dossier's
/// earlier events (`KnownDossier`).
struct EventFacts: Sendable, Hashable {
    var kind: String
    var citizenID: String
    var dossierID: String
    var values: [Placeholder: String]
    /// Present for dossier events: what to remember about the dossier.
    var dossier: KnownDossier?

    /// Reads an event; INVALID_ARGUMENT when its payload is not what its type says, so the
    /// sender keeps it (with the reason in its outbox) instead of it vanishing here.
    static func read(_ event: EventsV1.Event, known: (String) throws -> KnownDossier?) throws -> EventFacts {
        var values: [Placeholder: String] = [:]
        let at = event.occurredAtUnixMs
        values[.thoiGian] = VietnameseText.dateTime(unixMs: at > 0 ? at : UnixMillis.now())
        if event.type.hasPrefix("dossier.") {
            let body: DossierV1.DossierEvent
            do { body = try DossierV1.DossierEvent(protobuf: event.payload) } catch {
                throw RPCError.invalidArgument(field: "payload", "\(event.type) payload is not a dvc.dossier.v1.DossierEvent: \(error)")
            }
            let dossier = body.dossier ?? DossierV1.Dossier()
            guard !dossier.applicantId.isEmpty, !dossier.id.isEmpty else {
                throw RPCError.invalidArgument(field: "payload.dossier", "\(event.type) names no dossier id or applicant")
            }
            let known = KnownDossier(dossier)
            values[.maHoSo] = known.displayCode
            values[.hoTen] = known.displayName
            values[.thuTuc] = dossier.procedureCode
            values[.coQuan] = dossier.agencyCode
            if dossier.appointmentAtUnixMs > 0 {
                values[.ngayHenTra] = VietnameseText.date(unixMs: dossier.appointmentAtUnixMs)
            }
            values[.giayToThieu] = dossier.missingDocuments.map { "- \($0)" }.joined(separator: "\n")
            values[.lyDo] = !body.note.isEmpty && event.type == "dossier.apology" ? body.note
                : (dossier.reason.isEmpty ? body.note : dossier.reason)
            values[.ketQua] = dossier.resultNote
            return EventFacts(kind: event.type, citizenID: dossier.applicantId, dossierID: dossier.id,
                              values: values, dossier: known)
        }
        if event.type.hasPrefix("payment.") {
            let body: PaymentV1.PaymentEvent
            do { body = try PaymentV1.PaymentEvent(protobuf: event.payload) } catch {
                throw RPCError.invalidArgument(field: "payload", "\(event.type) payload is not a dvc.payment.v1.PaymentEvent: \(error)")
            }
            let payment = body.payment ?? PaymentV1.Payment()
            guard !payment.applicantId.isEmpty else {
                throw RPCError.invalidArgument(field: "payload.payment.applicant_id", "\(event.type) names no applicant")
            }
            let dossier = try known(payment.dossierId)
            values[.maHoSo] = dossier?.displayCode ?? payment.dossierId
            values[.hoTen] = dossier?.displayName ?? KnownDossier.defaultName
            values[.thuTuc] = payment.procedureCode
            values[.coQuan] = payment.agencyCode
            values[.soTien] = VietnameseText.money(vnd: payment.amountVnd)
            if event.type == "payment.refunded" && payment.refundedVnd > 0 {
                values[.soTien] = VietnameseText.money(vnd: payment.refundedVnd)
            }
            values[.soBienLai] = payment.receiptNumber
            values[.lyDo] = payment.reason
            return EventFacts(kind: event.type, citizenID: payment.applicantId, dossierID: payment.dossierId,
                              values: values, dossier: nil)
        }
        if event.type.hasPrefix("draft.") {
            // A citizen's draft (docs/drafts.md): no dossier yet, told to its owner only.
            let body: DossierV1.DraftEvent
            do { body = try DossierV1.DraftEvent(protobuf: event.payload) } catch {
                throw RPCError.invalidArgument(field: "payload", "\(event.type) payload is not a dvc.dossier.v1.DraftEvent: \(error)")
            }
            let draft = body.draft ?? DossierV1.Draft()
            guard !draft.ownerId.isEmpty else {
                throw RPCError.invalidArgument(field: "payload.draft.owner_id", "\(event.type) names no owner")
            }
            values[.hoTen] = KnownDossier.nameKeys.lazy.compactMap { draft.formData[$0] }.first { !$0.isEmpty } ?? KnownDossier.defaultName
            values[.thuTuc] = draft.procedureCode
            values[.coQuan] = draft.agencyCode
            values[.ngayHetHan] = VietnameseText.dateTime(unixMs: draft.expiresAtUnixMs)
            return EventFacts(kind: event.type, citizenID: draft.ownerId, dossierID: "", values: values, dossier: nil)
        }
        return EventFacts(kind: event.type, citizenID: "", dossierID: event.aggregateId, values: values, dossier: nil)
    }

    /// The text for the SMS: lists on one line, since an SMS has no room for line breaks.
    var smsValues: [Placeholder: String] {
        var sms = values
        if let list = sms[.giayToThieu] {
            sms[.giayToThieu] = list.split(separator: "\n").map { $0.hasPrefix("- ") ? String($0.dropFirst(2)) : String($0) }
                .joined(separator: "; ")
        }
        return sms
    }
}
